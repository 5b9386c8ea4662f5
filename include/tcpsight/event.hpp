#pragma once

#include "tcpsight/ip_address.hpp"
#include "tcpsight/tcp_state.hpp"

#include <cstdint>
#include <optional>
#include <string>

namespace tcpsight {

// One TCP state transition of one socket, decoded from the kernel's record.
struct Transition {
  std::uint64_t ts_ns = 0;                // CLOCK_MONOTONIC, as the kernel took it
  std::uint64_t sock_id = 0;              // unique among live sockets
  std::optional<std::uint64_t> ns_in_old; // unknown for a socket's first transition seen
  std::uint32_t pid = 0;                  // the task running when the state changed
  std::string comm;                       // its command name: any bytes, at most 15
  IpAddress local;
  std::uint16_t local_port = 0;
  IpAddress remote;
  std::uint16_t remote_port = 0;
  TcpState old_state = TcpState::Close;
  TcpState new_state = TcpState::Close;

  AddressFamily family() const { return local.family; }

  friend bool operator==(const Transition&, const Transition&) = default;
};

} // namespace tcpsight
