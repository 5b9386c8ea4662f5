#pragma once

// The other tables netstat shows, read from /proc: protocol counters (-s),
// the IPv4 routing table (-r) and interface counters (-i). Parsers take a
// stream; lines that do not parse are skipped and counted.

#include "tcpsight/model/ip_address.hpp"

#include <cstddef>
#include <cstdint>
#include <istream>
#include <string>
#include <utility>
#include <vector>

namespace tcpsight {

// One protocol's counters, in the kernel's order: "Tcp" with ActiveOpens, ...
struct ProtocolCounters {
  std::string protocol;
  std::vector<std::pair<std::string, std::int64_t>> counters;
};

// /proc/net/snmp and /proc/net/netstat: pairs of "Proto: names" and
// "Proto: values" lines.
std::vector<ProtocolCounters> parse_protocol_counters(std::istream& table, std::size_t& malformed);

struct Route {
  std::string interface;
  std::uint32_t destination = 0; // network byte order, as the kernel keeps them
  std::uint32_t gateway = 0;
  std::uint32_t mask = 0;
  std::uint32_t flags = 0; // RTF_UP, RTF_GATEWAY, ...
  std::uint32_t mss = 0;
  std::uint32_t window = 0;
  std::uint32_t irtt = 0;
};

// /proc/net/route.
std::vector<Route> parse_proc_net_route(std::istream& table, std::size_t& malformed);

// "UG", "UH", ... as netstat -r shows a route's flags.
std::string route_flags(std::uint32_t flags);

struct InterfaceCounters {
  std::string name;
  std::uint64_t rx_packets = 0, rx_errors = 0, rx_dropped = 0, rx_fifo = 0;
  std::uint64_t tx_packets = 0, tx_errors = 0, tx_dropped = 0, tx_fifo = 0;
  std::uint32_t mtu = 0;   // from the kernel, not /proc/net/dev
  std::uint32_t flags = 0; // IFF_*, likewise
};

// /proc/net/dev.
std::vector<InterfaceCounters> parse_proc_net_dev(std::istream& table, std::size_t& malformed);

// Fills mtu and flags of each interface from the kernel (SIOCGIFMTU, SIOCGIFFLAGS).
void read_interface_settings(std::vector<InterfaceCounters>& interfaces);

// "BMRU", "LRU", ... as netstat -i shows an interface's flags.
std::string interface_flags(std::uint32_t flags);

struct MulticastGroup {
  std::string interface;
  std::uint32_t users = 0;
  IpAddress group;
};

// /proc/net/igmp (IPv4) and /proc/net/igmp6.
std::vector<MulticastGroup> parse_proc_net_igmp(std::istream& table, std::size_t& malformed);
std::vector<MulticastGroup> parse_proc_net_igmp6(std::istream& table, std::size_t& malformed);

// One tracked connection, both directions.
struct ConntrackEntry {
  std::string protocol; // "tcp", "udp", ...
  std::uint64_t expires_s = 0;
  IpAddress original_source, original_destination, reply_source, reply_destination;
  std::uint16_t original_sport = 0, original_dport = 0, reply_sport = 0, reply_dport = 0;

  // Rewritten on the way (SNAT/masquerade or DNAT): the reply does not
  // mirror the original.
  bool translated() const;
};

// /proc/net/nf_conntrack.
std::vector<ConntrackEntry> parse_nf_conntrack(std::istream& table, std::size_t& malformed);

} // namespace tcpsight
