#pragma once

// ss -s's figures: how many sockets of each kind the kernel holds, from
// /proc/net/sockstat, /proc/net/sockstat6 and /proc/net/snmp.

#include <cstdint>
#include <istream>

namespace tcpsight {

struct SocketSummary {
  std::uint32_t netns = 0; // the namespace counted (the TCP totals are the whole kernel's)
  std::int64_t sockets_used = 0;
  // TCP: allocated full sockets, timewait sockets, orphans (closed by their
  // process, still held by the kernel) and established connections.
  std::int64_t tcp_allocated = 0;
  std::int64_t tcp_time_wait = 0;
  std::int64_t tcp_orphaned = 0;
  std::int64_t tcp_established = 0;
  // Sockets in the lookup tables (TCP: not counting timewait sockets), and
  // IP fragment queues, per family.
  struct PerFamily {
    std::int64_t ipv4 = 0;
    std::int64_t ipv6 = 0;
    std::int64_t total() const { return ipv4 + ipv6; }
  };
  PerFamily raw, udp, tcp, fragments;
  std::size_t malformed_lines = 0; // of sockstat, sockstat6 and snmp, skipped

  // All TCP sockets, timewait ones included, as ss counts them.
  std::int64_t tcp_total() const { return tcp_allocated + tcp_time_wait; }
  // Allocated but in no table: closed, or not yet bound.
  std::int64_t tcp_closed() const { return tcp_total() - tcp.total(); }
};

// Adds the lines of /proc/net/sockstat or sockstat6 ("TCP: inuse 1 orphan 0
// tw 35 alloc 1 mem 257", "TCP6: inuse 0", ...) to summary; a line that
// does not parse is counted in malformed.
void parse_sockstat(std::istream& table, SocketSummary& summary, std::size_t& malformed);

// The running kernel's figures, for the calling thread's network
// namespace. Throws tcpsight::Error if /proc/net/sockstat cannot be read;
// the other files are optional (no IPv6, no snmp: zero).
SocketSummary read_socket_summary();

} // namespace tcpsight
