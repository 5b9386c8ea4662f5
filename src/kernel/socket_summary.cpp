#include "tcpsight/kernel/socket_summary.hpp"

#include "model/parse_number.hpp"
#include "tcpsight/kernel/kernel_tables.hpp"
#include "tcpsight/kernel/snapshot.hpp"
#include "tcpsight/model/error.hpp"

#include <fmt/format.h>
#include <fstream>
#include <sstream>
#include <string>

namespace tcpsight {
namespace {

using detail::parse_number;

// Where a sockstat line's "inuse" goes: "TCP" to tcp.ipv4, "RAW6" to raw.ipv6, ...
std::int64_t* in_use_counter(SocketSummary& summary, const std::string& protocol) {
  const bool ipv6 = !protocol.empty() && protocol.back() == '6';
  const auto base = ipv6 ? protocol.substr(0, protocol.size() - 1) : protocol;
  SocketSummary::PerFamily* family = base == "TCP"    ? &summary.tcp
                                     : base == "UDP"  ? &summary.udp
                                     : base == "RAW"  ? &summary.raw
                                     : base == "FRAG" ? &summary.fragments
                                                      : nullptr;
  if (!family)
    return nullptr; // UDPLITE, and what later kernels add
  return ipv6 ? &family->ipv6 : &family->ipv4;
}

} // namespace

void parse_sockstat(std::istream& table, SocketSummary& summary, std::size_t& malformed) {
  for (std::string line; std::getline(table, line);) {
    std::istringstream words(line);
    std::string protocol;
    if (!(words >> protocol) || protocol.size() < 2 || protocol.back() != ':') {
      ++malformed;
      continue;
    }
    protocol.pop_back();
    // "name value" pairs after the protocol.
    for (std::string name, value; words >> name >> value;) {
      const auto number = parse_number<std::int64_t>(value);
      if (!number) {
        ++malformed;
        break;
      }
      if (protocol == "sockets" && name == "used")
        summary.sockets_used = *number;
      else if (protocol == "TCP" && name == "tw")
        summary.tcp_time_wait = *number;
      else if (protocol == "TCP" && name == "alloc")
        summary.tcp_allocated = *number;
      else if (protocol == "TCP" && name == "orphan")
        summary.tcp_orphaned = *number;
      else if (name == "inuse")
        if (auto* counter = in_use_counter(summary, protocol))
          *counter = *number;
    }
  }
}

SocketSummary read_socket_summary() {
  SocketSummary summary{.netns = current_netns()};
  std::size_t malformed = 0;
  // thread-self: a thread that entered another namespace reads that one's.
  std::ifstream sockstat("/proc/thread-self/net/sockstat");
  if (!sockstat)
    throw Error("cannot read /proc/net/sockstat");
  parse_sockstat(sockstat, summary, malformed);
  if (std::ifstream sockstat6("/proc/thread-self/net/sockstat6"); sockstat6)
    parse_sockstat(sockstat6, summary, malformed);
  if (std::ifstream snmp("/proc/thread-self/net/snmp"); snmp)
    for (const auto& protocol : parse_protocol_counters(snmp, malformed))
      if (protocol.protocol == "Tcp")
        for (const auto& [name, value] : protocol.counters)
          if (name == "CurrEstab")
            summary.tcp_established = value;
  summary.malformed_lines = malformed;
  return summary;
}

} // namespace tcpsight
