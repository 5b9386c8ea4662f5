#include "commands.hpp"

#include "tcpsight/clock.hpp"
#include "tcpsight/output.hpp"
#include "tcpsight/preflight.hpp"
#include "tcpsight/tracer.hpp"

#include <csignal>
#include <fmt/core.h>
#include <iostream>

namespace tcpsight::cli {
namespace {

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

} // namespace

int run_trace(const TraceOptions& options) {
  check_can_trace();
  std::ios::sync_with_stdio(false);

  auto output = make_output(options.json ? OutputFormat::Json : OutputFormat::Text, std::cout,
                            WallClock::measure());
  Tracer tracer(
      {.ring_buffer_bytes = options.ring_buffer_bytes, .libbpf_diagnostics = options.verbose},
      [&](const Transition& t) { output->transition(t); });
  install_signal_handlers();
  fmt::print(stderr, "tcpsight: tracing TCP state transitions; Ctrl-C to stop\n");

  LossReporter losses;
  bool stdout_open = output->flush();
  while (!stop_requested && stdout_open) {
    tracer.poll(std::chrono::milliseconds(100));
    losses.report(tracer.stats(), *output);
    stdout_open = output->flush();
  }

  tracer.detach();
  tracer.drain();
  const auto stats = tracer.stats();
  losses.report(stats, *output);
  output->flush();
  fmt::print(stderr, "tcpsight: {} transitions traced, {} lost", stats.transitions, stats.lost);
  if (stats.malformed > 0)
    fmt::print(stderr, ", {} malformed", stats.malformed);
  fmt::print(stderr, "\n");
  return 0;
}

} // namespace tcpsight::cli
