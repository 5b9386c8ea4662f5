#include "tcpsight/views/life_view.hpp"
#include "tcpsight/views/printable.hpp"

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

// Container ids (12), most unit names; longer names are cut.
constexpr std::size_t kCgroupWidth = 20;

double ms_of(std::uint64_t ns) { return static_cast<double>(ns) / 1e6; }

// Milliseconds with enough digits for sub-millisecond connections, rounded:
// three decimals below 10 ms, one below a second, none above.
void append_ms_text(std::string& out, std::uint64_t ns) {
  if (ns < 10'000'000) {
    detail::append_ms(out, ns);
  } else if (ns < 1'000'000'000) {
    const std::uint64_t tenths = (ns + 50'000) / 100'000;
    detail::append_uint(out, tenths / 10);
    out += '.';
    out += static_cast<char>('0' + tenths % 10);
  } else {
    detail::append_uint(out, (ns + 500'000) / 1'000'000);
  }
}

std::string ms_text(std::uint64_t ns) {
  std::string text;
  append_ms_text(text, ns);
  return text;
}

// A number right-aligned in width columns.
void append_number(std::string& out, std::uint64_t value, std::size_t width) {
  const fmt::format_int digits(value);
  detail::append_right(out, {digits.data(), digits.size()}, width);
}

std::optional<double> optional_ms(const std::optional<std::uint64_t>& ns) {
  return ns ? std::optional(ms_of(*ns)) : std::nullopt;
}

// Microseconds, if the close was seen and had a sample.
std::optional<std::uint64_t> srtt_of(const ConnectionFacts& r) {
  if (!r.totals || r.totals->srtt_us == 0)
    return std::nullopt;
  return r.totals->srtt_us;
}

std::optional<double> us_to_ms(std::uint32_t us) {
  return us ? std::optional(static_cast<double>(us) / 1e3) : std::nullopt;
}

// "tx_bytes", "rx_bytes", "retransmits", "srtt_ms", "min_rtt_ms": null when
// the close was not seen (round trips also without a sample).
void write_totals(JsonWriter& json, const std::optional<ConnectionTotals>& totals) {
  if (!totals) {
    json.key<"tx_bytes">().null().key<"rx_bytes">().null().key<"retransmits">().null();
    json.key<"srtt_ms">().null().key<"min_rtt_ms">().null();
    return;
  }
  json.key<"tx_bytes">().number(totals->tx_bytes).key<"rx_bytes">().number(totals->rx_bytes);
  json.key<"retransmits">().number(totals->retransmits);
  json.key<"srtt_ms">().three_decimals_or_null(us_to_ms(totals->srtt_us));
  json.key<"min_rtt_ms">().three_decimals_or_null(us_to_ms(totals->min_rtt_us));
}

} // namespace

std::string path_text(const std::vector<StateStep>& path) {
  std::string text;
  for (const auto& step : path) {
    if (!text.empty())
      text += '>';
    text += tcp_state_name(step.state);
    if (step.ns) {
      text += '(';
      append_ms_text(text, *step.ns);
      text += ')';
    }
  }
  return text;
}

std::string life_header(bool cgroup_column) {
  return fmt::format("{:<12} {:>7} {:<15} {}{:<15} {:>5} {:<15} {:>5} {:>9} {:>9} {:>9} {:>8} "
                     "{:>8} {:<7} {:<14} {}\n",
                     "TIME", "PID", "COMM",
                     cgroup_column ? fmt::format("{:<{}} ", "CGROUP", kCgroupWidth) : "", "LADDR",
                     "LPORT", "RADDR", "RPORT", "TX", "RX", "MS", "HS_MS", "RTT_MS", "ROLE",
                     "OUTCOME", "PATH");
}

// The columns of life_header(), without format-string parsing: life and
// history print one row per connection, hundreds of thousands a second.
void append_life_row(std::string& out, const WallConnectionRecord& r,
                     std::optional<const CgroupInfo*> cgroup_column) {
  using detail::append_left;
  using detail::append_right;
  append_left(out, format_time_of_day(r.end).substr(0, 12), 12);
  out += ' ';
  if (r.owner)
    append_number(out, r.owner->pid, 7);
  else
    append_right(out, "-", 7);
  out += ' ';
  append_left(out, r.owner ? printable_text(r.owner->comm) : "-", 15);
  out += ' ';
  if (cgroup_column) {
    const auto cgroup = *cgroup_column;
    auto name = cgroup ? printable_text(cgroup_display_name(*cgroup)) : std::string("-");
    cut_to(name, kCgroupWidth);
    append_left(out, name, kCgroupWidth);
    out += ' ';
  }
  append_left(out, address_text(r.id.local).view(), 15);
  out += ' ';
  append_number(out, r.id.local_port, 5);
  out += ' ';
  append_left(out, address_text(r.id.remote).view(), 15);
  out += ' ';
  append_number(out, r.id.remote_port, 5);
  for (const auto field : {&ConnectionTotals::tx_bytes, &ConnectionTotals::rx_bytes}) {
    out += ' ';
    if (r.totals)
      append_number(out, (*r.totals).*field, 9);
    else
      append_right(out, "-", 9);
  }
  out += ' ';
  append_right(out, ms_text(r.duration_ns()), 9);
  out += ' ';
  append_right(out, r.handshake_ns ? ms_text(*r.handshake_ns) : "-", 8);
  out += ' ';
  const auto srtt_us = srtt_of(r);
  append_right(out, srtt_us ? ms_text(*srtt_us * 1000) : "-", 8);
  out += ' ';
  append_left(out, role_name(r.role), 7);
  out += ' ';
  append_left(out, outcome_name(r.outcome), 14);
  out += ' ';
  out += path_text(r.path);
  detail::append_drops(out, r.drops.count, r.drops.last_reason);
  out += '\n';
}

void append_life_json(std::string& out, const WallConnectionRecord& r, const CgroupInfo* cgroup) {
  JsonWriter json(out);
  json.begin_object().key<"type">().plain_string("connection");
  json.key<"time">().plain_string(format_iso8601_utc(r.end));
  json.key<"start_time">().plain_string(format_iso8601_utc(r.start));
  json.key<"sock_id">().number(r.id.sock_id).key<"netns">().number(r.id.netns);
  detail::write_owner_members(json, r.owner, cgroup);
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
  detail::write_drop_members(json, r.drops);
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
