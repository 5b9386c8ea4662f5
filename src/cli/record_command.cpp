#include "commands.hpp"

#include "connection_tracking.hpp"
#include "event_source.hpp"
#include "tcpsight/clock.hpp"
#include "tcpsight/history_store.hpp"
#include "tcpsight/lifecycle_tracker.hpp"

#include <chrono>
#include <fmt/core.h>
#include <vector>

namespace tcpsight::cli {
namespace {

// Commit at least this often: a killed recorder loses at most this much.
constexpr std::uint64_t kCommitEveryNs = 200'000'000;
// Or sooner, when this many rows wait.
constexpr std::size_t kMaxPending = 50'000;
constexpr std::uint64_t kRetentionEveryNs = 60'000'000'000;

std::int64_t wall_now_ns() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// Folds events into connections and holds them, and the transitions, until
// the next transaction.
class PendingRows : public EventSink {
public:
  PendingRows(WallClock clock, bool transitions)
      : tracker_([this](const ConnectionRecord& record) { hold(record); }), clock_(clock),
        transitions_(transitions) {}

  LifecycleTracker& tracker() { return tracker_; }

  void event(const Event& event) override {
    tracker_.observe(event);
    if (transitions_ && event.type == EventType::Transition)
      transitions_pending_.emplace_back(event, clock_.to_realtime_ns(event.ts_ns));
  }

  std::size_t size() const { return connections_pending_.size() + transitions_pending_.size(); }

  // One transaction for everything held.
  void write(HistoryStore& store) {
    if (size() == 0)
      return;
    store.begin();
    for (const auto& record : connections_pending_)
      store.add_connection(record);
    for (const auto& [event, realtime_ns] : transitions_pending_)
      store.add_transition(event, realtime_ns);
    store.commit();
    connections_written += connections_pending_.size();
    transitions_written += transitions_pending_.size();
    connections_pending_.clear();
    transitions_pending_.clear();
  }

  std::uint64_t connections_written = 0;
  std::uint64_t transitions_written = 0;

private:
  // The history keeps wall-clock times.
  void hold(ConnectionRecord record) {
    record.start_ns = static_cast<std::uint64_t>(clock_.to_realtime_ns(record.start_ns));
    record.end_ns = static_cast<std::uint64_t>(clock_.to_realtime_ns(record.end_ns));
    connections_pending_.push_back(std::move(record));
  }

  LifecycleTracker tracker_;
  WallClock clock_;
  bool transitions_;
  std::vector<ConnectionRecord> connections_pending_;
  std::vector<std::pair<Event, std::int64_t>> transitions_pending_;
};

} // namespace

int run_record(const RecordOptions& options) {
  auto source = EventSource::open(options.source); // privileges first: no file for nothing
  const auto path = options.db_path.empty() ? default_history_path() : options.db_path;
  HistoryStore store(path, HistoryStore::Mode::ReadWrite);
  const auto retain = [&] {
    const auto cutoff =
        options.retain_ns
            ? std::optional(wall_now_ns() - static_cast<std::int64_t>(*options.retain_ns))
            : std::nullopt;
    store.apply_retention(cutoff, options.max_bytes);
  };
  retain();
  fmt::print(stderr, "tcpsight: recording connections{} into {}\n",
             options.transitions ? " and transitions" : "", path);

  PendingRows pending(source->wall_clock(), options.transitions);
  ConnectionTracking tracking(*source, pending.tracker());
  EventPipeline pipeline(options.source.filter, pending);

  std::uint64_t last_commit = monotonic_now_ns();
  std::uint64_t last_retention = last_commit;
  source->run(
      pipeline,
      {.lost =
           [](std::uint64_t count) {
             fmt::print(stderr, "tcpsight: lost {} events: the ring buffer was full\n", count);
           },
       .after_batch =
           [&](std::uint64_t now) {
             tracking.after_batch(now);
             const auto clock_now = monotonic_now_ns();
             if (pending.size() >= kMaxPending || clock_now >= last_commit + kCommitEveryNs) {
               pending.write(store);
               last_commit = clock_now;
             }
             if (clock_now >= last_retention + kRetentionEveryNs) {
               retain();
               last_retention = clock_now;
             }
             return true;
           }});
  pending.write(store);
  const auto stats = pending.tracker().stats();
  fmt::print(stderr,
             "tcpsight: {} connections and {} transitions recorded into {}, {} still open, {} "
             "dropped as their close was lost; events: {}\n",
             pending.connections_written, pending.transitions_written, path, stats.open,
             stats.expired, source->summary());
  return 0;
}

} // namespace tcpsight::cli
