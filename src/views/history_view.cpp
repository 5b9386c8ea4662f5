#include "tcpsight/views/history_view.hpp"

#include "tcpsight/views/json_writer.hpp"

#include <fmt/format.h>
#include <iterator>

namespace tcpsight {

void append_history_summary(std::string& out, const std::vector<HistoryStore::Count>& outcomes,
                            const std::vector<HistoryStore::Count>& remotes) {
  const auto it = std::back_inserter(out);
  fmt::format_to(it, "{:<16} {:>11}\n", "OUTCOME", "CONNECTIONS");
  for (const auto& count : outcomes)
    fmt::format_to(it, "{:<16} {:>11}\n", count.key, count.connections);
  fmt::format_to(it, "\n{:<46} {:>11} {:>8}\n", "REMOTE (busiest first)", "CONNECTIONS", "FAILED");
  for (const auto& count : remotes) {
    const auto remote = count.port ? fmt::format("{} {}", count.key, *count.port)
                                   : fmt::format("{} (clients)", count.key);
    fmt::format_to(it, "{:<46} {:>11} {:>8}\n", remote, count.connections, count.failed);
  }
}

void append_history_summary_json(std::string& out, const std::vector<HistoryStore::Count>& outcomes,
                                 const std::vector<HistoryStore::Count>& remotes) {
  for (const auto& count : outcomes) {
    JsonWriter json(out);
    json.begin_object().key<"type">().plain_string("outcome_count");
    json.key<"outcome">().string(count.key).key<"connections">().number(count.connections);
    json.end_object().end_line();
  }
  for (const auto& count : remotes) {
    JsonWriter json(out);
    json.begin_object().key<"type">().plain_string("remote_count");
    json.key<"daddr">().string(count.key).key<"dport">().number_or_null(count.port);
    json.key<"connections">().number(count.connections).key<"failed">().number(count.failed);
    json.end_object().end_line();
  }
}

} // namespace tcpsight
