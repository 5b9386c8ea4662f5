#include "tcpsight/session/event_source.hpp"

#include "tcpsight/kernel/decode.hpp"
#include "tcpsight/kernel/event_file.hpp"
#include "tcpsight/kernel/preflight.hpp"
#include "tcpsight/model/error.hpp"
#include "tcpsight/pipeline/drop_ledger.hpp"
#include "tcpsight/session/stop_signals.hpp"

#include <chrono>
#include <cstdint>
#include <exception>
#include <fmt/format.h>
#include <optional>
#include <utility>

namespace tcpsight {
namespace {

using namespace std::chrono_literals;

// Wait at most this long for the kernel to wake us: it does so only once
// enough events pile up, to save a wakeup per event.
constexpr auto kPollTimeout = 50ms;
// Replaying, held events are let out as the recording's clock moves this far.
constexpr std::uint64_t kReplayTickNs = 50'000'000;

class ReplaySource : public EventSource {
public:
  explicit ReplaySource(const EventSourceOptions& options)
      : path_(options.read_path), reader_(options.read_path) {}

  WallClock wall_clock() const override { return reader_.wall_clock(); }
  bool live() const override { return false; }
  bool ids_are_socket_cookies() const override { return false; }

  void run(EventPipeline& pipeline, const EventLoopHooks& hooks) override {
    std::uint64_t last_tick = 0;
    bool stopped = false;
    // A cut-short recording still shows what it holds, then fails.
    std::exception_ptr failure;
    try {
      read_into(pipeline, hooks, last_tick, stopped);
    } catch (const Error&) {
      // A read from a pipe or FIFO cut short by Ctrl-C is the stop asked
      // for, not a damaged recording.
      if (!stop_requested())
        failure = std::current_exception();
    }
    pipeline.finish();
    recovered_ = pipeline.recovered();
    hooks.after_batch(last_tick);
    if (failure)
      std::rethrow_exception(failure);
  }

  std::string summary() const override {
    return fmt::format("{} events replayed from {}, {} lost when it was recorded, {}", events_,
                       path_, lost_, recovery(lost_, recovered_));
  }

private:
  void read_into(EventPipeline& pipeline, const EventLoopHooks& hooks, std::uint64_t& last_tick,
                 bool& stopped) {
    reader_.read(
        [&](const Event& e) {
          ++events_;
          if (hooks.arrived)
            hooks.arrived(e);
          pipeline.push(e);
          if (e.ts_ns >= last_tick + kReplayTickNs) {
            pipeline.tick(e.ts_ns);
            stopped = !hooks.after_batch(e.ts_ns);
            last_tick = e.ts_ns;
          }
        },
        [&](std::uint64_t count) {
          // Counts from a file: added without wrapping, however large.
          lost_ = count > UINT64_MAX - lost_ ? UINT64_MAX : lost_ + count;
          hooks.lost(count);
        },
        // Stopped: no further read, which on a pipe might wait for ever.
        [&] { return !stopped && !stop_requested(); });
  }

  std::string path_;
  EventFileReader reader_;
  std::uint64_t events_ = 0;
  std::uint64_t lost_ = 0;
};

} // namespace

void report_lost_events(std::uint64_t count) {
  print_notice(fmt::format("lost {} events (the ring buffer was full, or the kernel skipped a "
                           "program); the transitions among them are rebuilt from what follows",
                           count));
}

void report_unclaimed_drops(std::uint64_t count) {
  if (count != 0)
    print_notice(fmt::format("{} drops were shown but not counted on a connection: no socket "
                             "of theirs closed while tcpsight kept them (the latest {}), as "
                             "for drops of connections that never opened here",
                             count, DropLedger::kDefaultCapacity));
}

std::string EventSource::recovery(std::uint64_t lost, std::uint64_t recovered) {
  return fmt::format("{} recovered, {} not recovered", recovered,
                     lost > recovered ? lost - recovered : 0);
}

void print_notice(std::string_view text) { fmt::print(stderr, "tcpsight: {}\n", text); }

LiveSource::LiveSource(const TracerOptions& options, const std::string& write_path, Notify notify)
    : clock_(WallClock::measure()), notify_(std::move(notify)) {
  check_can_trace();
  if (!write_path.empty())
    recording_ = std::make_unique<EventFileWriter>(write_path, clock_);
  Tracer::RecordTap keep_record;
  if (recording_)
    keep_record = [this](std::span<const std::byte> record) {
      // The layout's size, which the reader checks, of a record that decoded.
      recording_->event_record(record.first(event_record_size()));
    };
  tracer_ = std::make_unique<Tracer>(
      options, [this](Event e) { handle(std::move(e)); }, std::move(keep_record));
  if (recording_)
    recording_->drop_reasons(tracer_->drop_reasons());
  for (const auto& notice : tracer_->notices())
    notify_(notice);
}

LiveSource::~LiveSource() = default;

bool LiveSource::ids_are_socket_cookies() const { return tracer_->ids_are_socket_cookies(); }

void LiveSource::run(EventPipeline& pipeline, const EventLoopHooks& hooks) {
  pipeline_ = &pipeline;
  hooks_ = &hooks;
  // Both belong to the caller: forgotten when this run ends, thrown out of or not.
  const std::unique_ptr<LiveSource, void (*)(LiveSource*)> forget(this, [](LiveSource* self) {
    self->pipeline_ = nullptr;
    self->hooks_ = nullptr;
  });
  for (auto& e : std::exchange(early_, {}))
    handle(std::move(e));
  notify_("tracing TCP connections; Ctrl-C to stop");
  while (!stop_requested()) {
    tracer_->poll(kPollTimeout);
    const auto now = monotonic_now_ns();
    pipeline.tick(now);
    ask_about_time_waits(pipeline, now);
    report_losses(hooks);
    if (recording_)
      recording_->flush();
    if (!hooks.after_batch(now))
      break;
  }
  tracer_->detach();
  tracer_->drain();
  pipeline.finish();
  recovered_ = pipeline.recovered();
  report_losses(hooks);
  if (recording_)
    recording_->flush();
  hooks.after_batch(monotonic_now_ns());
}

void LiveSource::confirm_time_waits() {
  if (ids_are_socket_cookies())
    time_wait_lookup_ = std::make_unique<NamespacedSocketLookup>(notify_);
}

void LiveSource::ask_about_time_waits(EventPipeline& pipeline, std::uint64_t now_ns) {
  if (!time_wait_lookup_)
    return;
  const auto handed_over = pipeline.time_waits_to_confirm(now_ns);
  if (!handed_over.empty())
    time_waits_confirmed_ +=
        pipeline.take_time_wait_answer(time_wait_lookup_->look_up(handed_over));
}

void LiveSource::seed_listener_owners(const std::vector<OpenSocket>& listeners) {
  for (const auto& listener : listeners)
    if (listener.owner)
      tracer_->seed_listener_owner(listener.row.id.netns, listener.row.id.local_port,
                                   listener.row.id.sock_id, *listener.owner);
}

std::string LiveSource::summary() const {
  const auto stats = tracer_->stats();
  auto text = fmt::format("{} filtered in the kernel, {} lost, {}", stats.filtered, stats.lost,
                          recovery(stats.lost, recovered_));
  if (stats.malformed > 0)
    text += fmt::format(", {} malformed", stats.malformed);
  if (time_wait_lookup_)
    text += fmt::format(", {} TIME_WAITs of remote peers confirmed", time_waits_confirmed_);
  return text;
}

void LiveSource::handle(Event e) {
  if (!pipeline_) {
    early_.push_back(std::move(e));
    return;
  }
  if (hooks_->arrived)
    hooks_->arrived(e);
  pipeline_->push(std::move(e));
}

void LiveSource::report_losses(const EventLoopHooks& hooks) {
  const auto lost = tracer_->stats().lost;
  if (lost <= reported_lost_)
    return;
  const auto count = lost - reported_lost_;
  reported_lost_ = lost;
  if (recording_)
    recording_->lost_events(count);
  hooks.lost(count);
}

std::unique_ptr<EventSource> EventSource::open(const EventSourceOptions& options) {
  if (!options.read_path.empty())
    return std::make_unique<ReplaySource>(options);
  auto live = std::make_unique<LiveSource>(
      TracerOptions{.ring_buffer_bytes = options.ring_buffer_bytes,
                    .filter = options.filter,
                    .libbpf_diagnostics = options.verbose,
                    .reset_events = options.reset_events || !options.write_path.empty(),
                    .drop_events = options.drop_events,
                    .retransmit_events = options.retransmit_events,
                    .connection_records = options.connection_records &&
                                          options.write_path.empty() &&
                                          options.filter.states.empty()},
      options.write_path);
  if (options.confirm_time_waits)
    live->confirm_time_waits();
  return live;
}

} // namespace tcpsight
