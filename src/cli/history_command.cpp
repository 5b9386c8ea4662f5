#include "arguments.hpp"
#include "subcommand.hpp"

#include "tcpsight/history/history_store.hpp"
#include "tcpsight/model/clock.hpp"
#include "tcpsight/model/connection_histograms.hpp"
#include "tcpsight/model/time_spec.hpp"
#include "tcpsight/views/histogram_view.hpp"
#include "tcpsight/views/history_view.hpp"
#include "tcpsight/views/life_view.hpp"
#include "tcpsight/views/output_writer.hpp"

namespace tcpsight::cli {
namespace {

struct HistoryOptions {
  std::string db_path; // empty: default_history_path()
  std::optional<std::string> since, until;
  std::optional<std::string> address;
  RecordFilter records;
  std::size_t limit = 0;
  bool json = false;
  bool summary = false;
  bool histograms = false;
};
constexpr std::size_t kTopRemotes = 20;

HistoryStore::Query query_of(const HistoryOptions& options) {
  const auto now = realtime_now_ns();
  HistoryStore::Query query{.records = options.records, .limit = options.limit};
  if (options.address)
    query.address = history_address(*options.address);
  if (options.since)
    query.since = WallTime{parse_time(*options.since, now)};
  if (options.until)
    query.until = WallTime{parse_time(*options.until, now)};
  return query;
}

void append_summary(std::string& out, HistoryStore& store, const HistoryStore::Query& query,
                    bool json) {
  const auto outcomes = store.count_by_outcome(query);
  const auto remotes = store.count_by_remote(query, kTopRemotes);
  if (json)
    append_history_summary_json(out, outcomes, remotes);
  else
    append_history_summary(out, outcomes, remotes);
}

int run_history(const HistoryOptions& options) {
  const auto path = options.db_path.empty() ? default_history_path() : options.db_path;
  const auto query = query_of(options);
  HistoryStore store(path, HistoryStore::Mode::ReadOnly);
  OutputWriter out;
  if (options.summary) {
    append_summary(out.text(), store, query, options.json);
    out.finish();
    return 0;
  }
  if (options.histograms) {
    // The busiest endpoints as --summary finds them, then their charts.
    std::vector<RemoteEndpoint> busiest;
    for (const auto& count : store.count_by_remote(query, kChartedRemotes))
      busiest.push_back({.address = count.key, .port = count.port});
    HistogramsByRemote histograms(busiest);
    store.connections(query, [&](const WallConnectionRecord& record) {
      histograms.add(record, record.duration_ns());
    });
    append_connection_histograms(out.text(), histograms, kChartedRemotes);
    out.finish();
    return 0;
  }
  if (!options.json)
    out.text() += life_header();
  store.connections(query, [&](const WallConnectionRecord& record) {
    if (!out.open())
      return;
    if (options.json)
      append_life_json(out.text(), record);
    else
      append_life_row(out.text(), record);
    out.written();
  });
  out.finish();
  return 0;
}

class HistorySubcommand : public Subcommand {
public:
  explicit HistorySubcommand(CLI::App& parent)
      : Subcommand(
            parent.add_subcommand("history", "Query the connections `tcpsight record` kept")) {
    auto& app = *parent.get_subcommand("history");
    app.add_option("--db", options_.db_path, "Database file (as for record)")
        ->check(kNotEmpty)
        ->type_name("FILE");
    app.add_option("--since", options_.since,
                   "Ended at or after: an age (1h, 30m, 7d), a local time (2026-11-24 13:45) "
                   "or @epoch-seconds")
        ->check(parsed_by([](const std::string& t) { parse_time(t, 0); }, "TIME"));
    app.add_option("--until", options_.until, "Ended at or before (as --since)")
        ->check(parsed_by([](const std::string& t) { parse_time(t, 0); }, "TIME"));
    app.add_option("--addr", options_.address,
                   "Local or remote address or network: 10.0.0.7, 10.0.0.0/8")
        ->check(parsed_by([](const std::string& t) { history_address(t); }, "ADDRESS"));
    records_.add_to(app);
    app.add_option("--limit", options_.limit, "Only the latest N")->check(kCount);
    app.add_flag("--json", options_.json, "One JSON object per connection");
    auto* summary = app.add_flag("--summary", options_.summary,
                                 "Counts per outcome and per remote endpoint instead");
    app.add_flag("--hist", options_.histograms,
                 "Log2 histograms of handshake, duration and round trip instead, for all and "
                 "for the busiest remote endpoints")
        ->excludes(summary)
        ->excludes("--json")
        ->excludes("--limit");
  }
  void finish_parsing() override { options_.records = records_.to_filter(); }
  int run() override { return run_history(options_); }

private:
  HistoryOptions options_;
  RecordFilterArguments records_;
};

} // namespace

std::unique_ptr<Subcommand> add_history_command(CLI::App& app) {
  return std::make_unique<HistorySubcommand>(app);
}

} // namespace tcpsight::cli
