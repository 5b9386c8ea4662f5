#include "tcpsight/views/top_table.hpp"
#include "tcpsight/views/printable.hpp"

#include "tcpsight/views/top_order.hpp"

#include <fmt/format.h>

namespace tcpsight {
namespace {

// "42s", "2m05s", "3h07m".
std::string age_text(std::uint64_t ns) {
  const auto seconds = ns / 1'000'000'000;
  if (seconds < 60)
    return fmt::format("{}s", seconds);
  if (seconds < 3600)
    return fmt::format("{}m{:02}s", seconds / 60, seconds % 60);
  return fmt::format("{}h{:02}m", seconds / 3600, seconds % 3600 / 60);
}

std::string process_text(const std::optional<Owner>& owner) {
  return owner ? fmt::format("{}/{}", owner->pid, printable_text(owner->comm)) : "-";
}

} // namespace

std::string_view top_column_title(TopColumn column) {
  static constexpr std::string_view kTitles[kTopColumnCount] = {
      "PROTO", "LOCAL", "REMOTE", "STATE",   "PID/PROGRAM",
      "AGE",   "HS_MS", "RTT_MS", "RETRANS", "TX/RX"};
  return kTitles[static_cast<int>(column)];
}

std::string top_column_text(const TopRow& row, TopColumn column, std::uint64_t now_ns) {
  switch (column) {
  case TopColumn::Protocol:
    return std::string(socket_netid(row.socket));
  case TopColumn::Local:
    return std::string(endpoint_text(row.socket.id.local, row.socket.id.local_port).view());
  case TopColumn::Remote:
    return std::string(endpoint_text(row.socket.id.remote, row.socket.id.remote_port).view());
  case TopColumn::State:
    return std::string(top_state_name(row));
  case TopColumn::Process:
    return process_text(row.owner);
  case TopColumn::Age:
    return age_text(now_ns > row.first_seen_ns ? now_ns - row.first_seen_ns : 0);
  case TopColumn::Handshake:
    return row.handshake_ns ? fmt::format("{:.3f}", static_cast<double>(*row.handshake_ns) / 1e6)
                            : "-";
  case TopColumn::RoundTrip: {
    const auto rtt_us = top_round_trip_us(row);
    return rtt_us ? fmt::format("{:.3f}", static_cast<double>(*rtt_us) / 1e3) : "-";
  }
  case TopColumn::Retransmits: {
    const auto retransmits = top_retransmits(row);
    return retransmits ? fmt::format("{}", *retransmits) : "-";
  }
  case TopColumn::Bytes:
    return row.totals ? fmt::format("{}/{}", row.totals->tx_bytes, row.totals->rx_bytes) : "-";
  }
  return "";
}

std::string top_closed_line(const ConnectionRecord& record) {
  return fmt::format("  {:<26}{:<26}{:<22}{:>10.3f} ms  {:<15}",
                     endpoint_text(record.id.local, record.id.local_port).view(),
                     endpoint_text(record.id.remote, record.id.remote_port).view(),
                     process_text(record.owner), static_cast<double>(record.duration_ns()) / 1e6,
                     outcome_name(record.outcome));
}

} // namespace tcpsight
