#include "arguments.hpp"
#include "subcommand.hpp"

#include "tcpsight/model/clock.hpp"
#include "tcpsight/model/error.hpp"
#include "tcpsight/session/capabilities.hpp"
#include "tcpsight/session/event_source.hpp"
#include "tcpsight/session/snapshot_sync.hpp"
#include "tcpsight/session/stop_signals.hpp"
#include "tcpsight/views/top_controls.hpp"
#include "tcpsight/views/top_model.hpp"
#include "top_screen.hpp"

#include <unistd.h>

#include <chrono>
#include <csignal>
#include <thread>
#include <vector>

namespace tcpsight::cli {
namespace {

struct TopOptions {
  EventSourceOptions source;
  std::string filter; // ls's filter language, as typed with '/'
};

// At most ten frames a second, however many events come: drawing stays
// off the path of the events.
constexpr std::uint64_t kFrameNs = 100'000'000;
constexpr int kMaxKeysPerBatch = 4096;
// The RTT_MS and RETRANS columns of open rows come from snapshots: one
// every two seconds, as a table refreshed by eye needs.
constexpr ReconcilePolicy kTopSnapshots{.every_ns = 2'000'000'000, .quiet_ns = 5'000'000'000};

int run_top(const TopOptions& options) {
  if (!isatty(STDOUT_FILENO) || !isatty(STDIN_FILENO))
    throw Error("tcpsight top needs a terminal, and this is not one: for a listing again every "
                "second use `tcpsight ls -c`, for a stream of events `tcpsight trace`");
  TopControls controls;
  if (!options.filter.empty())
    controls.set_filter(options.filter);
  auto source = EventSource::open(options.source);
  TopModel model;
  SnapshotSync sync(*source, model, monotonic_now_ns(),
                    {.take = [](bool with_owners) { return open_tcp_sockets(with_owners, true); },
                     .policy = kTopSnapshots});
  EventPipeline pipeline(options.source.filter, model);
  keep_only_capabilities_after_setup(*source);

  TopScreen screen;
  std::uint64_t last_frame = 0;
  // Between batches of events: keys, timers, reconciling, and a frame when one is due.
  const auto interact = [&](std::uint64_t now) {
    model.tick(now);
    sync.after_batch(now);
    bool redraw = false;
    // A paste may bring keys faster than they are handled: at most a batch
    // at a time, so that events, frames and signals still get their turn.
    for (int handled = 0; handled < kMaxKeysPerBatch && !stop_requested(); ++handled) {
      const int key = screen.read_key();
      if (key == kNoKey)
        break;
      if (key == kResized) {
        redraw = true;
        continue;
      }
      const auto action = controls.handle(key);
      if (action == TopControls::Action::Quit)
        return false;
      redraw = redraw || action == TopControls::Action::Redraw;
    }
    controls.keys_done();
    // Paused, only keys redraw (to say so); otherwise at most every frame.
    if (redraw || (!controls.paused() && now >= last_frame + kFrameNs)) {
      screen.draw(model, controls, now);
      last_frame = now;
    }
    return true;
  };
  bool quit = false;
  std::uint64_t events_clock = 0;
  install_stop_signals();
  // Signals whose default would end top at once, the terminal left raw.
  also_stop_on({SIGUSR1, SIGUSR2, SIGALRM});
  source->run(pipeline, {.lost = [&](std::uint64_t count) { model.lost_events(count); },
                         .after_batch =
                             [&](std::uint64_t now) {
                               events_clock = now;
                               quit = !interact(now);
                               return !quit;
                             }});
  // A replay has ended: the screen stays, its clock running on, until q.
  const auto replay_ended = monotonic_now_ns();
  while (!quit && !source->live() && !stop_requested()) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    quit = !interact(events_clock + (monotonic_now_ns() - replay_ended));
  }
  return 0;
}

class TopSubcommand : public Subcommand {
public:
  explicit TopSubcommand(CLI::App& parent)
      : Subcommand(parent.add_subcommand(
            "top", "A live table of every TCP connection, highlighting what opens, changes and "
                   "closes")) {
    auto& app = *parent.get_subcommand("top");
    add_source_options(app, options_.source);
    app.add_option("filter", words_, "A filter to start with, as ls takes it (sport = :443 ...)");
  }
  void finish_parsing() override {
    for (const auto& word : words_) // one quoted argument or many words, as typed
      options_.filter += (options_.filter.empty() ? "" : " ") + word;
    TopControls().set_filter(options_.filter); // a usage error now rather than on the screen
  }
  int run() override { return run_top(options_); }

private:
  TopOptions options_;
  std::vector<std::string> words_;
};

} // namespace

std::unique_ptr<Subcommand> add_top_command(CLI::App& app) {
  return std::make_unique<TopSubcommand>(app);
}

} // namespace tcpsight::cli
