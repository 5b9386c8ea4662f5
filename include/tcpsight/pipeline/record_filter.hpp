#pragma once

#include "tcpsight/model/connection_record.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace tcpsight {

// Which finished connections `tcpsight life` and `history` show. Every
// filter that is set must match; within one, any listed value does.
struct RecordFilter {
  std::optional<double> min_ms; // duration at least
  std::optional<double> max_ms; // duration at most
  std::vector<Outcome> outcomes;
  std::vector<std::uint16_t> ports; // local or remote
  std::vector<std::uint32_t> pids;
  std::optional<std::string> comm;

  bool matches(const ConnectionRecord& record) const;
};

} // namespace tcpsight
