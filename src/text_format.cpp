#include "tcpsight/text_format.hpp"

#include "tcpsight/errno_name.hpp"
#include "tcpsight/explain.hpp"

#include <ctime>
#include <fmt/format.h>

namespace tcpsight {
namespace {

// Wide enough for "255.255.255.255:65535"; IPv6 endpoints may run longer.
constexpr int kEndpointWidth = 22;
constexpr int kEventWidth = 26;

// One layout for the header and the rows, so they cannot drift apart.
template <typename... Columns> void append_columns(std::string& out, const Columns&... columns) {
  fmt::format_to(std::back_inserter(out), "{:<15} {:<7} {:<16} {:<{}} {:<{}} {:<{}} {:>9}",
                 columns...);
}

std::string format_ms(const std::optional<std::uint64_t>& ns) {
  if (!ns)
    return "-";
  return fmt::format("{:.3f}", static_cast<double>(*ns) / 1e6);
}

std::string event_column(const Event& e) {
  switch (e.type) {
  case EventType::Transition:
    return fmt::format("{} -> {}", tcp_state_name(e.old_state), tcp_state_name(e.new_state));
  case EventType::ResetSent:
    return "RST sent";
  case EventType::ResetReceived:
    return "RST received";
  case EventType::SynRetransmit:
    return "SYN retransmit";
  case EventType::SynAckRetransmit:
    return "SYN-ACK retransmit";
  }
  return "?";
}

void append_details(std::string& out, const Event& e, bool explain_it) {
  auto it = std::back_inserter(out);
  if (e.handshake_ns)
    fmt::format_to(it, " handshake={}ms", format_ms(e.handshake_ns));
  if (e.reason != Reason::None)
    fmt::format_to(it, " reason={}", reason_name(e.reason));
  if (e.error != 0)
    fmt::format_to(it, " error={}", errno_name(e.error));
  if (e.inferred)
    fmt::format_to(it, " inferred expires_in={}s", kTimeWaitNs / 1'000'000'000);
  if (e.no_socket)
    out += " no_socket";
  if (explain_it)
    fmt::format_to(it, "  # {}", explain(e));
}

} // namespace

std::string text_header() {
  std::string out;
  append_columns(out, "TIME", "PID", "COMM", "LOCAL", kEndpointWidth, "REMOTE", kEndpointWidth,
                 "EVENT", kEventWidth, "MS_IN_OLD");
  out += " DETAILS\n";
  return out;
}

void append_text_row(std::string& out, const Event& e, std::int64_t realtime_ns, bool explain_it) {
  const std::string pid = e.owner ? fmt::format("{}", e.owner->pid) : "-";
  const std::string comm = e.owner ? printable_comm(e.owner->comm) : "-";
  append_columns(
      out, format_time_of_day(realtime_ns), pid, comm, format_endpoint(e.local, e.local_port),
      kEndpointWidth, format_endpoint(e.remote, e.remote_port), kEndpointWidth, event_column(e),
      kEventWidth, format_ms(e.type == EventType::Transition ? e.ns_in_old : std::nullopt));
  append_details(out, e, explain_it);
  out += '\n';
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
