#pragma once

#include "tcpsight/socket_row.hpp"

#include <cstddef>
#include <string>
#include <vector>

namespace tcpsight {

enum class SocketSelection {
  Connected, // netstat's default: no listeners
  Active,    // ss's default: no listeners, and no TCP socket in TIME_WAIT, SYN_RECV or CLOSE
  Listening, // TCP LISTEN, unconnected UDP and raw, listening unix sockets
  All,
};

bool is_listening(const SocketRow& row);

struct SnapshotRequest {
  std::vector<Protocol> protocols{Protocol::Tcp, Protocol::Udp, Protocol::Raw, Protocol::Unix};
  bool ipv4 = true;
  bool ipv6 = true;
  SocketSelection selection = SocketSelection::Connected;
  bool tcp_info = false; // rtt, cwnd and retransmissions of TCP sockets
};

struct Snapshot {
  std::vector<SocketRow> rows;
  std::size_t malformed = 0;      // /proc/net lines skipped
  std::vector<std::string> notes; // sources that fell back, and why
};

// The sockets of this network namespace: netlink sock_diag for TCP, UDP and
// raw, /proc/net where sock_diag cannot answer, /proc/net/unix for unix sockets.
Snapshot take_snapshot(const SnapshotRequest& request);

} // namespace tcpsight
