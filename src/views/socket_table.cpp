#include "tcpsight/views/socket_table.hpp"
#include "tcpsight/views/printable.hpp"

#include "tcpsight/views/json_writer.hpp"
#include "views/append.hpp"
#include "views/json_members.hpp"

#include <fmt/format.h>
#include <sys/socket.h>
#include <sys/sysmacros.h>
#include <vector>

namespace tcpsight {
namespace {

using detail::append_left;
using detail::append_right;
using detail::append_uint;

// "1234/nginx,1240/nginx", or "-" when no process holds the socket;
// threads (ls -T) as "1234/1236/worker".
void append_processes(std::string& out, const SocketOwners& owners, std::uint64_t inode) {
  const auto start = out.size();
  for (const auto& process : owners.holders(inode)) {
    if (out.size() > start)
      out += ',';
    append_uint(out, process.pid);
    out += '/';
    if (process.tid != 0) {
      append_uint(out, process.tid);
      out += '/';
    }
    out += printable_text(process.comm);
  }
  if (out.size() == start)
    out += '-';
}

// The kernel's idiag_timer values, by ss's names.
constexpr const char* kTimerNames[] = {"off", "on", "keepalive", "timewait", "persist"};

const char* timer_name(std::uint8_t timer) {
  return timer < std::size(kTimerNames) ? kTimerNames[timer] : "unknown";
}

// A number as C's %#x writes it, as ss does: "0", "0x10".
std::string alternate_hex(std::uint32_t value) {
  return value == 0 ? "0" : fmt::format("{:#x}", value);
}

// ss's cgroup:PATH, "unreachable:ID" for a cgroup no longer there.
std::string cgroup_path(const SocketRow& row, const SocketTableColumns& columns) {
  const auto* cgroup = columns.cgroups ? columns.cgroups(row.cgroup_id) : nullptr;
  return cgroup ? printable_text(cgroup->path) : fmt::format("unreachable:{:x}", row.cgroup_id);
}

// The inet socket options set, named and ordered as ss --inet-sockopt does.
std::vector<std::string_view> inet_option_names(const SocketRow::InetOptions& set) {
  std::vector<std::string_view> names;
  for (const auto& [on, name] : {std::pair{set.recverr, "recverr"},
                                 {set.is_icsk, "is_icsk"},
                                 {set.freebind, "freebind"},
                                 {set.hdrincl, "hdrincl"},
                                 {set.mc_loop, "mc_loop"},
                                 {set.transparent, "transparent"},
                                 {set.mc_all, "mc_all"},
                                 {set.nodefrag, "nodefrag"},
                                 {set.bind_address_no_port, "bind_addr_no_port"},
                                 {set.recverr_rfc4884, "recverr_rfc4884"},
                                 {set.defer_connect, "defer_connect"}})
    if (on)
      names.emplace_back(name);
  return names;
}

std::string inet_options_text(const SocketRow::InetOptions& set) {
  std::string out = "inet-sockopt: (";
  for (const auto name : inet_option_names(set))
    fmt::format_to(std::back_inserter(out), " {}", name);
  return out + ")";
}

// ss's arrows: "<->" both ways open, "-" for a direction shut down
// (receiving on the left, sending on the right).
std::string shutdown_arrows(std::uint8_t shutdown) {
  return fmt::format("{}-{}", shutdown & 1 ? '-' : '<', shutdown & 2 ? '-' : '>');
}

// What -m and -e add to a unix socket, in ss's order: memory, the
// directions open, the bound file (inode, device), the pending connections.
void append_unix_details(std::string& out, const SocketRow& row,
                         const SocketTableColumns& columns) {
  if (columns.memory && row.memory)
    out += " " + ss_memory(*row.memory);
  if (!columns.extended)
    return;
  if (row.shutdown)
    out += " " + shutdown_arrows(*row.shutdown);
  // ss splits the kernel's device number as user space lays one out
  // (/tmp on 254:0 reads dev:0/65024): written the same, to compare.
  if (row.unix_file)
    fmt::format_to(std::back_inserter(out), " ino:{} dev:{}/{}", row.unix_file->inode,
                   major(row.unix_file->device), minor(row.unix_file->device));
  if (row.unix_pending) {
    out += " peers:";
    for (const auto inode : *row.unix_pending)
      fmt::format_to(std::back_inserter(out), " {}", inode);
  }
}

// After the ends, in ss's order: timer, -e's details, ToS, cgroup, inet
// options, memory, TCP internals.
void append_details(std::string& out, const SocketRow& row, const SocketTableColumns& columns) {
  if (row.protocol == Protocol::Unix) {
    append_unix_details(out, row, columns);
    if (columns.cgroup_names)
      out += " cgroup:-"; // unix sockets do not tell their cgroup
    return;
  }
  const auto add = [&](std::string_view text) {
    out += ' ';
    out += text;
  };
  if (columns.timers && row.timer != 0)
    add(ss_timer(row));
  if (columns.extended) {
    if (row.uid != 0)
      add(fmt::format("uid:{}", row.uid));
    add(fmt::format("ino:{} sk:{:x}", row.inode, row.id.sock_id));
    if (row.mark.value_or(0) != 0)
      add(fmt::format("fwmark:{:#x}", *row.mark));
    if (row.cgroup_id != 0)
      add("cgroup:" + cgroup_path(row, columns));
    if (row.v6only)
      add(fmt::format("v6only:{}", *row.v6only ? 1 : 0));
    if (row.shutdown)
      add(shutdown_arrows(*row.shutdown));
  }
  if (columns.traffic_class) {
    if (row.tos)
      add("tos:" + alternate_hex(*row.tos));
    if (row.tclass)
      add("tclass:" + alternate_hex(*row.tclass));
    if (row.class_id)
      add("class_id:" + alternate_hex(*row.class_id));
  }
  if (columns.cgroup_paths && row.cgroup_id != 0)
    add("cgroup:" + cgroup_path(row, columns));
  if (columns.inet_options && row.inet_options)
    add(inet_options_text(*row.inet_options));
  if (columns.cgroup_names) {
    const auto* cgroup =
        row.cgroup_id && columns.cgroups ? columns.cgroups(row.cgroup_id) : nullptr;
    add("cgroup:" + (cgroup ? printable_text(cgroup_display_name(*cgroup)) : std::string("-")));
  }
  if (columns.memory && row.memory)
    add(ss_memory(*row.memory));
  if (columns.tcp_info && row.tcp_info)
    add(fmt::format("rtt:{:.3f}/{:.3f} cwnd:{} retrans:{}", row.tcp_info->rtt_us / 1000.0,
                    row.tcp_info->rttvar_us / 1000.0, row.tcp_info->cwnd,
                    row.tcp_info->total_retransmits));
}

void end_line(std::string& out) {
  while (!out.empty() && out.back() == ' ')
    out.pop_back();
  out += '\n';
}

// The columns up to the addresses, shared by the header and the rows.
void append_leading_columns(std::string& out, const SocketTableColumns& columns,
                            std::string_view netns, std::string_view id, std::string_view state,
                            std::string_view recv_q, std::string_view send_q) {
  if (columns.netns) {
    append_left(out, netns, 10);
    out += ' ';
  }
  append_left(out, id, 6);
  out += ' ';
  append_left(out, state, 12);
  out += ' ';
  append_right(out, recv_q, 7);
  out += ' ';
  append_right(out, send_q, 7);
}

void append_endpoints(std::string& out, std::string_view local, std::string_view remote) {
  out += ' ';
  append_left(out, local, 27);
  out += ' ';
  append_left(out, remote, 27);
}

// As ss shows unix sockets: the path (or "*") and the inode, then "*" and
// the peer's inode (0 when unknown or unconnected).
void append_unix_endpoints(std::string& out, const SocketRow& row) {
  std::string local(row.unix_path.empty() ? "*" : printable_text(row.unix_path));
  local += ' ';
  append_uint(local, row.inode);
  std::string peer = "* ";
  append_uint(peer, row.unix_peer);
  append_endpoints(out, local, peer);
}

void write_tcp_info(JsonWriter& json, const SocketRow::TcpInfo& info) {
  json.key<"tcp_info">().begin_object();
  json.key<"rtt_ms">().three_decimals(info.rtt_us / 1000.0);
  json.key<"rttvar_ms">().three_decimals(info.rttvar_us / 1000.0);
  json.key<"cwnd">().number(info.cwnd).key<"retransmits">().number(info.total_retransmits);
  json.end_object();
}

// [{"pid":1234,"comm":"nginx"}, ...]: the processes holding the socket.
void write_processes(JsonWriter& json, const SocketOwners& owners, std::uint64_t inode) {
  json.key<"processes">().begin_array();
  for (const auto& process : owners.holders(inode)) {
    json.begin_object().key<"pid">().number(process.pid);
    if (process.tid != 0)
      json.key<"tid">().number(process.tid);
    json.key<"comm">().string(process.comm).end_object();
  }
  json.end_array();
}

// An inet end as ss writes it: "*" for the unspecified address of an IPv6
// socket that takes IPv4 too (not v6only), then the port or the service.
std::string table_endpoint(const SocketRow& row, const IpAddress& address, std::uint16_t port,
                           const SocketTableColumns& columns) {
  const bool dual_stack_wildcard = address.family == AddressFamily::IPv6 &&
                                   is_unspecified(address) && !row.v6only.value_or(false);
  if (columns.names) {
    auto text = resolved_endpoint(*columns.names, row.protocol, address, port, columns.port_names);
    if (!dual_stack_wildcard)
      return text;
    const std::string_view service = std::string_view(text).substr(text.rfind(':') + 1);
    return fmt::format("*:{}", service);
  }
  if (dual_stack_wildcard)
    return fmt::format("*:{}", port);
  return std::string(endpoint_text(address, port).view());
}

} // namespace

std::string_view socket_state_name(const SocketRow& row) {
  if (row.protocol == Protocol::Tcp)
    return tcp_state_name(row.state);
  if (row.protocol == Protocol::Unix && row.unix_listening)
    return "LISTEN";
  return row.state == TcpState::Established ? "ESTABLISHED" : "UNCONN";
}

std::string socket_table_header(const SocketTableColumns& columns) {
  std::string out;
  append_leading_columns(out, columns, "Netns", "Netid", "State", "Recv-Q", "Send-Q");
  append_endpoints(out, "Local Address:Port", "Peer Address:Port");
  if (columns.owners)
    out += columns.threads ? " PID/TID/Thread" : " PID/Program";
  end_line(out);
  return out;
}

std::string resolved_endpoint(NameResolver& names, Protocol protocol, const IpAddress& address,
                              std::uint16_t port, bool port_names) {
  auto host = names.host(address);
  if (address.family == AddressFamily::IPv6 && host == to_string(address))
    host = "[" + host + "]";
  const auto service =
      port_names || port == 0 ? names.service(port, protocol) : std::to_string(port);
  return printable_text(host) + ":" + service;
}

std::string ss_duration(std::uint32_t ms) {
  auto minutes = ms / 60000;
  auto seconds = ms / 1000 % 60;
  auto millis = ms % 1000;
  std::string out;
  // Past a minute, no milliseconds; past ten, no seconds; past ten seconds, no milliseconds.
  if (minutes > 0) {
    out += fmt::format("{}min", minutes);
    millis = 0;
    if (minutes > 9)
      seconds = 0;
  }
  if (seconds > 0) {
    if (seconds > 9)
      millis = 0;
    out += fmt::format("{}{}", seconds, millis ? "." : "sec");
  }
  if (millis > 0)
    out += fmt::format("{:03}ms", millis);
  return out;
}

std::string ss_memory(const SocketRow::Memory& m) {
  return fmt::format("skmem:(r{},rb{},t{},tb{},f{},w{},o{},bl{},d{})", m[0], m[1], m[2], m[3], m[4],
                     m[5], m[6], m[7], m[8]);
}

std::string ss_timer(const SocketRow& row) {
  if (row.timer == 0)
    return "";
  return fmt::format("timer:({},{},{})", timer_name(row.timer), ss_duration(row.timer_ms),
                     row.retransmits);
}

namespace {

// ss's Netid: unix sockets by type.
std::string_view table_netid(const SocketRow& row) {
  if (row.protocol != Protocol::Unix)
    return socket_netid(row);
  return row.unix_type == SOCK_DGRAM       ? "u_dgr"
         : row.unix_type == SOCK_SEQPACKET ? "u_seq"
                                           : "u_str";
}

} // namespace

void append_socket_table_row(std::string& out, const SocketRow& row,
                             const SocketTableColumns& columns) {
  append_leading_columns(out, columns, fmt::format_int(row.id.netns).c_str(), table_netid(row),
                         socket_state_name(row), fmt::format_int(row.recv_q).c_str(),
                         fmt::format_int(row.send_q).c_str());
  if (row.protocol == Protocol::Unix)
    append_unix_endpoints(out, row);
  else
    append_endpoints(out, table_endpoint(row, row.id.local, row.id.local_port, columns),
                     table_endpoint(row, row.id.remote, row.id.remote_port, columns));
  if (columns.owners) {
    out += ' ';
    append_processes(out, *columns.owners, row.inode);
  }
  append_details(out, row, columns);
  end_line(out);
}

void append_socket_json(std::string& out, const SocketRow& row, const SocketOwners* owners,
                        const CgroupInfo* cgroup) {
  JsonWriter json(out);
  json.begin_object().key<"type">().plain_string("socket");
  json.key<"protocol">().plain_string(protocol_name(row.protocol));
  json.key<"state">().plain_string(socket_state_name(row));
  json.key<"recv_q">().number(row.recv_q).key<"send_q">().number(row.send_q);
  json.key<"uid">().number(row.uid).key<"inode">().number(row.inode).key<"cookie">().number(
      row.id.sock_id);
  json.key<"cgroup_id">().number(row.cgroup_id);
  detail::write_cgroup_members(json, cgroup);
  json.key<"netns">().number(row.id.netns);
  json.key<"timer">();
  if (row.timer == 0)
    json.null();
  else
    json.begin_object()
        .key<"name">()
        .plain_string(timer_name(row.timer))
        .key<"expires_ms">()
        .number(row.timer_ms)
        .key<"retransmits">()
        .number(row.retransmits)
        .end_object();
  if (row.tcp_info)
    write_tcp_info(json, *row.tcp_info);
  if (row.memory) {
    const auto& m = *row.memory;
    json.key<"skmem">().begin_object();
    json.key<"rmem_alloc">().number(m[0]).key<"rcvbuf">().number(m[1]);
    json.key<"wmem_alloc">().number(m[2]).key<"sndbuf">().number(m[3]);
    json.key<"fwd_alloc">().number(m[4]).key<"wmem_queued">().number(m[5]);
    json.key<"optmem">().number(m[6]).key<"backlog">().number(m[7]).key<"drops">().number(m[8]);
    json.end_object();
  }
  if (row.tos)
    json.key<"tos">().number(*row.tos);
  if (row.tclass)
    json.key<"tclass">().number(*row.tclass);
  if (row.class_id)
    json.key<"class_id">().number(*row.class_id);
  if (row.inet_options) {
    json.key<"inet_sockopt">().begin_array();
    for (const auto name : inet_option_names(*row.inet_options))
      json.plain_string(name);
    json.end_array();
  }
  if (row.shutdown)
    json.key<"shutdown">().number(*row.shutdown);
  if (row.v6only)
    json.key<"v6only">().boolean(*row.v6only);
  if (row.protocol == Protocol::Unix) {
    json.key<"path">().string(row.unix_path).key<"unix_type">().number(row.unix_type);
    json.key<"peer_inode">().number(row.unix_peer);
    if (row.unix_file)
      json.key<"file_inode">()
          .number(row.unix_file->inode)
          .key<"file_device">()
          .plain_string(fmt::format("{}:{}", row.unix_file->device >> 20,
                                    row.unix_file->device & 0xfffff)); // the kernel's layout
    if (row.unix_pending) {
      json.key<"pending">().begin_array();
      for (const auto inode : *row.unix_pending)
        json.number(inode);
      json.end_array();
    }
  } else {
    detail::write_endpoint_members(json, row.id);
  }
  if (owners)
    write_processes(json, *owners, row.inode);
  json.end_object().end_line();
}

} // namespace tcpsight
