#include "arguments.hpp"
#include "subcommand.hpp"

#include "tcpsight/model/clock.hpp"
#include "tcpsight/model/connection_histograms.hpp"
#include "tcpsight/model/error.hpp"
#include "tcpsight/session/capabilities.hpp"
#include "tcpsight/session/cgroup_names.hpp"
#include "tcpsight/session/event_source.hpp"
#include "tcpsight/session/lifecycle_tracker.hpp"
#include "tcpsight/session/snapshot_sync.hpp"
#include "tcpsight/session/stop_signals.hpp"
#include "tcpsight/views/histogram_view.hpp"
#include "tcpsight/views/life_view.hpp"
#include "tcpsight/views/output_writer.hpp"

#include <fmt/core.h>

namespace tcpsight::cli {
namespace {

struct LifeOptions {
  bool json = false;
  bool histograms = false;
  bool cgroup_column = false;
  EventSourceOptions source; // ports filtered in the kernel; --read, --write
  RecordFilter records;      // duration, outcome, port, pid, comm
};

int run_life(const LifeOptions& options) {
  auto source_options = options.source;
  source_options.reset_events = false; // records need the transitions' reset flags only
  source_options.connection_records = true;
  auto source = EventSource::open(source_options);
  const auto clock = source->wall_clock();
  CgroupNames cgroups(*source);
  OutputWriter out;
  HistogramsByRemote histograms;
  LifecycleTracker tracker([&](const ConnectionRecord& record) {
    if (!out.open() || !options.records.matches(record))
      return;
    if (options.histograms) {
      histograms.add(record, record.duration_ns());
      return;
    }
    const auto shown_record = on_wall_clock(record, clock);
    const auto cgroup = cgroups.of(record.owner);
    if (options.json)
      append_life_json(out.text(), shown_record, cgroup);
    else if (options.cgroup_column)
      append_life_row(out.text(), shown_record, cgroup);
    else
      append_life_row(out.text(), shown_record);
    out.written();
  });
  TrackerSnapshotTarget target(tracker);
  SnapshotSync sync(*source, target, monotonic_now_ns(), {.filter = options.source.filter});
  if (!options.json && !options.histograms)
    out.text() += life_header(options.cgroup_column);

  EventPipeline pipeline(options.source.filter, tracker);
  keep_only_capabilities_after_setup(*source);
  install_stop_signals();
  source->run(pipeline, {.lost = report_lost_events, .after_batch = [&](std::uint64_t now) {
                           sync.after_batch(now);
                           return out.flush();
                         }});
  if (options.histograms) {
    append_connection_histograms(out.text(), histograms, kChartedRemotes);
    out.written(histograms.all().connections); // shown in the charts
  }
  out.flush();
  const auto stats = tracker.stats();
  fmt::print(stderr,
             "tcpsight: {}, {} still open, {} dropped as their close was lost; events: {}\n",
             shown_summary(out, "connections"), stats.open, stats.expired, source->summary());
  report_unclaimed_drops(pipeline.drops_unclaimed());
  out.finish();
  return 0;
}

class LifeSubcommand : public Subcommand {
public:
  explicit LifeSubcommand(CLI::App& parent)
      : Subcommand(parent.add_subcommand("life", "One line per finished connection: owner, "
                                                 "bytes, duration, handshake, outcome, path")) {
    auto& app = *parent.get_subcommand("life");
    auto* json = app.add_flag("--json", options_.json, "One JSON object per connection");
    add_cgroup_column_flag(app, options_.cgroup_column);
    app.add_flag("--hist", options_.histograms,
                 "Instead of a line per connection, log2 histograms of handshake, duration and "
                 "round trip at exit, for all and for the busiest remote endpoints")
        ->excludes(json)
        ->excludes("--show-cgroup");
    records_.add_to(app);
    add_source_options(app, options_.source);
  }
  void finish_parsing() override {
    options_.records = records_.to_filter();
    options_.source.filter.ports = options_.records.ports; // in the kernel too
  }
  int run() override { return run_life(options_); }

private:
  LifeOptions options_;
  RecordFilterArguments records_;
};

} // namespace

std::unique_ptr<Subcommand> add_life_command(CLI::App& app) {
  return std::make_unique<LifeSubcommand>(app);
}

} // namespace tcpsight::cli
