#pragma once

#include "tcpsight/clock.hpp"
#include "tcpsight/connection_record.hpp"

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

// `tcpsight life`: one line per connection, tcplife's columns (PID, COMM,
// addresses and ports, TX, RX, MS) and more (end time, handshake, role,
// outcome, the path through the states).
std::string life_header();
void append_life_row(std::string& out, const ConnectionRecord& record, WallClock clock);

// One JSON object: {"type":"connection", ...}, with its trailing newline.
void append_life_json(std::string& out, const ConnectionRecord& record, WallClock clock);

// "SYN_SENT(0.052)>ESTABLISHED(12.1)>FIN_WAIT1(0.031)>FIN_WAIT2(0.040)>TIME_WAIT":
// each state with the milliseconds spent in it.
std::string path_text(const std::vector<StateStep>& path);

} // namespace tcpsight
