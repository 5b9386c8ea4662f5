#pragma once

#include "tcpsight/model/socket_row.hpp"

#include <cstddef>
#include <istream>
#include <vector>

namespace tcpsight {

// Parsers of the /proc/net socket tables, the fallback when netlink
// sock_diag is not available. A line that does not parse is skipped and
// counted, never fatal.
struct ParsedRows {
  std::vector<SocketRow> rows;
  std::size_t malformed = 0;
};

// Streaming: each row goes to visit as its line is read; returns the number
// of malformed lines.
// /proc/net/{tcp,tcp6,udp,udp6,raw,raw6}.
std::size_t visit_proc_net_inet(std::istream& table, Protocol protocol, AddressFamily family,
                                const SocketVisitor& visit);
// /proc/net/unix.
std::size_t visit_proc_net_unix(std::istream& table, const SocketVisitor& visit);

// The same, kept in memory.
// /proc/net/{tcp,tcp6,udp,udp6,raw,raw6}.
ParsedRows parse_proc_net_inet(std::istream& table, Protocol protocol, AddressFamily family);

// /proc/net/unix.
ParsedRows parse_proc_net_unix(std::istream& table);

} // namespace tcpsight
