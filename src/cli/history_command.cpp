#include "commands.hpp"

#include "tcpsight/history/history_store.hpp"
#include "tcpsight/model/clock.hpp"
#include "tcpsight/model/time_spec.hpp"
#include "tcpsight/views/chunked_writer.hpp"
#include "tcpsight/views/json_format.hpp"
#include "tcpsight/views/life_view.hpp"

#include <fmt/format.h>

namespace tcpsight::cli {
namespace {

constexpr std::size_t kTopRemotes = 20;

HistoryStore::Query query_of(const HistoryOptions& options) {
  const auto now = realtime_now_ns();
  HistoryStore::Query query{
      .address = options.address, .records = options.records, .limit = options.limit};
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
  if (json) {
    for (const auto& count : outcomes)
      fmt::format_to(std::back_inserter(out),
                     R"({{"type":"outcome_count","outcome":"{}","connections":{}}})"
                     "\n",
                     count.key, count.connections);
    for (const auto& count : remotes)
      fmt::format_to(std::back_inserter(out),
                     R"({{"type":"remote_count","daddr":{},"dport":{},"connections":{},)"
                     R"("failed":{}}})"
                     "\n",
                     json_string(count.key), count.port ? std::to_string(*count.port) : "null",
                     count.connections, count.failed);
    return;
  }
  fmt::format_to(std::back_inserter(out), "{:<16} {:>11}\n", "OUTCOME", "CONNECTIONS");
  for (const auto& count : outcomes)
    fmt::format_to(std::back_inserter(out), "{:<16} {:>11}\n", count.key, count.connections);
  fmt::format_to(std::back_inserter(out), "\n{:<46} {:>11} {:>8}\n", "REMOTE (busiest first)",
                 "CONNECTIONS", "FAILED");
  for (const auto& count : remotes) {
    const auto remote = count.port ? fmt::format("{} {}", count.key, *count.port)
                                   : fmt::format("{} (clients)", count.key);
    fmt::format_to(std::back_inserter(out), "{:<46} {:>11} {:>8}\n", remote, count.connections,
                   count.failed);
  }
}

} // namespace

int run_history(const HistoryOptions& options) {
  const auto path = options.db_path.empty() ? default_history_path() : options.db_path;
  const auto query = query_of(options);
  HistoryStore store(path, HistoryStore::Mode::ReadOnly);
  ChunkedWriter out(stdout);
  if (options.summary) {
    append_summary(out.text(), store, query, options.json);
    out.flush();
    return 0;
  }
  if (!options.json)
    out.text() += life_header();
  store.connections(query, [&](const WallConnectionRecord& record) {
    if (options.json)
      append_life_json(out.text(), record);
    else
      append_life_row(out.text(), record);
    out.written();
  });
  out.flush();
  return 0;
}

} // namespace tcpsight::cli
