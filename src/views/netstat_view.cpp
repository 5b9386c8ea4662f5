#include "tcpsight/views/netstat_view.hpp"
#include "tcpsight/views/printable.hpp"

#include "views/append.hpp"

#include <fmt/format.h>
#include <net/if.h>
#include <sys/socket.h>

namespace tcpsight {
namespace {

using detail::append_left;

constexpr std::size_t kAddressWidth = 23;

std::string_view selection_title(const NetstatColumns& columns) {
  if (columns.all)
    return "(servers and established)";
  if (columns.listening)
    return "(only servers)";
  return "(w/o servers)";
}

std::string process_column(const SocketRow& row, const NetstatColumns& columns) {
  const auto holders = columns.owners->holders(row.inode);
  if (holders.empty())
    return "-";
  // net-tools shows argv[0], cut to its last part when it is an absolute
  // path, and fits "PID/name" into 19 characters.
  const auto& process = holders.front();
  std::string_view name = process.command;
  if (!name.empty() && name.front() == '/')
    name = name.substr(name.rfind('/') + 1);
  auto text = fmt::format("{}/{}", process.pid, printable_text(name));
  cut_to(text, 19);
  return text;
}

std::string inet_state(const SocketRow& row) {
  switch (row.protocol) {
  case Protocol::Tcp:
    return std::string(tcp_state_name(row.state));
  case Protocol::Raw: // net-tools prints a raw socket's state as its number
    return std::to_string(static_cast<int>(row.state));
  default:
    return row.state == TcpState::Established ? "ESTABLISHED" : "";
  }
}

std::string_view unix_type(int type) {
  switch (type) {
  case SOCK_STREAM:
    return "STREAM";
  case SOCK_DGRAM:
    return "DGRAM";
  case SOCK_SEQPACKET:
    return "SEQPACKET";
  default:
    return "UNKNOWN";
  }
}

std::string_view unix_state(const SocketRow& row) {
  if (row.unix_listening)
    return "LISTENING";
  return row.state == TcpState::Established ? "CONNECTED" : "";
}

void trim_right(std::string& out) {
  while (!out.empty() && out.back() == ' ')
    out.pop_back();
  out += '\n';
}

} // namespace

std::string netstat_numeric_endpoint(const IpAddress& address, std::uint16_t port) {
  std::string text(address_text(address).view());
  text += ':';
  if (port == 0)
    text += '*';
  else
    detail::append_uint(text, port);
  return text;
}

std::string netstat_timer(const SocketRow& row) {
  static constexpr std::string_view kKinds[] = {"off", "on", "keepalive", "timewait", "probe"};
  const auto kind = row.timer < std::size(kKinds) ? kKinds[row.timer] : "unkn";
  const double seconds = row.timer == 0 ? 0.0 : row.timer_ms / 1000.0;
  return fmt::format("{} ({:.2f}/{}/0)", kind, seconds, row.retransmits);
}

std::string netstat_inet_header(const NetstatColumns& columns) {
  std::string out = fmt::format("Active Internet connections {}\n", selection_title(columns));
  out += "Proto Recv-Q Send-Q ";
  append_left(out, "Local Address", kAddressWidth);
  out += ' ';
  append_left(out, "Foreign Address", kAddressWidth);
  out += " State      ";
  if (columns.extend)
    out += " User       Inode     ";
  if (columns.owners)
    out += " PID/Program name    ";
  if (columns.timers)
    out += " Timer";
  trim_right(out);
  return out;
}

void append_netstat_inet_row(std::string& out, const SocketRow& row,
                             const NetstatColumns& columns) {
  // netstat's Send-Q of a listener is 0; sock_diag reports its backlog limit there (as ss shows).
  const auto send_q =
      row.protocol == Protocol::Tcp && row.state == TcpState::Listen ? 0 : row.send_q;
  append_left(out, socket_netid(row), 5);
  out += ' ';
  detail::append_right(out, fmt::format_int(row.recv_q).str(), 6);
  out += ' ';
  detail::append_right(out, fmt::format_int(send_q).str(), 6);
  out += ' ';
  append_left(out, columns.endpoint(row, row.id.local, row.id.local_port), kAddressWidth);
  out += ' ';
  append_left(out, columns.endpoint(row, row.id.remote, row.id.remote_port), kAddressWidth);
  out += ' ';
  append_left(out, inet_state(row), 11);
  if (columns.extend)
    fmt::format_to(std::back_inserter(out), " {:<10} {:<10}", columns.user(row.uid), row.inode);
  if (columns.owners) {
    out += ' ';
    append_left(out, process_column(row, columns), 20);
  }
  if (columns.timers) {
    out += ' ';
    out += netstat_timer(row);
  }
  trim_right(out);
}

std::string netstat_unix_header(const NetstatColumns& columns) {
  std::string out = fmt::format("Active UNIX domain sockets {}\n", selection_title(columns));
  out += "Proto RefCnt Flags       Type       State         I-Node  ";
  if (columns.owners)
    out += " PID/Program name    ";
  out += " Path";
  trim_right(out);
  return out;
}

void append_netstat_unix_row(std::string& out, const SocketRow& row,
                             const NetstatColumns& columns) {
  fmt::format_to(std::back_inserter(out), "unix  {:<6} {:<11} {:<10} {:<13} {:<8}",
                 row.unix_refcount, row.unix_listening ? "[ ACC ]" : "[ ]",
                 unix_type(row.unix_type), unix_state(row), row.inode);
  if (columns.owners) {
    out += ' ';
    append_left(out, process_column(row, columns), 20);
  }
  out += ' ';
  out += printable_text(row.unix_path);
  trim_right(out);
}

std::string format_netstat_routes(const std::vector<Route>& routes, bool numeric,
                                  const std::function<std::string(std::uint32_t)>& gateway_name) {
  const auto dotted = [](std::uint32_t word) { return to_string(ipv4_from_kernel_word(word)); };
  std::string out = "Kernel IP routing table\n"
                    "Destination     Gateway         Genmask         Flags   MSS Window  irtt "
                    "Iface\n";
  for (const auto& route : routes) {
    const auto destination = !numeric && route.destination == 0 && route.mask == 0
                                 ? "default"
                                 : dotted(route.destination);
    fmt::format_to(std::back_inserter(out), "{:<15} {:<15} {:<15} {:<6} {:>4} {:<6} {:>5} {}\n",
                   destination, gateway_name(route.gateway), dotted(route.mask),
                   route_flags(route.flags), route.mss, route.window, route.irtt, route.interface);
  }
  return out;
}

std::string format_netstat_interfaces(const std::vector<InterfaceCounters>& interfaces, bool all) {
  std::string out = "Kernel Interface table\n"
                    "Iface             MTU    RX-OK RX-ERR RX-DRP RX-OVR    TX-OK TX-ERR TX-DRP "
                    "TX-OVR Flg\n";
  for (const auto& i : interfaces) {
    if (!all && !(i.flags & IFF_UP))
      continue;
    fmt::format_to(std::back_inserter(out),
                   "{:<15} {:>5} {:>8} {:>6} {:>6} {:<6} {:>8} {:>6} {:>6} {:>6} {}\n", i.name,
                   i.mtu, i.rx_packets, i.rx_errors, i.rx_dropped, i.rx_fifo, i.tx_packets,
                   i.tx_errors, i.tx_dropped, i.tx_fifo, interface_flags(i.flags));
  }
  return out;
}

std::string format_netstat_groups(const std::vector<MulticastGroup>& groups,
                                  const std::function<std::string(const IpAddress&)>& group_name) {
  std::string out = "IPv6/IPv4 Group Memberships\n"
                    "Interface       RefCnt Group\n"
                    "--------------- ------ ---------------------\n";
  for (const auto& group : groups)
    fmt::format_to(std::back_inserter(out), "{:<15} {:<6} {}\n", group.interface, group.users,
                   group_name(group.group));
  return out;
}

std::string format_netstat_masquerade(const std::vector<ConntrackEntry>& entries) {
  std::string out = "IP masquerade connections\n"
                    "prot   expire source               destination          ports\n";
  for (const auto& e : entries)
    if (e.translated())
      fmt::format_to(std::back_inserter(out), "{:<5} {:>7} {:<20} {:<20} {} -> {} ({} -> {})\n",
                     e.protocol, e.expires_s, to_string(e.original_source),
                     to_string(e.original_destination), e.original_sport, e.original_dport,
                     e.reply_dport, e.reply_sport);
  return out;
}

std::string format_netstat_statistics(const std::vector<ProtocolCounters>& protocols) {
  std::string out;
  for (const auto& protocol : protocols) {
    fmt::format_to(std::back_inserter(out), "{}:\n", protocol.protocol);
    for (const auto& [name, value] : protocol.counters)
      fmt::format_to(std::back_inserter(out), "    {}: {}\n", name, value);
  }
  return out;
}

} // namespace tcpsight
