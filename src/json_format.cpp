#include "tcpsight/json_format.hpp"

#include "tcpsight/errno_name.hpp"
#include "tcpsight/explain.hpp"

#include <ctime>
#include <fmt/format.h>
#include <nlohmann/json.hpp>

namespace tcpsight {
namespace {

using Out = std::back_insert_iterator<std::string>;

void append_ms(Out it, std::string_view key, const std::optional<std::uint64_t>& ns) {
  if (ns)
    fmt::format_to(it, R"(,"{}":{:.3f})", key, static_cast<double>(*ns) / 1e6);
  else
    fmt::format_to(it, R"(,"{}":null)", key);
}

void append_owner(Out it, const std::optional<Owner>& owner) {
  if (owner)
    fmt::format_to(it, R"(,"pid":{},"comm":{},"uid":{},"cgroup_id":{})", owner->pid,
                   json_string(owner->comm), owner->uid, owner->cgroup_id);
  else
    fmt::format_to(it, R"(,"pid":null,"comm":null,"uid":null,"cgroup_id":null)");
}

void append_states(Out it, const Event& e) {
  if (e.type == EventType::Transition)
    fmt::format_to(it, R"(,"old":"{}","new":"{}")", tcp_state_name(e.old_state),
                   tcp_state_name(e.new_state));
  else
    fmt::format_to(it, R"(,"state":"{}")", tcp_state_name(e.new_state));
}

void append_outcome(Out it, const Event& e) {
  if (e.reason != Reason::None)
    fmt::format_to(it, R"(,"reason":"{}")", reason_name(e.reason));
  else
    fmt::format_to(it, R"(,"reason":null)");
  if (e.error != 0)
    fmt::format_to(it, R"(,"error":"{}")", errno_name(e.error));
  else
    fmt::format_to(it, R"(,"error":null)");
}

} // namespace

void append_event_json(std::string& out, const Event& e, std::int64_t realtime_ns,
                       bool explain_it) {
  auto it = std::back_inserter(out);
  fmt::format_to(it, R"({{"type":"{}","ts_ns":{},"time":"{}","sock_id":{},"netns":{})",
                 event_type_name(e.type), e.ts_ns, format_iso8601_utc(realtime_ns), e.sock_id,
                 e.netns);
  append_owner(it, e.owner);
  fmt::format_to(it, R"(,"family":"{}","saddr":"{}","sport":{},"daddr":"{}","dport":{})",
                 family_name(e.family()), to_string(e.local), e.local_port, to_string(e.remote),
                 e.remote_port);
  append_states(it, e);
  if (e.type == EventType::Transition) {
    append_ms(it, "ms_in_old", e.ns_in_old);
    append_ms(it, "handshake_ms", e.handshake_ns);
    fmt::format_to(it, R"(,"inferred":{})", e.inferred);
    if (e.inferred)
      fmt::format_to(it, R"(,"expires_in_ms":{})", kTimeWaitNs / 1'000'000);
  }
  append_outcome(it, e);
  if (e.no_socket)
    out += R"(,"no_socket":true)";
  if (explain_it)
    fmt::format_to(it, R"(,"explain":{})", json_string(explain(e)));
  out += "}\n";
}

std::string lost_events_json(std::uint64_t count) {
  return fmt::format(R"({{"type":"lost_events","count":{}}})"
                     "\n",
                     count);
}

std::string json_string(std::string_view text) {
  // nlohmann's serializer does the escaping; it is told to replace invalid
  // UTF-8 rather than throw, since a comm can hold any bytes.
  return nlohmann::json(std::string(text))
      .dump(-1, ' ', /*ensure_ascii=*/true, nlohmann::json::error_handler_t::replace);
}

std::string format_iso8601_utc(std::int64_t realtime_ns) {
  const std::time_t seconds = realtime_ns / 1'000'000'000;
  const auto nanos = realtime_ns % 1'000'000'000;
  std::tm utc{};
  gmtime_r(&seconds, &utc);
  return fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:09}Z", utc.tm_year + 1900,
                     utc.tm_mon + 1, utc.tm_mday, utc.tm_hour, utc.tm_min, utc.tm_sec, nanos);
}

} // namespace tcpsight
