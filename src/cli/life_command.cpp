#include "commands.hpp"

#include "connection_tracking.hpp"
#include "event_source.hpp"
#include "tcpsight/session/lifecycle_tracker.hpp"
#include "tcpsight/views/life_view.hpp"
#include "tcpsight/views/output_writer.hpp"

#include <fmt/core.h>

namespace tcpsight::cli {

int run_life(const LifeOptions& options) {
  auto source = EventSource::open(options.source);
  const auto clock = source->wall_clock();
  OutputWriter out;
  std::uint64_t shown = 0;
  LifecycleTracker tracker([&](const ConnectionRecord& record) {
    if (!out.open() || !options.records.matches(record))
      return;
    if (options.json)
      append_life_json(out.text(), record, clock);
    else
      append_life_row(out.text(), record, clock);
    ++shown;
    out.written();
  });
  ConnectionTracking tracking(*source, tracker);
  if (!options.json)
    out.text() += life_header();

  EventPipeline pipeline(options.source.filter, tracker);
  source->run(pipeline, {.lost = report_lost_events, .after_batch = [&](std::uint64_t now) {
                           tracking.after_batch(now);
                           return out.flush();
                         }});
  out.flush();
  const auto stats = tracker.stats();
  fmt::print(stderr,
             "tcpsight: {} connections shown, {} still open, {} dropped as their close was "
             "lost; events: {}\n",
             shown, stats.open, stats.expired, source->summary());
  out.finish();
  return 0;
}

} // namespace tcpsight::cli
