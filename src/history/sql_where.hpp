#pragma once

#include "tcpsight/model/connection_record.hpp"
#include "tcpsight/pipeline/record_filter.hpp"

#include <cstdint>
#include <span>
#include <string>
#include <variant>
#include <vector>

namespace tcpsight::detail {

using SqlValue = std::variant<std::int64_t, std::string>;

// A condition for SQLite's WHERE, built a term at a time: the terms are
// joined with AND, and their ? placeholders take values() in order.
class SqlWhere {
public:
  void add(std::string term, std::vector<SqlValue> values = {});
  // " WHERE a AND b", or nothing without terms.
  std::string text() const;
  const std::vector<SqlValue>& values() const { return values_; }

private:
  std::vector<std::string> terms_;
  std::vector<SqlValue> values_;
};

// "column IN (?,?,?)" for as many values.
std::string sql_in(std::string_view column, std::size_t count);

// The outcomes' names, as the connections table stores them.
std::vector<SqlValue> sql_outcome_names(std::span<const Outcome> outcomes);

// The terms of filter on the connections table: the connections
// RecordFilter::matches() accepts.
void add_record_filter(SqlWhere& where, const RecordFilter& filter);

} // namespace tcpsight::detail
