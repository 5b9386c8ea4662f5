#include "history/sql_where.hpp"

#include <fmt/format.h>

namespace tcpsight::detail {
namespace {

template <typename Number> std::vector<SqlValue> sql_numbers(const std::vector<Number>& numbers) {
  return {numbers.begin(), numbers.end()};
}

} // namespace

void SqlWhere::add(std::string term, std::vector<SqlValue> values) {
  terms_.push_back(std::move(term));
  values_.insert(values_.end(), std::make_move_iterator(values.begin()),
                 std::make_move_iterator(values.end()));
}

std::string SqlWhere::text() const {
  std::string text;
  for (const auto& term : terms_)
    text += (text.empty() ? " WHERE " : " AND ") + term;
  return text;
}

std::string sql_in(std::string_view column, std::size_t count) {
  std::string term = fmt::format("{} IN (", column);
  for (std::size_t i = 0; i < count; ++i)
    term += i ? ",?" : "?";
  return term + ")";
}

std::vector<SqlValue> sql_outcome_names(std::span<const Outcome> outcomes) {
  std::vector<SqlValue> names;
  for (const auto outcome : outcomes)
    names.emplace_back(std::string(outcome_name(outcome)));
  return names;
}

void add_record_filter(SqlWhere& where, const RecordFilter& filter) {
  if (const auto min_ns = filter.min_duration_ns())
    where.add("end_ns - start_ns >= ?", {*min_ns});
  if (const auto max_ns = filter.max_duration_ns())
    where.add("end_ns - start_ns <= ?", {*max_ns});
  if (!filter.outcomes.empty())
    where.add(sql_in("outcome", filter.outcomes.size()), sql_outcome_names(filter.outcomes));
  if (!filter.ports.empty()) {
    auto local_then_remote = sql_numbers(filter.ports);
    const auto remote = sql_numbers(filter.ports);
    local_then_remote.insert(local_then_remote.end(), remote.begin(), remote.end());
    where.add(fmt::format("({} OR {})", sql_in("sport", filter.ports.size()),
                          sql_in("dport", filter.ports.size())),
              std::move(local_then_remote));
  }
  if (!filter.pids.empty()) // a NULL pid (unknown owner) is in no list
    where.add(sql_in("pid", filter.pids.size()), sql_numbers(filter.pids));
  if (filter.comm)
    where.add("comm = ?", {*filter.comm});
}

} // namespace tcpsight::detail
