#include "tcpsight/json_format.hpp"

#include <ctime>
#include <fmt/format.h>
#include <nlohmann/json.hpp>

namespace tcpsight {

void append_transition_json(std::string& out, const Transition& t, std::int64_t realtime_ns) {
  auto it = std::back_inserter(out);
  fmt::format_to(it,
                 R"({{"type":"transition","ts_ns":{},"time":"{}","sock_id":"{:#x}","pid":{},)"
                 R"("comm":{},"family":"{}","saddr":"{}","sport":{},"daddr":"{}","dport":{},)"
                 R"("old":"{}","new":"{}","ms_in_old":)",
                 t.ts_ns, format_iso8601_utc(realtime_ns), t.sock_id, t.pid, json_string(t.comm),
                 family_name(t.family()), to_string(t.local), t.local_port, to_string(t.remote),
                 t.remote_port, tcp_state_name(t.old_state), tcp_state_name(t.new_state));
  if (t.ns_in_old)
    fmt::format_to(it, "{:.3f}}}\n", static_cast<double>(*t.ns_in_old) / 1e6);
  else
    out += "null}\n";
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
