#include "commands.hpp"

#include "tcpsight/clock.hpp"
#include "tcpsight/event_pipeline.hpp"
#include "tcpsight/output.hpp"
#include "tcpsight/preflight.hpp"
#include "tcpsight/tracer.hpp"

#include <cerrno>
#include <csignal>
#include <cstring>
#include <fmt/core.h>
#include <iostream>

namespace tcpsight::cli {
namespace {

using namespace std::chrono_literals;

// Wait at most this long for the kernel to wake us: it does so only once
// enough events pile up, to save a wakeup per event.
constexpr auto kPollTimeout = 50ms;
// Write out what is formatted before it grows past this.
constexpr std::size_t kMaxBuffered = 1 << 20;

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

// Reports records the kernel dropped since the last call, on stderr and in
// the output (JSON gets a lost_events record).
class LossReporter {
public:
  void report(const TracerStats& stats, Output& output) {
    if (stats.lost <= reported_)
      return;
    const auto count = stats.lost - reported_;
    reported_ = stats.lost;
    fmt::print(stderr, "tcpsight: lost {} events: the ring buffer was full\n", count);
    output.lost_events(count);
  }

private:
  std::uint64_t reported_ = 0;
};

// Flushes the output; remembers the first failure and its errno.
class OutputWriter {
public:
  explicit OutputWriter(Output& output) : output_(output) {}

  bool flush() {
    errno = 0;
    if (!failed_ && !output_.flush()) {
      failed_ = true;
      error_ = errno;
    }
    return !failed_;
  }
  // A reader that went away (`| head`) is not an error.
  bool failed_badly() const { return failed_ && error_ != EPIPE; }
  int error() const { return error_; }

private:
  Output& output_;
  bool failed_ = false;
  int error_ = 0;
};

void print_summary(const TracerStats& stats, std::uint64_t shown) {
  fmt::print(stderr, "tcpsight: {} events shown, {} filtered in the kernel, {} lost", shown,
             stats.filtered, stats.lost);
  if (stats.malformed > 0)
    fmt::print(stderr, ", {} malformed", stats.malformed);
  fmt::print(stderr, "\n");
}

} // namespace

int run_trace(const TraceOptions& options) {
  check_can_trace();
  std::ios::sync_with_stdio(false);

  auto output = make_output({.format = options.json ? OutputFormat::Json : OutputFormat::Text,
                             .explain = options.explain},
                            std::cout, WallClock::measure());
  OutputWriter writer(*output);
  EventPipeline pipeline(options.filter, *output);
  Tracer tracer({.ring_buffer_bytes = options.ring_buffer_bytes,
                 .filter = options.filter,
                 .libbpf_diagnostics = options.verbose},
                [&](Event e) {
                  pipeline.push(std::move(e));
                  if (output->buffered() > kMaxBuffered)
                    writer.flush();
                });
  install_signal_handlers();
  for (const auto& notice : tracer.notices())
    fmt::print(stderr, "tcpsight: {}\n", notice);
  fmt::print(stderr, "tcpsight: tracing TCP connections; Ctrl-C to stop\n");

  LossReporter losses;
  writer.flush();
  while (!stop_requested && writer.flush()) {
    tracer.poll(kPollTimeout);
    pipeline.tick(monotonic_now_ns());
    losses.report(tracer.stats(), *output);
  }

  tracer.detach();
  tracer.drain();
  pipeline.finish();
  const auto stats = tracer.stats();
  losses.report(stats, *output);
  writer.flush();
  print_summary(stats, pipeline.delivered());
  if (writer.failed_badly()) {
    fmt::print(stderr, "tcpsight: cannot write the output: {}\n", std::strerror(writer.error()));
    return 1;
  }
  return 0;
}

} // namespace tcpsight::cli
