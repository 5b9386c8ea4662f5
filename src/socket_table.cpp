#include "tcpsight/socket_table.hpp"

#include "append.hpp"
#include "tcpsight/json_format.hpp"

#include <fmt/format.h>

namespace tcpsight {
namespace {

using detail::append_left;
using detail::append_right;

const std::vector<ProcessRef>* holders_of(const SocketRow& row, const SocketOwners* owners) {
  if (!owners)
    return nullptr;
  const auto it = owners->by_inode.find(row.inode);
  return it == owners->by_inode.end() ? nullptr : &it->second;
}

// "1234/nginx,1240/nginx".
void append_processes(std::string& out, const std::vector<ProcessRef>* holders) {
  if (!holders) {
    out += '-';
    return;
  }
  for (std::size_t i = 0; i < holders->size(); ++i) {
    if (i > 0)
      out += ',';
    detail::append_uint(out, (*holders)[i].pid);
    out += '/';
    out += (*holders)[i].comm;
  }
}

// " uid:0 ino:42 sk:7 cgroup:1" and " rtt:0.050/0.025 cwnd:10 retrans:0".
void append_details(std::string& out, const SocketRow& row, SocketTableDetails details) {
  if (details.extended)
    fmt::format_to(std::back_inserter(out), " uid:{} ino:{} sk:{:x} cgroup:{}", row.uid, row.inode,
                   row.cookie, row.cgroup_id);
  if (details.tcp_info && row.tcp_info)
    fmt::format_to(std::back_inserter(out), " rtt:{:.3f}/{:.3f} cwnd:{} retrans:{}",
                   row.tcp_info->rtt_us / 1000.0, row.tcp_info->rttvar_us / 1000.0,
                   row.tcp_info->cwnd, row.tcp_info->total_retransmits);
}

} // namespace

std::string_view socket_state_name(const SocketRow& row) {
  if (row.protocol == Protocol::Tcp)
    return tcp_state_name(row.state);
  if (row.protocol == Protocol::Unix && row.unix_listening)
    return "LISTEN";
  return row.state == TcpState::Established ? "ESTABLISHED" : "UNCONN";
}

std::string format_socket_table(const std::vector<SocketRow>& rows, const SocketOwners* owners,
                                SocketTableDetails details) {
  std::string out;
  out.reserve((rows.size() + 1) * 100);
  const auto end_line = [&] {
    while (!out.empty() && out.back() == ' ')
      out.pop_back();
    out += '\n';
  };
  // One layout for the header and the rows.
  const auto columns = [&](std::string_view id, std::string_view state) {
    append_left(out, id, 6);
    out += ' ';
    append_left(out, state, 12);
    out += ' ';
  };
  const auto endpoints = [&](std::string_view local, std::string_view remote) {
    out += ' ';
    append_left(out, local, 27);
    out += ' ';
    append_left(out, remote, 27);
  };
  columns("Netid", "State");
  append_right(out, "Recv-Q", 7);
  out += ' ';
  append_right(out, "Send-Q", 7);
  endpoints("Local Address:Port", "Peer Address:Port");
  if (owners)
    out += " PID/Program";
  end_line();

  for (const auto& row : rows) {
    const bool is_unix = row.protocol == Protocol::Unix;
    columns(socket_netid(row), socket_state_name(row));
    append_right(out, fmt::format_int(row.recv_q).str(), 7);
    out += ' ';
    append_right(out, fmt::format_int(row.send_q).str(), 7);
    if (is_unix)
      endpoints(row.unix_path.empty() ? "*" : row.unix_path, "*");
    else
      endpoints(endpoint_text(row.local, row.local_port).view(),
                endpoint_text(row.remote, row.remote_port).view());
    if (owners) {
      out += ' ';
      append_processes(out, holders_of(row, owners));
    }
    append_details(out, row, details);
    end_line();
  }
  return out;
}

std::string format_socket_json(const std::vector<SocketRow>& rows, const SocketOwners* owners) {
  std::string out;
  for (const auto& row : rows) {
    fmt::format_to(std::back_inserter(out),
                   R"({{"type":"socket","protocol":"{}","state":"{}","recv_q":{},"send_q":{},)"
                   R"("uid":{},"inode":{},"cookie":{},"cgroup_id":{})",
                   protocol_name(row.protocol), socket_state_name(row), row.recv_q, row.send_q,
                   row.uid, row.inode, row.cookie, row.cgroup_id);
    if (row.tcp_info)
      fmt::format_to(std::back_inserter(out),
                     R"(,"tcp_info":{{"rtt_ms":{:.3f},"rttvar_ms":{:.3f},"cwnd":{},)"
                     R"("retransmits":{}}})",
                     row.tcp_info->rtt_us / 1000.0, row.tcp_info->rttvar_us / 1000.0,
                     row.tcp_info->cwnd, row.tcp_info->total_retransmits);
    if (row.protocol == Protocol::Unix)
      fmt::format_to(std::back_inserter(out), R"(,"path":{},"unix_type":{})",
                     json_string(row.unix_path), row.unix_type);
    else
      fmt::format_to(std::back_inserter(out),
                     R"(,"family":"{}","saddr":"{}","sport":{},"daddr":"{}","dport":{})",
                     family_name(row.local.family), address_text(row.local).view(), row.local_port,
                     address_text(row.remote).view(), row.remote_port);
    if (owners) {
      out += R"(,"processes":[)";
      if (const auto* holders = holders_of(row, owners))
        for (std::size_t i = 0; i < holders->size(); ++i)
          fmt::format_to(std::back_inserter(out), R"({}{{"pid":{},"comm":{}}})", i ? "," : "",
                         (*holders)[i].pid, json_string((*holders)[i].comm));
      out += ']';
    }
    out += "}\n";
  }
  return out;
}

} // namespace tcpsight
