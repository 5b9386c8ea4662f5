#include "tcpsight/views/life_view.hpp"

#include "tcpsight/model/errno_name.hpp"
#include "tcpsight/views/json_format.hpp"
#include "tcpsight/views/json_writer.hpp"
#include "tcpsight/views/text_format.hpp"
#include "views/append.hpp"
#include "views/json_members.hpp"

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

std::optional<double> optional_ms(const std::optional<std::uint64_t>& ns) {
  return ns ? std::optional(ms_of(*ns)) : std::nullopt;
}

// "tx_bytes", "rx_bytes", "retransmits": null when the close was not seen.
void write_totals(JsonWriter& json, const std::optional<ConnectionTotals>& totals) {
  if (!totals) {
    json.key<"tx_bytes">().null().key<"rx_bytes">().null().key<"retransmits">().null();
    return;
  }
  json.key<"tx_bytes">().number(totals->tx_bytes).key<"rx_bytes">().number(totals->rx_bytes);
  json.key<"retransmits">().number(totals->retransmits);
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
  const auto time = format_time_of_day(r.end).substr(0, 12);
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
  JsonWriter json(out);
  json.begin_object().key<"type">().plain_string("connection");
  json.key<"time">().plain_string(format_iso8601_utc(r.end));
  json.key<"start_time">().plain_string(format_iso8601_utc(r.start));
  json.key<"sock_id">().number(r.id.sock_id).key<"netns">().number(r.id.netns);
  detail::write_owner_members(json, r.owner);
  detail::write_endpoint_members(json, r.id);
  json.key<"role">().plain_string(role_name(r.role));
  json.key<"outcome">().plain_string(outcome_name(r.outcome));
  json.key<"error">();
  if (r.error)
    json.string(errno_name(r.error));
  else
    json.null();
  json.key<"seeded">().boolean(r.seeded);
  json.key<"duration_ms">().three_decimals(ms_of(r.duration_ns()));
  json.key<"handshake_ms">().three_decimals_or_null(optional_ms(r.handshake_ns));
  write_totals(json, r.totals);
  json.key<"syn_retransmits">().number(r.syn_retransmits);
  json.key<"path">().begin_array();
  for (const auto& step : r.path)
    json.begin_object()
        .key<"state">()
        .plain_string(tcp_state_name(step.state))
        .key<"ms">()
        .three_decimals_or_null(optional_ms(step.ns))
        .end_object();
  json.end_array().end_object().end_line();
}

} // namespace tcpsight
