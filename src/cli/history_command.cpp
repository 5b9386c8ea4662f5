#include "commands.hpp"

#include "tcpsight/history/history_store.hpp"
#include "tcpsight/model/clock.hpp"
#include "tcpsight/model/time_spec.hpp"
#include "tcpsight/views/history_view.hpp"
#include "tcpsight/views/life_view.hpp"
#include "tcpsight/views/output_writer.hpp"

namespace tcpsight::cli {
namespace {

// Stored times are wall-clock already.
const WallClock kStoredTimes{0};
constexpr std::size_t kTopRemotes = 20;

HistoryStore::Query query_of(const HistoryOptions& options) {
  const auto now = realtime_now_ns();
  HistoryStore::Query query{
      .address = options.address, .records = options.records, .limit = options.limit};
  if (options.since)
    query.since_ns = parse_time(*options.since, now);
  if (options.until)
    query.until_ns = parse_time(*options.until, now);
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

} // namespace

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
  if (!options.json)
    out.text() += life_header();
  store.connections(query, [&](const ConnectionRecord& record) {
    if (!out.open())
      return;
    if (options.json)
      append_life_json(out.text(), record, kStoredTimes);
    else
      append_life_row(out.text(), record, kStoredTimes);
    out.written();
  });
  out.finish();
  return 0;
}

} // namespace tcpsight::cli
