#include "commands.hpp"

#include "connection_tracking.hpp"
#include "event_source.hpp"
#include "tcpsight/model/error.hpp"
#include "tcpsight/session/lifecycle_tracker.hpp"
#include "tcpsight/views/chunked_writer.hpp"
#include "tcpsight/views/life_view.hpp"

#include <cerrno>
#include <fmt/core.h>

namespace tcpsight::cli {

int run_life(const LifeOptions& options) {
  auto source = EventSource::open(options.source);
  const auto clock = source->wall_clock();
  ChunkedWriter out(stdout);
  bool output_closed = false;
  std::uint64_t shown = 0;
  LifecycleTracker tracker([&](const ConnectionRecord& record) {
    if (output_closed || !options.records.matches(record))
      return;
    const auto shown_record = on_wall_clock(record, clock);
    if (options.json)
      append_life_json(out.text(), shown_record);
    else
      append_life_row(out.text(), shown_record);
    ++shown;
  });
  ConnectionTracking tracking(*source, tracker);
  if (!options.json)
    out.text() += life_header();

  EventPipeline pipeline(options.source.filter, tracker);
  const auto flush = [&] {
    try {
      out.flush();
    } catch (const Error&) {
      if (errno != EPIPE)
        throw;
      output_closed = true; // a reader that went away (`| head`) ends it quietly
    }
    return !output_closed;
  };
  source->run(pipeline, {.lost = report_lost_events, .after_batch = [&](std::uint64_t now) {
                           tracking.after_batch(now);
                           return flush();
                         }});
  flush();
  const auto stats = tracker.stats();
  fmt::print(stderr,
             "tcpsight: {} connections shown, {} still open, {} dropped as their close was "
             "lost; events: {}\n",
             shown, stats.open, stats.expired, source->summary());
  return 0;
}

} // namespace tcpsight::cli
