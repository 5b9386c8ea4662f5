#include "tcpsight/views/life_view.hpp"

#include "tcpsight/model/errno_name.hpp"
#include "tcpsight/views/json_format.hpp"
#include "tcpsight/views/text_format.hpp"
#include "views/append.hpp"

#include <algorithm>
#include <fmt/format.h>

namespace tcpsight {
namespace {

double ms_of(std::uint64_t ns) { return static_cast<double>(ns) / 1e6; }

// Milliseconds with enough digits for sub-millisecond connections.
std::string ms_text(std::uint64_t ns) {
  const double ms = ms_of(ns);
  return ms < 10     ? fmt::format("{:.3f}", ms)
         : ms < 1000 ? fmt::format("{:.1f}", ms)
                     : fmt::format("{:.0f}", ms);
}

} // namespace

std::string path_text(const std::vector<StateStep>& path) {
  std::string text;
  for (const auto& step : path) {
    if (!text.empty())
      text += '>';
    text += tcp_state_name(step.state);
    if (step.ns)
      fmt::format_to(std::back_inserter(text), "({})", ms_text(*step.ns));
  }
  return text;
}

std::string life_header() {
  return fmt::format("{:<12} {:>7} {:<15} {:<15} {:>5} {:<15} {:>5} {:>9} {:>9} {:>9} {:>8} "
                     "{:<7} {:<14} {}\n",
                     "TIME", "PID", "COMM", "LADDR", "LPORT", "RADDR", "RPORT", "TX", "RX", "MS",
                     "HS_MS", "ROLE", "OUTCOME", "PATH");
}

void append_life_row(std::string& out, const WallConnectionRecord& r) {
  const auto time = format_time_of_day(r.end.ns).substr(0, 12);
  const auto pid = r.owner ? std::to_string(r.owner->pid) : "-";
  const auto comm = r.owner ? printable_comm(r.owner->comm) : "-";
  const auto bytes = [&](std::uint64_t ConnectionTotals::*field) {
    return r.totals ? std::to_string((*r.totals).*field) : "-";
  };
  fmt::format_to(std::back_inserter(out),
                 "{:<12} {:>7} {:<15} {:<15} {:>5} {:<15} {:>5} {:>9} {:>9} {:>9} {:>8} {:<7} "
                 "{:<14} {}\n",
                 time, pid, comm, address_text(r.id.local).view(), r.id.local_port,
                 address_text(r.id.remote).view(), r.id.remote_port,
                 bytes(&ConnectionTotals::tx_bytes), bytes(&ConnectionTotals::rx_bytes),
                 ms_text(r.duration_ns()), r.handshake_ns ? ms_text(*r.handshake_ns) : "-",
                 role_name(r.role), outcome_name(r.outcome), path_text(r.path));
}

void append_life_json(std::string& out, const WallConnectionRecord& r) {
  const auto it = std::back_inserter(out);
  fmt::format_to(it, R"({{"type":"connection","time":"{}","start_time":"{}","sock_id":{},)",
                 format_iso8601_utc(r.end.ns), format_iso8601_utc(r.start.ns), r.id.sock_id);
  fmt::format_to(it, R"("netns":{},)", r.id.netns);
  if (r.owner)
    fmt::format_to(it, R"("pid":{},"comm":{},"uid":{},"cgroup_id":{},)", r.owner->pid,
                   json_string(r.owner->comm), r.owner->uid, r.owner->cgroup_id);
  else
    out += R"("pid":null,"comm":null,"uid":null,"cgroup_id":null,)";
  fmt::format_to(it, R"("family":"{}","saddr":"{}","sport":{},"daddr":"{}","dport":{},)",
                 family_name(r.id.local.family), address_text(r.id.local).view(), r.id.local_port,
                 address_text(r.id.remote).view(), r.id.remote_port);
  fmt::format_to(it, R"("role":"{}","outcome":"{}","error":{},"seeded":{},)", role_name(r.role),
                 outcome_name(r.outcome),
                 r.error ? json_string(errno_name(r.error)) : std::string("null"), r.seeded);
  fmt::format_to(it, R"("duration_ms":{:.3f},"handshake_ms":{},)", ms_of(r.duration_ns()),
                 r.handshake_ns ? fmt::format("{:.3f}", ms_of(*r.handshake_ns)) : "null");
  if (r.totals)
    fmt::format_to(it, R"("tx_bytes":{},"rx_bytes":{},"retransmits":{},)", r.totals->tx_bytes,
                   r.totals->rx_bytes, r.totals->retransmits);
  else
    out += R"("tx_bytes":null,"rx_bytes":null,"retransmits":null,)";
  fmt::format_to(it, R"("syn_retransmits":{},"path":[)", r.syn_retransmits);
  for (std::size_t i = 0; i < r.path.size(); ++i)
    fmt::format_to(it, R"({}{{"state":"{}","ms":{}}})", i ? "," : "",
                   tcp_state_name(r.path[i].state),
                   r.path[i].ns ? fmt::format("{:.3f}", ms_of(*r.path[i].ns)) : "null");
  out += "]}\n";
}

} // namespace tcpsight
