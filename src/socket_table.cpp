#include "tcpsight/socket_table.hpp"

#include "append.hpp"
#include "tcpsight/json_format.hpp"

#include <fmt/format.h>

namespace tcpsight {
namespace {

using detail::append_left;
using detail::append_right;

std::string netid(const SocketRow& row) {
  if (row.protocol == Protocol::Unix)
    return "unix";
  return fmt::format("{}{}", protocol_name(row.protocol),
                     row.local.family == AddressFamily::IPv6 ? "6" : "");
}

std::string local_text(const SocketRow& row) {
  if (row.protocol == Protocol::Unix)
    return row.unix_path.empty() ? "*" : row.unix_path;
  return std::string(endpoint_text(row.local, row.local_port).view());
}

std::string remote_text(const SocketRow& row) {
  if (row.protocol == Protocol::Unix)
    return "*";
  return std::string(endpoint_text(row.remote, row.remote_port).view());
}

const std::vector<ProcessRef>* holders_of(const SocketRow& row, const SocketOwners* owners) {
  if (!owners)
    return nullptr;
  const auto it = owners->by_inode.find(row.inode);
  return it == owners->by_inode.end() ? nullptr : &it->second;
}

// "1234/nginx,1240/nginx", as netstat -p writes it.
std::string process_text(const std::vector<ProcessRef>* holders) {
  if (!holders)
    return "-";
  std::string text;
  for (const auto& process : *holders) {
    if (!text.empty())
      text += ',';
    text += fmt::format("{}/{}", process.pid, process.comm);
  }
  return text;
}

} // namespace

std::string_view socket_state_name(const SocketRow& row) {
  if (row.protocol == Protocol::Tcp)
    return tcp_state_name(row.state);
  if (row.protocol == Protocol::Unix && row.unix_listening)
    return "LISTEN";
  return row.state == TcpState::Established ? "ESTABLISHED" : "UNCONN";
}

std::string format_socket_table(const std::vector<SocketRow>& rows, const SocketOwners* owners) {
  std::string out;
  const auto line = [&](std::string_view id, std::string_view state, std::string_view recv_q,
                        std::string_view send_q, std::string_view local, std::string_view remote,
                        std::string_view process) {
    append_left(out, id, 6);
    out += ' ';
    append_left(out, state, 12);
    out += ' ';
    append_right(out, recv_q, 7);
    out += ' ';
    append_right(out, send_q, 7);
    out += ' ';
    append_left(out, local, 27);
    out += ' ';
    append_left(out, remote, 27);
    if (owners) {
      out += ' ';
      out += process;
    }
    while (!out.empty() && out.back() == ' ')
      out.pop_back();
    out += '\n';
  };
  line("Netid", "State", "Recv-Q", "Send-Q", "Local Address:Port", "Peer Address:Port",
       "PID/Program");
  for (const auto& row : rows)
    line(netid(row), socket_state_name(row), fmt::format("{}", row.recv_q),
         fmt::format("{}", row.send_q), local_text(row), remote_text(row),
         process_text(holders_of(row, owners)));
  return out;
}

std::string format_socket_json(const std::vector<SocketRow>& rows, const SocketOwners* owners) {
  std::string out;
  for (const auto& row : rows) {
    fmt::format_to(std::back_inserter(out),
                   R"({{"type":"socket","protocol":"{}","state":"{}","recv_q":{},"send_q":{},)"
                   R"("uid":{},"inode":{},"cookie":{})",
                   protocol_name(row.protocol), socket_state_name(row), row.recv_q, row.send_q,
                   row.uid, row.inode, row.cookie);
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
