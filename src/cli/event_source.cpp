#include "event_source.hpp"

#include "tcpsight/kernel/event_file.hpp"
#include "tcpsight/kernel/preflight.hpp"
#include "tcpsight/model/error.hpp"

#include <chrono>
#include <csignal>
#include <exception>
#include <fmt/format.h>
#include <optional>

namespace tcpsight::cli {
namespace {

using namespace std::chrono_literals;

// Wait at most this long for the kernel to wake us: it does so only once
// enough events pile up, to save a wakeup per event.
constexpr auto kPollTimeout = 50ms;
// Replaying, held events are let out as the recording's clock moves this far.
constexpr std::uint64_t kReplayTickNs = 50'000'000;

volatile std::sig_atomic_t stop_requested = 0;

void request_stop(int) { stop_requested = 1; }

// SIGINT and SIGTERM end the poll wait (no SA_RESTART) and the loop.
// SIGPIPE is ignored so a closed stdout shows up as a write error instead.
void install_signal_handlers() {
  struct sigaction action {};
  action.sa_handler = request_stop;
  sigemptyset(&action.sa_mask);
  sigaction(SIGINT, &action, nullptr);
  sigaction(SIGTERM, &action, nullptr);
  std::signal(SIGPIPE, SIG_IGN);
}

class LiveSource : public EventSource {
public:
  explicit LiveSource(const EventSourceOptions& options) : clock_(WallClock::measure()) {
    check_can_trace();
    if (!options.write_path.empty())
      recording_.emplace(options.write_path, clock_);
    tracer_ = std::make_unique<Tracer>(TracerOptions{.ring_buffer_bytes = options.ring_buffer_bytes,
                                                     .filter = options.filter,
                                                     .libbpf_diagnostics = options.verbose},
                                       [this](Event e) { handle(std::move(e)); });
    for (const auto& notice : tracer_->notices())
      fmt::print(stderr, "tcpsight: {}\n", notice);
  }

  WallClock wall_clock() const override { return clock_; }
  bool live() const override { return true; }
  bool ids_are_socket_cookies() const override { return tracer_->ids_are_socket_cookies(); }

  void run(EventPipeline& pipeline, const EventLoopHooks& hooks) override {
    pipeline_ = &pipeline;
    install_signal_handlers();
    fmt::print(stderr, "tcpsight: tracing TCP connections; Ctrl-C to stop\n");
    while (!stop_requested) {
      tracer_->poll(kPollTimeout);
      const auto now = monotonic_now_ns();
      pipeline.tick(now);
      report_losses(hooks);
      if (recording_)
        recording_->flush();
      if (!hooks.after_batch(now))
        break;
    }
    tracer_->detach();
    tracer_->drain();
    pipeline.finish();
    report_losses(hooks);
    if (recording_)
      recording_->flush();
    hooks.after_batch(monotonic_now_ns());
  }

  std::string summary() const override {
    const auto stats = tracer_->stats();
    auto text = fmt::format("{} filtered in the kernel, {} lost", stats.filtered, stats.lost);
    if (stats.malformed > 0)
      text += fmt::format(", {} malformed", stats.malformed);
    return text;
  }

private:
  void handle(Event e) {
    if (recording_)
      recording_->event(e);
    pipeline_->push(std::move(e));
  }

  void report_losses(const EventLoopHooks& hooks) {
    const auto lost = tracer_->stats().lost;
    if (lost <= reported_lost_)
      return;
    const auto count = lost - reported_lost_;
    reported_lost_ = lost;
    if (recording_)
      recording_->lost_events(count);
    hooks.lost(count);
  }

  WallClock clock_;
  std::optional<EventFileWriter> recording_;
  std::unique_ptr<Tracer> tracer_;
  EventPipeline* pipeline_ = nullptr;
  std::uint64_t reported_lost_ = 0;
};

class ReplaySource : public EventSource {
public:
  explicit ReplaySource(const EventSourceOptions& options)
      : path_(options.read_path), reader_(options.read_path) {}

  WallClock wall_clock() const override { return reader_.wall_clock(); }
  bool live() const override { return false; }
  bool ids_are_socket_cookies() const override { return false; }

  void run(EventPipeline& pipeline, const EventLoopHooks& hooks) override {
    install_signal_handlers();
    std::uint64_t last_tick = 0;
    bool stopped = false;
    // A cut-short recording still shows what it holds, then fails.
    std::exception_ptr failure;
    try {
      read_into(pipeline, hooks, last_tick, stopped);
    } catch (const Error&) {
      failure = std::current_exception();
    }
    pipeline.finish();
    hooks.after_batch(last_tick);
    if (failure)
      std::rethrow_exception(failure);
  }

  std::string summary() const override {
    return fmt::format("{} events replayed from {}, {} lost when it was recorded", events_, path_,
                       lost_);
  }

private:
  void read_into(EventPipeline& pipeline, const EventLoopHooks& hooks, std::uint64_t& last_tick,
                 bool& stopped) {
    reader_.read(
        [&](const Event& e) {
          if (stopped || stop_requested)
            return;
          ++events_;
          pipeline.push(e);
          if (e.ts_ns >= last_tick + kReplayTickNs) {
            pipeline.tick(e.ts_ns);
            stopped = !hooks.after_batch(e.ts_ns);
            last_tick = e.ts_ns;
          }
        },
        [&](std::uint64_t count) {
          lost_ += count;
          hooks.lost(count);
        });
  }

  std::string path_;
  EventFileReader reader_;
  std::uint64_t events_ = 0;
  std::uint64_t lost_ = 0;
};

} // namespace

void report_lost_events(std::uint64_t count) {
  fmt::print(stderr, "tcpsight: lost {} events: the ring buffer was full\n", count);
}

std::unique_ptr<EventSource> EventSource::open(const EventSourceOptions& options) {
  if (!options.read_path.empty())
    return std::make_unique<ReplaySource>(options);
  return std::make_unique<LiveSource>(options);
}

} // namespace tcpsight::cli
