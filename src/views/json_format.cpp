#include "tcpsight/views/json_format.hpp"

#include "tcpsight/model/errno_name.hpp"
#include "tcpsight/pipeline/explain.hpp"
#include "views/append.hpp"

#include <algorithm>
#include <ctime>
#include <fmt/format.h>
#include <nlohmann/json.hpp>

namespace tcpsight {
namespace {

using detail::append_uint;
using namespace std::string_view_literals;

void append_quoted(std::string& out, std::string_view text) {
  out += '"';
  out += text;
  out += '"';
}

// key is the whole ,"name": prefix.
void append_ms_or_null(std::string& out, std::string_view key,
                       const std::optional<std::uint64_t>& ns) {
  out += key;
  if (ns)
    detail::append_ms(out, *ns);
  else
    out += "null";
}

void append_owner(std::string& out, const std::optional<Owner>& owner) {
  if (!owner) {
    out += R"(,"pid":null,"comm":null,"uid":null,"cgroup_id":null)";
    return;
  }
  out += R"(,"pid":)"sv;
  append_uint(out, owner->pid);
  out += R"(,"comm":)"sv;
  out += json_string(owner->comm);
  out += R"(,"uid":)"sv;
  append_uint(out, owner->uid);
  out += R"(,"cgroup_id":)"sv;
  append_uint(out, owner->cgroup_id);
}

void append_endpoints(std::string& out, const Event& e) {
  out += R"(,"family":)"sv;
  append_quoted(out, family_name(e.family()));
  out += R"(,"saddr":)"sv;
  append_quoted(out, address_text(e.id.local).view());
  out += R"(,"sport":)"sv;
  append_uint(out, e.id.local_port);
  out += R"(,"daddr":)"sv;
  append_quoted(out, address_text(e.id.remote).view());
  out += R"(,"dport":)"sv;
  append_uint(out, e.id.remote_port);
}

void append_states(std::string& out, const Event& e) {
  if (e.type != EventType::Transition) {
    out += R"(,"state":)"sv;
    append_quoted(out, tcp_state_name(e.new_state));
    return;
  }
  out += R"(,"old":)"sv;
  append_quoted(out, tcp_state_name(e.old_state));
  out += R"(,"new":)"sv;
  append_quoted(out, tcp_state_name(e.new_state));
  append_ms_or_null(out, R"(,"ms_in_old":)"sv, e.ns_in_old);
  append_ms_or_null(out, R"(,"handshake_ms":)"sv, e.handshake_ns);
  out += R"(,"inferred":)"sv;
  out += e.inferred ? "true" : "false";
  if (e.inferred) {
    out += R"(,"expires_in_ms":)"sv;
    append_uint(out, kTimeWaitNs / 1'000'000);
  }
  if (e.handover)
    out += R"(,"handover":"fin_wait2")"sv;
  if (e.totals) {
    out += R"(,"tx_bytes":)"sv;
    append_uint(out, e.totals->tx_bytes);
    out += R"(,"rx_bytes":)"sv;
    append_uint(out, e.totals->rx_bytes);
    out += R"(,"retransmits":)"sv;
    append_uint(out, e.totals->retransmits);
  }
}

void append_outcome(std::string& out, const Event& e) {
  out += R"(,"reason":)"sv;
  if (e.reason != Reason::None)
    append_quoted(out, reason_name(e.reason));
  else
    out += "null";
  out += R"(,"error":)"sv;
  if (e.error != 0)
    append_quoted(out, errno_name(e.error));
  else
    out += "null";
  if (e.no_socket)
    out += R"(,"no_socket":true)";
}

// UTC "YYYY-MM-DDTHH:MM:SS.nnnnnnnnnZ".
void append_iso8601_utc(std::string& out, std::int64_t realtime_ns) {
  thread_local detail::SecondText date_time("%Y-%m-%dT%H:%M:%S", /*utc=*/true);
  out += date_time.of(realtime_ns / 1'000'000'000);
  out += '.';
  detail::append_zero_padded(out, static_cast<std::uint64_t>(realtime_ns % 1'000'000'000), 9);
  out += 'Z';
}

} // namespace

void append_event_json(std::string& out, const Event& e, std::int64_t realtime_ns,
                       bool explain_it) {
  out += R"({"type":")";
  out += event_type_name(e.type);
  out += R"(","ts_ns":)";
  append_uint(out, e.ts_ns);
  out += R"(,"time":")";
  append_iso8601_utc(out, realtime_ns);
  out += '"';
  out += R"(,"sock_id":)"sv;
  append_uint(out, e.id.sock_id);
  out += R"(,"netns":)"sv;
  append_uint(out, e.id.netns);
  append_owner(out, e.owner);
  append_endpoints(out, e);
  append_states(out, e);
  append_outcome(out, e);
  if (explain_it) {
    out += R"(,"explain":)"sv;
    out += json_string(explain(e));
  }
  out += "}\n";
}

std::string lost_events_json(std::uint64_t count) {
  std::string out = R"({"type":"lost_events","count":)";
  append_uint(out, count);
  out += "}\n";
  return out;
}

std::string json_string(std::string_view text) {
  const bool plain = std::all_of(text.begin(), text.end(), [](char c) {
    return c >= 0x20 && c < 0x7f && c != '"' && c != '\\';
  });
  if (plain) { // the usual command name: nothing to escape
    std::string out;
    append_quoted(out, text);
    return out;
  }
  // nlohmann's serializer does the escaping; it is told to replace invalid
  // UTF-8 rather than throw, since a comm can hold any bytes.
  return nlohmann::json(std::string(text))
      .dump(-1, ' ', /*ensure_ascii=*/true, nlohmann::json::error_handler_t::replace);
}

std::string format_iso8601_utc(std::int64_t realtime_ns) {
  std::string out;
  append_iso8601_utc(out, realtime_ns);
  return out;
}

} // namespace tcpsight
