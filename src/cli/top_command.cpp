#include "commands.hpp"

#include "connection_tracking.hpp"
#include "event_source.hpp"
#include "tcpsight/kernel/snapshot.hpp"
#include "tcpsight/model/clock.hpp"
#include "tcpsight/model/error.hpp"
#include "tcpsight/views/top_controls.hpp"
#include "tcpsight/views/top_model.hpp"
#include "top_screen.hpp"

#include <unistd.h>

#include <chrono>
#include <thread>
#include <vector>

namespace tcpsight::cli {
namespace {

// At most ten frames a second, however many events come: drawing stays
// off the path of the events.
constexpr std::uint64_t kFrameNs = 100'000'000;
// A periodic snapshot only reconciles what the events said.
constexpr std::uint64_t kReconcileEveryNs = 5'000'000'000;

std::vector<SocketRow> tcp_sockets() {
  std::vector<SocketRow> rows;
  for (auto& socket : open_tcp_sockets(/*with_owners=*/false))
    rows.push_back(std::move(socket.row));
  return rows;
}

} // namespace

int run_top(const TopOptions& options) {
  if (!isatty(STDOUT_FILENO) || !isatty(STDIN_FILENO))
    throw Error("tcpsight top needs a terminal, and this is not one: for a listing again every "
                "second use `tcpsight ls -c`, for a stream of events `tcpsight trace`");
  TopControls controls;
  if (!options.filter.empty())
    controls.set_filter(options.filter);
  auto source = EventSource::open(options.source);
  TopModel model;
  if (source->live()) {
    const auto now = monotonic_now_ns();
    for (const auto& [row, owner] : open_tcp_sockets(/*with_owners=*/true))
      model.seed(row, owner, now);
  }
  EventPipeline pipeline(options.source.filter, model);

  TopScreen screen;
  std::uint64_t last_frame = 0, last_reconcile = monotonic_now_ns();
  // Between batches of events: keys, timers, reconciling, and a frame when one is due.
  const auto interact = [&](std::uint64_t now) {
    model.tick(now);
    if (source->live() && now >= last_reconcile + kReconcileEveryNs) {
      model.reconcile(tcp_sockets(), current_netns(), now);
      last_reconcile = now;
    }
    bool redraw = false;
    for (int key = screen.read_key(); key != kNoKey; key = screen.read_key()) {
      if (key == kResized) {
        redraw = true;
        continue;
      }
      const auto action = controls.handle(key);
      if (action == TopControls::Action::Quit)
        return false;
      redraw = redraw || action == TopControls::Action::Redraw;
    }
    // Paused, only keys redraw (to say so); otherwise at most every frame.
    if (redraw || (!controls.paused() && now >= last_frame + kFrameNs)) {
      screen.draw(model, controls, now);
      last_frame = now;
    }
    return true;
  };
  bool quit = false;
  std::uint64_t events_clock = 0;
  source->run(pipeline, {.lost = [&](std::uint64_t count) { model.lost_events(count); },
                         .after_batch =
                             [&](std::uint64_t now) {
                               events_clock = now;
                               quit = !interact(now);
                               return !quit;
                             }});
  // A replay has ended: the screen stays, its clock running on, until q.
  const auto replay_ended = monotonic_now_ns();
  while (!quit && !source->live()) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    quit = !interact(events_clock + (monotonic_now_ns() - replay_ended));
  }
  return 0;
}

} // namespace tcpsight::cli
