#include "arguments.hpp"
#include "subcommand.hpp"

#include "tcpsight/history/connection_recorder.hpp"
#include "tcpsight/history/history_writer.hpp"
#include "tcpsight/model/clock.hpp"
#include "tcpsight/model/time_spec.hpp"
#include "tcpsight/session/capabilities.hpp"
#include "tcpsight/session/event_source.hpp"
#include "tcpsight/session/lifecycle_tracker.hpp"
#include "tcpsight/session/snapshot_sync.hpp"
#include "tcpsight/session/stop_signals.hpp"

#include <fmt/core.h>

namespace tcpsight::cli {
namespace {

struct RecordOptions {
  std::string db_path; // empty: default_history_path()
  bool transitions = false;
  std::optional<std::uint64_t> retain_ns = std::uint64_t{7} * 86400 * 1'000'000'000;
  std::optional<std::uint64_t> max_bytes = std::uint64_t{1} << 30;
  EventSourceOptions source;
};

int run_record(const RecordOptions& options) {
  auto source_options = options.source;
  source_options.reset_events = false; // records and transitions need the reset flags only
  source_options.connection_records = !options.transitions; // transitions as they happen
  source_options.confirm_time_waits = options.transitions;
  auto source = EventSource::open(source_options); // privileges first: no file for nothing
  const auto path = options.db_path.empty() ? default_history_path() : options.db_path;
  HistoryWriter writer(std::make_unique<HistoryStore>(path, HistoryStore::Mode::ReadWrite),
                       {.max_age_ns = options.retain_ns, .max_bytes = options.max_bytes});
  fmt::print(stderr, "tcpsight: recording connections{} into {}\n",
             options.transitions ? " and transitions" : "", path);

  ConnectionRecorder sink(writer, source->wall_clock(), options.transitions);
  TrackerSnapshotTarget target(sink.tracker());
  SnapshotSync sync(*source, target, monotonic_now_ns(), {.filter = options.source.filter});
  EventPipeline pipeline(options.source.filter, sink);
  keep_only_capabilities_after_setup(*source);
  writer.start(); // its thread without them
  install_stop_signals();
  source->run(pipeline, {.lost = report_lost_events, .after_batch = [&](std::uint64_t now) {
                           sync.after_batch(now);
                           writer.check(); // a failed write stops recording
                           return true;
                         }});
  writer.flush();
  const auto written = writer.stats();
  const auto tracked = sink.tracker().stats();
  fmt::print(stderr,
             "tcpsight: {} connections and {} transitions recorded into {}, {} still open, {} "
             "dropped as their close was lost, {} not written as the disk fell behind, {} "
             "deleted by retention; events: {}\n",
             written.connections_written, written.transitions_written, path, tracked.open,
             tracked.expired, written.rows_dropped, written.connections_deleted, source->summary());
  report_unclaimed_drops(pipeline.drops_unclaimed());
  return 0;
}

class RecordSubcommand : public Subcommand {
public:
  explicit RecordSubcommand(CLI::App& parent)
      : Subcommand(parent.add_subcommand(
            "record", "Record finished connections (and transitions) into a history database")) {
    auto& app = *parent.get_subcommand("record");
    app.add_option("--db", options_.db_path,
                   "Database file (default: /var/lib/tcpsight/history.db as root, else "
                   "$XDG_STATE_HOME/tcpsight/history.db)")
        ->check(kNotEmpty)
        ->type_name("FILE");
    app.add_flag("--transitions", options_.transitions, "Also record every transition");
    app.add_option("--retain", retain_, "Delete connections older than this ('0': keep all)")
        ->check(parsed_by(
            [](const std::string& t) {
              if (t != "0")
                parse_duration(t);
            },
            "AGE"))
        ->capture_default_str();
    app.add_option("--max-size", max_size_, "Delete the oldest beyond this size ('0': no limit)")
        ->check(parsed_by(
            [](const std::string& t) {
              if (t != "0")
                parse_size(t);
            },
            "SIZE"))
        ->capture_default_str();
    app.add_option("--port", ports_, "Only connections on these ports (repeat or comma-separate)")
        ->delimiter(',');
    add_source_options(app, options_.source);
  }
  void finish_parsing() override {
    for (const auto& port : ports_)
      options_.source.filter.ports.push_back(parse_port(port));
    // Any zero ("0", "0s", "0d") keeps everything, rather than deleting it all.
    const auto age = retain_ == "0" ? 0 : parse_duration(retain_);
    options_.retain_ns = age == 0 ? std::nullopt : std::optional(age);
    options_.max_bytes = max_size_ == "0" ? std::nullopt : std::optional(parse_size(max_size_));
  }
  int run() override { return run_record(options_); }

private:
  RecordOptions options_;
  std::vector<std::string> ports_;
  std::string retain_ = "7d", max_size_ = "1G";
};

} // namespace

std::unique_ptr<Subcommand> add_record_command(CLI::App& app) {
  return std::make_unique<RecordSubcommand>(app);
}

} // namespace tcpsight::cli
