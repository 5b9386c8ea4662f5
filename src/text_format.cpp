#include "tcpsight/text_format.hpp"

#include <ctime>
#include <fmt/format.h>

namespace tcpsight {
namespace {

// Wide enough for "255.255.255.255:65535"; IPv6 endpoints may run longer.
constexpr int kEndpointWidth = 22;
constexpr int kStateWidth = 12;

// One layout for the header and the rows, so they cannot drift apart.
template <typename... Columns>
void append_line(std::string& out, std::string_view time, const Columns&... columns) {
  fmt::format_to(std::back_inserter(out),
                 "{:<15} {:<7} {:<16} {:<{}} {:<{}} {:<{}} -> {:<{}} {:>12}\n", time, columns...);
}

std::string format_ms_in_old(const std::optional<std::uint64_t>& ns_in_old) {
  if (!ns_in_old)
    return "-";
  return fmt::format("{:.3f}", static_cast<double>(*ns_in_old) / 1e6);
}

} // namespace

std::string text_header() {
  std::string out;
  append_line(out, "TIME", "PID", "COMM", "LOCAL", kEndpointWidth, "REMOTE", kEndpointWidth, "OLD",
              kStateWidth, "NEW", kStateWidth, "MS_IN_OLD");
  return out;
}

void append_text_row(std::string& out, const Transition& t, std::int64_t realtime_ns) {
  append_line(out, format_time_of_day(realtime_ns), t.pid, printable_comm(t.comm),
              format_endpoint(t.local, t.local_port), kEndpointWidth,
              format_endpoint(t.remote, t.remote_port), kEndpointWidth, tcp_state_name(t.old_state),
              kStateWidth, tcp_state_name(t.new_state), kStateWidth, format_ms_in_old(t.ns_in_old));
}

std::string format_time_of_day(std::int64_t realtime_ns) {
  const std::time_t seconds = realtime_ns / 1'000'000'000;
  const auto micros = (realtime_ns % 1'000'000'000) / 1'000;
  std::tm local{};
  localtime_r(&seconds, &local);
  return fmt::format("{:02}:{:02}:{:02}.{:06}", local.tm_hour, local.tm_min, local.tm_sec, micros);
}

std::string printable_comm(std::string_view comm) {
  std::string out(comm);
  for (char& c : out) {
    const auto byte = static_cast<unsigned char>(c);
    if (byte < 0x20 || byte > 0x7e)
      c = '?';
  }
  return out;
}

} // namespace tcpsight
