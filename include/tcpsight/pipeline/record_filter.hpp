#pragma once

#include "tcpsight/model/connection_record.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace tcpsight {

// Which finished connections `tcpsight life` and `history` show. Every
// filter that is set must match; within one, any listed value does.
// matches() is the definition; the history turns the same parts into SQL
// (history/sql_where), and its tests hold the two to the same
// connections.
struct RecordFilter {
  std::optional<double> min_ms; // duration at least
  std::optional<double> max_ms; // duration at most
  std::vector<Outcome> outcomes;
  std::vector<std::uint16_t> ports; // local or remote
  std::vector<std::uint32_t> pids;  // an unknown owner matches none
  std::optional<std::string> comm;  // exactly; an unknown owner does not match

  // On either clock: a duration is the same on both.
  template <typename Time> bool matches(const BasicConnectionRecord<Time>& record) const {
    return matches(record, record.duration_ns());
  }

  // min_ms and max_ms in whole nanoseconds, the nearest, as both compare
  // durations.
  std::optional<std::int64_t> min_duration_ns() const;
  std::optional<std::int64_t> max_duration_ns() const;

private:
  bool matches(const ConnectionFacts& facts, std::uint64_t duration_ns) const;
};

} // namespace tcpsight
