#include "tcpsight/views/top_order.hpp"

#include <tuple>

namespace tcpsight {
namespace {

std::string_view comm_of(const TopRow& row) {
  return row.owner ? std::string_view(row.owner->comm) : std::string_view();
}

std::uint32_t pid_of(const TopRow& row) { return row.owner ? row.owner->pid : 0; }

std::uint64_t bytes_of(const TopRow& row) {
  return row.totals ? row.totals->tx_bytes + row.totals->rx_bytes : 0;
}

} // namespace

std::string_view top_state_name(const TopRow& row) {
  if (row.outcome && *row.outcome != Outcome::StillOpen)
    return outcome_name(*row.outcome);
  return tcp_state_name(row.socket.state);
}

std::optional<std::uint32_t> top_round_trip_us(const TopRow& row) {
  const auto rtt_us = row.totals ? row.totals->srtt_us : row.tcp_info ? row.tcp_info->rtt_us : 0;
  return rtt_us > 0 ? std::optional(rtt_us) : std::nullopt;
}

std::optional<std::uint32_t> top_retransmits(const TopRow& row) {
  if (row.totals)
    return row.totals->retransmits;
  if (row.tcp_info)
    return row.tcp_info->total_retransmits;
  return std::nullopt;
}

std::strong_ordering compare_top_rows(const TopRow& a, const TopRow& b, TopColumn column) {
  switch (column) {
  case TopColumn::Protocol:
    return socket_netid(a.socket) <=> socket_netid(b.socket);
  case TopColumn::Local:
    return std::tie(a.socket.id.local, a.socket.id.local_port) <=>
           std::tie(b.socket.id.local, b.socket.id.local_port);
  case TopColumn::Remote:
    return std::tie(a.socket.id.remote, a.socket.id.remote_port) <=>
           std::tie(b.socket.id.remote, b.socket.id.remote_port);
  case TopColumn::State:
    return top_state_name(a) <=> top_state_name(b);
  case TopColumn::Process:
    return std::tuple(comm_of(a), pid_of(a)) <=> std::tuple(comm_of(b), pid_of(b));
  case TopColumn::Age:
    return b.first_seen_ns <=> a.first_seen_ns;
  case TopColumn::Handshake:
    return a.handshake_ns.value_or(0) <=> b.handshake_ns.value_or(0);
  case TopColumn::RoundTrip:
    return top_round_trip_us(a) <=> top_round_trip_us(b);
  case TopColumn::Retransmits:
    return top_retransmits(a) <=> top_retransmits(b);
  case TopColumn::Bytes:
    return bytes_of(a) <=> bytes_of(b);
  }
  return std::strong_ordering::equal;
}

} // namespace tcpsight
