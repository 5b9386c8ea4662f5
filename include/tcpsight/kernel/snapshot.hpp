#pragma once

#include "tcpsight/model/socket_row.hpp"

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace tcpsight {

enum class SocketSelection {
  Connected, // netstat's default: no listeners
  Listening, // TCP LISTEN, unconnected UDP and raw, listening unix sockets
  All,
};

bool is_listening(const SocketRow& row);

// Where TCP and UDP sockets are read from. Automatic tries sock_diag, then
// (when privileged) BPF iterators, then /proc/net, and notes each fallback;
// the others use one source and fail if it cannot answer. Raw sockets
// always come from /proc/net; ProcNet reads unix sockets there too.
enum class SnapshotSource { Automatic, SockDiag, BpfIterator, ProcNet };

struct SnapshotRequest {
  std::vector<Protocol> protocols{Protocol::Tcp, Protocol::Udp, Protocol::Raw, Protocol::Unix};
  bool ipv4 = true;
  bool ipv6 = true;
  SocketSelection selection = SocketSelection::Connected;
  bool tcp_info = false;      // rtt, cwnd and retransmissions of TCP sockets
  bool memory = false;        // the memory of TCP, UDP and unix sockets (sock_diag only)
  bool traffic_class = false; // ToS, traffic class, class id of TCP and UDP (sock_diag only)
  bool unix_files = false;    // unix sockets' bound files and pending connections (UNIX_DIAG)
  // netstat's RefCnt of unix sockets: only /proc/net/unix has it, so it is
  // read instead of UNIX_DIAG (which has the peers and queues instead).
  bool unix_refcounts = false;
  SnapshotSource source = SnapshotSource::Automatic;
};

// How a snapshot went.
struct SnapshotStatus {
  std::size_t malformed = 0;      // /proc/net lines skipped
  std::vector<std::string> notes; // sources that fell back, and why
};

// The sockets of the calling thread's network namespace, handed to visit one
// at a time as the sources deliver them, so that memory does not grow with
// their number: netlink sock_diag for TCP, UDP (INET_DIAG) and unix sockets
// (UNIX_DIAG); /proc/net for raw sockets and unix reference counts; see
// SnapshotSource for the fallbacks. Rows carry the namespace's inode.
SnapshotStatus visit_snapshot(const SnapshotRequest& request, const SocketVisitor& visit);

// The inode of the calling thread's network namespace.
std::uint32_t current_netns();

} // namespace tcpsight
