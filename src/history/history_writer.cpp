#include "tcpsight/history/history_writer.hpp"

#include "tcpsight/model/clock.hpp"
#include "tcpsight/model/error.hpp"

#include <chrono>
#include <utility>

namespace tcpsight {
namespace {

using namespace std::chrono_literals;

// The thread wakes at least this often: batches group what came meanwhile,
// and a killed process loses at most about this much.
constexpr auto kBatchInterval = 200ms;
constexpr std::uint64_t kAgeCheckEveryNs = 60'000'000'000;
constexpr std::uint64_t kSizeCheckEveryNs = 5'000'000'000;

} // namespace

HistoryWriter::HistoryWriter(std::unique_ptr<HistoryStore> store, Retention retention,
                             std::size_t max_queued_rows)
    : store_(std::move(store)), retention_(retention), max_queued_rows_(max_queued_rows) {
  apply_retention(/*check_age=*/true);
}

void HistoryWriter::start() {
  std::lock_guard lock(mutex_);
  start_writing();
}

void HistoryWriter::start_writing() {
  if (!std::exchange(started_, true))
    thread_ = std::thread([this] { run(); });
}

HistoryWriter::~HistoryWriter() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_one();
  if (thread_.joinable())
    thread_.join();
}

void HistoryWriter::add_connection(WallConnectionRecord record) {
  std::lock_guard lock(mutex_);
  start_writing();
  if (queued_.size() >= max_queued_rows_) {
    ++stats_.rows_dropped;
    return;
  }
  queued_.connections.push_back(std::move(record));
}

void HistoryWriter::add_transition(const Event& event, WallTime time) {
  std::lock_guard lock(mutex_);
  start_writing();
  if (queued_.size() >= max_queued_rows_) {
    ++stats_.rows_dropped;
    return;
  }
  queued_.transitions.emplace_back(event, time);
}

void HistoryWriter::flush() {
  std::unique_lock lock(mutex_);
  start_writing();
  wake_.notify_one();
  written_.wait(lock, [&] { return failure_ || (queued_.size() == 0 && !writing_); });
  if (failure_)
    throw Error(*failure_);
}

void HistoryWriter::check() const {
  std::lock_guard lock(mutex_);
  if (failure_)
    throw Error(*failure_);
}

HistoryWriter::Stats HistoryWriter::stats() const {
  std::lock_guard lock(mutex_);
  return stats_;
}

void HistoryWriter::run() {
  std::uint64_t last_age_check = monotonic_now_ns(), last_size_check = last_age_check;
  std::unique_lock lock(mutex_);
  for (;;) {
    wake_.wait_for(lock, kBatchInterval);
    const bool stop = stopping_;
    Batch batch;
    std::swap(batch, queued_);
    writing_ = true;
    lock.unlock();
    try {
      write(batch);
      const auto now = monotonic_now_ns();
      const bool age_due = now >= last_age_check + kAgeCheckEveryNs;
      if (age_due || now >= last_size_check + kSizeCheckEveryNs) {
        apply_retention(age_due);
        last_size_check = now;
        if (age_due)
          last_age_check = now;
      }
    } catch (const Error& e) {
      lock.lock();
      failure_ = e.what();
      writing_ = false;
      written_.notify_all();
      return;
    }
    lock.lock();
    writing_ = false;
    stats_.connections_written += batch.connections.size();
    stats_.transitions_written += batch.transitions.size();
    written_.notify_all();
    if (stop && queued_.size() == 0)
      return;
  }
}

void HistoryWriter::write(Batch& batch) {
  if (batch.size() == 0)
    return;
  store_->begin();
  for (const auto& record : batch.connections)
    store_->add_connection(record);
  for (const auto& [event, time] : batch.transitions)
    store_->add_transition(event, time);
  store_->commit();
}

void HistoryWriter::apply_retention(bool check_age) {
  std::optional<WallTime> cutoff;
  if (check_age && retention_.max_age_ns)
    cutoff = WallTime{realtime_now_ns() - static_cast<std::int64_t>(*retention_.max_age_ns)};
  const bool too_big = retention_.max_bytes && store_->size_bytes() > *retention_.max_bytes;
  if (!cutoff && !too_big)
    return;
  const auto deleted = store_->apply_retention(cutoff, retention_.max_bytes);
  std::lock_guard lock(mutex_);
  stats_.connections_deleted += deleted;
}

} // namespace tcpsight
