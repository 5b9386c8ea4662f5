#include "arguments.hpp"
#include "subcommand.hpp"

#include "tcpsight/pipeline/event_pipeline.hpp"
#include "tcpsight/session/capabilities.hpp"
#include "tcpsight/session/cgroup_names.hpp"
#include "tcpsight/session/event_source.hpp"
#include "tcpsight/session/stop_signals.hpp"
#include "tcpsight/views/output.hpp"
#include "tcpsight/views/output_writer.hpp"

#include <fmt/core.h>

namespace tcpsight::cli {
namespace {

struct TraceOptions {
  bool json = false;
  bool explain = false;
  EventSourceOptions source; // filter, ring buffer, --read, --write
};

int run_trace(TraceOptions options) {
  options.source.confirm_time_waits = true; // transitions are what trace shows
  auto source = EventSource::open(options.source);
  CgroupNames cgroups(*source);
  OutputWriter out;
  auto output = make_output({.format = options.json ? OutputFormat::Json : OutputFormat::Text,
                             .explain = options.explain,
                             .cgroups = cgroups.lookup()},
                            out, source->wall_clock());
  EventPipeline pipeline(options.source.filter, *output);
  keep_only_capabilities_after_setup(*source);

  out.flush();
  install_stop_signals();
  source->run(pipeline, {.lost =
                             [&](std::uint64_t count) {
                               report_lost_events(count);
                               output->lost_events(count);
                             },
                         .after_batch = [&](std::uint64_t) { return out.flush(); }});
  out.flush();
  fmt::print(stderr, "tcpsight: {}, {}\n", shown_summary(out, "events"), source->summary());
  report_unclaimed_drops(pipeline.drops_unclaimed());
  out.finish();
  return 0;
}

class TraceSubcommand : public Subcommand {
public:
  explicit TraceSubcommand(CLI::App& parent)
      : Subcommand(parent.add_subcommand(
            "trace", "Stream every TCP state transition, reset and handshake retransmission")) {
    auto& app = *parent.get_subcommand("trace");
    app.add_flag("--json", options_.json, "One JSON object per line");
    app.add_flag("--explain", options_.explain, "Say what each event means in TCP terms");
    app.add_flag("--retransmits", options_.source.retransmit_events,
                 "Also every segment sent again past the handshake (one event each)");
    filter_.add_to(app);
    add_source_options(app, options_.source);
  }
  void finish_parsing() override { options_.source.filter = filter_.to_filter(); }
  int run() override { return run_trace(options_); }

private:
  TraceOptions options_;
  FilterArguments filter_;
};

} // namespace

std::unique_ptr<Subcommand> add_trace_command(CLI::App& app) {
  return std::make_unique<TraceSubcommand>(app);
}

} // namespace tcpsight::cli
