#pragma once

#include "tcpsight/model/event.hpp"
#include "tcpsight/model/socket_row.hpp"

#include <cstdint>
#include <optional>
#include <vector>

namespace tcpsight {

// A TCP socket open now (not in TIME_WAIT), and the process holding it.
struct OpenSocket {
  SocketRow row; // with its network namespace
  std::optional<Owner> owner;
};

// The TCP sockets of one network namespace at one moment.
struct OpenSockets {
  std::uint32_t netns = 0;
  std::vector<OpenSocket> sockets;
};

// Every TCP socket of this network namespace but those in TIME_WAIT, from
// sock_diag; with owners, who holds each (a BPF iterator or /proc); with
// tcp_info, each one's round trip and retransmissions.
OpenSockets open_tcp_sockets(bool with_owners, bool tcp_info = false);

} // namespace tcpsight
