#pragma once

#include "tcpsight/socket_row.hpp"

#include <vector>

namespace tcpsight {

// Every TCP or UDP socket of one family in the caller's network namespace,
// dumped through netlink sock_diag (INET_DIAG), the interface ss uses. Throws
// tcpsight::Error when the kernel cannot answer (no sock_diag module for that
// protocol, say), and for raw sockets, which it lists only one IP protocol at
// a time: callers read /proc/net then.
// With tcp_info, TCP rows carry rtt, cwnd and retransmissions (more work
// for the kernel: ask only when they are shown).
std::vector<SocketRow> inet_diag_dump(Protocol protocol, AddressFamily family,
                                      bool tcp_info = false);

} // namespace tcpsight
