#include "commands.hpp"

#include "event_source.hpp"
#include "tcpsight/pipeline/event_pipeline.hpp"
#include "tcpsight/views/output.hpp"
#include "tcpsight/views/output_writer.hpp"

#include <fmt/core.h>

namespace tcpsight::cli {

int run_trace(const TraceOptions& options) {
  auto source = EventSource::open(options.source);
  OutputWriter out;
  auto output = make_output({.format = options.json ? OutputFormat::Json : OutputFormat::Text,
                             .explain = options.explain},
                            out, source->wall_clock());
  EventPipeline pipeline(options.source.filter, *output);

  out.flush();
  source->run(pipeline, {.lost =
                             [&](std::uint64_t count) {
                               report_lost_events(count);
                               output->lost_events(count);
                             },
                         .after_batch = [&](std::uint64_t) { return out.flush(); }});
  out.flush();
  fmt::print(stderr, "tcpsight: {} events shown, {}\n", pipeline.delivered(), source->summary());
  out.finish();
  return 0;
}

} // namespace tcpsight::cli
