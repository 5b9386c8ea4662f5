#include "arguments.hpp"
#include "subcommand.hpp"

#include "tcpsight/metrics/connection_metrics.hpp"
#include "tcpsight/metrics/metrics_server.hpp"
#include "tcpsight/metrics/metrics_snapshot_target.hpp"
#include "tcpsight/model/clock.hpp"
#include "tcpsight/session/capabilities.hpp"
#include "tcpsight/session/cgroup_names.hpp"
#include "tcpsight/session/event_source.hpp"
#include "tcpsight/session/snapshot_sync.hpp"
#include "tcpsight/session/stop_signals.hpp"

#include <linux/capability.h>

#include <fmt/core.h>
#include <memory>
#include <prometheus/registry.h>

namespace tcpsight::cli {
namespace {

// How often the gauges and tcpsight's own counters are brought up to date.
constexpr std::uint64_t kUpdateEveryNs = 1'000'000'000;

struct ExportOptions {
  ListenAddress listen = parse_listen_address(kDefaultListenAddress);
  MetricsSettings metrics;
  EventSourceOptions source; // filters in the kernel, ring buffer, -v
};

SelfCounts self_counts(LiveSource& source, const EventPipeline& pipeline,
                       const LifecycleTracker& tracker) {
  const auto events = source.tracer().stats();
  const auto tracked = tracker.stats();
  return {.received = events.delivered,
          .filtered = events.filtered,
          .lost = events.lost,
          .recovered = pipeline.recovered(),
          .expired = tracked.expired,
          .untracked = tracked.untracked};
}

int run_export(const ExportOptions& options) {
  check_listen_address(options.listen); // a port in use says so before the BPF load
  auto source_options = options.source;
  source_options.reset_events = false;             // the transitions' reset flags are enough
  source_options.connection_records = false;       // connections counted as they open
  auto source = EventSource::open(source_options); // privileges first
  auto& live = dynamic_cast<LiveSource&>(*source);

  auto registry = std::make_shared<prometheus::Registry>();
  CgroupNames cgroups(*source);
  ConnectionMetrics metrics(*registry, options.metrics, cgroups.lookup(), TCPSIGHT_VERSION);
  MetricsSnapshotTarget target(metrics.tracker());
  SnapshotSync sync(*source, target, monotonic_now_ns(), {.filter = options.source.filter});
  EventPipeline pipeline(options.source.filter, metrics);
  const auto update = [&] {
    metrics.update_sockets(target.listeners());
    metrics.update_self(self_counts(live, pipeline, metrics.tracker()));
  };
  update();

  // Attached and seeded; the server's threads start without capabilities,
  // but for a port below 1024.
  if (options.listen.port != 0 && options.listen.port < 1024)
    keep_only_capabilities({CAP_NET_BIND_SERVICE});
  else
    keep_only_capabilities({});
  MetricsServer server(options.listen, registry);
  fmt::print(stderr, "tcpsight: serving metrics on http://{}/metrics\n", server.address());
  std::fflush(stderr);

  install_stop_signals();
  std::uint64_t last_update = monotonic_now_ns();
  source->run(pipeline, {.lost = report_lost_events, .after_batch = [&](std::uint64_t now) {
                           sync.after_batch(now);
                           if (now >= last_update + kUpdateEveryNs) {
                             update();
                             last_update = now;
                           }
                           return true;
                         }});
  const auto tracked = metrics.tracker().stats();
  fmt::print(stderr,
             "tcpsight: {} connections counted, {} still open, {} dropped as their close was "
             "lost, {} label sets; events: {}\n",
             tracked.finished, tracked.open, tracked.expired, metrics.label_sets(),
             source->summary());
  return 0;
}

class ExportSubcommand : public Subcommand {
public:
  explicit ExportSubcommand(CLI::App& parent)
      : Subcommand(parent.add_subcommand(
            "export", "Serve connection metrics to Prometheus (text format at /metrics)")) {
    auto& app = *parent.get_subcommand("export");
    app.add_option("--listen", listen_, "Address and port to serve /metrics on")
        ->check(parsed_by([](const std::string& t) { parse_listen_address(t); }, "ADDR:PORT"))
        ->capture_default_str();
    app.add_option("--max-series", options_.metrics.max_series,
                   "Label sets with series of their own; later ones are counted as \"other\"")
        ->check(kCount)
        ->capture_default_str();
    app.add_option("--labels", labels_, "Labels to keep, comma-separated (default: all of them)")
        ->check(parsed_by([](const std::string& t) { parse_label_choice(t); }, "LIST"))
        ->capture_default_str();
    filter_.add_to(app);
    // Connections are counted whole: a state filter would leave them half-seen.
    app.remove_option(app.get_option("--state"));
    add_live_source_options(app, options_.source);
  }
  void finish_parsing() override {
    options_.listen = parse_listen_address(listen_);
    options_.metrics.labels = parse_label_choice(labels_);
    options_.source.filter = filter_.to_filter();
  }
  int run() override { return run_export(options_); }

private:
  ExportOptions options_;
  std::string listen_{kDefaultListenAddress};
  std::string labels_ = all_label_names();
  FilterArguments filter_;
};

} // namespace

std::unique_ptr<Subcommand> add_export_command(CLI::App& app) {
  return std::make_unique<ExportSubcommand>(app);
}

} // namespace tcpsight::cli
