#pragma once

#include "tcpsight/kernel/kernel_tables.hpp"
#include "tcpsight/kernel/socket_owners.hpp"
#include "tcpsight/model/socket_row.hpp"

#include <functional>
#include <string>
#include <vector>

namespace tcpsight {

// The socket tables of net-tools netstat, column for column.
struct NetstatColumns {
  bool listening = false; // -l: "only servers"
  bool all = false;       // -a: "servers and established"
  bool extend = false;    // -e: User and Inode
  bool timers = false;    // -o: Timer
  // -p: PID/Program name; null without it.
  const SocketOwners* owners = nullptr;
  // "127.0.0.1:80" or, without -n, "localhost:http": how an endpoint reads.
  std::function<std::string(const SocketRow&, const IpAddress&, std::uint16_t)> endpoint;
  // The user column of -e: a name, or the uid with -n.
  std::function<std::string(std::uint32_t)> user;
};

// "Active Internet connections ..." and the column titles.
std::string netstat_inet_header(const NetstatColumns& columns);
// One line per socket, formatted as the snapshot delivers it.
void append_netstat_inet_row(std::string& out, const SocketRow& row, const NetstatColumns& columns);

// "Active UNIX domain sockets ..." and the column titles.
std::string netstat_unix_header(const NetstatColumns& columns);
void append_netstat_unix_row(std::string& out, const SocketRow& row, const NetstatColumns& columns);

// "Kernel IP routing table": gateway_name gives a gateway's text
// (numeric with -n); without -n the default route reads "default".
std::string format_netstat_routes(const std::vector<Route>& routes, bool numeric,
                                  const std::function<std::string(std::uint32_t)>& gateway_name);

// "Kernel Interface table": interfaces that are up, or all of them.
std::string format_netstat_interfaces(const std::vector<InterfaceCounters>& interfaces, bool all);

// "IPv6/IPv4 Group Memberships": group_name gives a group's text.
std::string format_netstat_groups(const std::vector<MulticastGroup>& groups,
                                  const std::function<std::string(const IpAddress&)>& group_name);

// "IP masquerade connections": the translated ones among entries.
std::string format_netstat_masquerade(const std::vector<ConntrackEntry>& entries);

// Per-protocol counters, one "    Name: value" line each.
std::string format_netstat_statistics(const std::vector<ProtocolCounters>& protocols);

// "127.0.0.1:80", ":::22", "0.0.0.0:*": netstat's numeric endpoints.
std::string netstat_numeric_endpoint(const IpAddress& address, std::uint16_t port);

// "off (0.00/0/0)", "keepalive (7.12/0/0)", ...
std::string netstat_timer(const SocketRow& row);

} // namespace tcpsight
