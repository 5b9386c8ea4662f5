#include "tcpsight/snapshot.hpp"

#include "tcpsight/error.hpp"
#include "tcpsight/proc_net.hpp"
#include "tcpsight/sock_diag.hpp"

#include <algorithm>
#include <fmt/format.h>
#include <fstream>

namespace tcpsight {
namespace {

std::string proc_net_path(Protocol protocol, AddressFamily family) {
  return fmt::format("/proc/net/{}{}", protocol_name(protocol),
                     family == AddressFamily::IPv6 ? "6" : "");
}

ParsedRows read_proc_net(const std::string& path, Protocol protocol, AddressFamily family) {
  std::ifstream table(path);
  if (!table)
    return {};
  return protocol == Protocol::Unix ? parse_proc_net_unix(table)
                                    : parse_proc_net_inet(table, protocol, family);
}

void add_proc_net(Snapshot& snapshot, Protocol protocol, AddressFamily family) {
  auto parsed = read_proc_net(proc_net_path(protocol, family), protocol, family);
  snapshot.rows.insert(snapshot.rows.end(), parsed.rows.begin(), parsed.rows.end());
  snapshot.malformed += parsed.malformed;
}

void add_inet(Snapshot& snapshot, Protocol protocol, AddressFamily family, bool tcp_info) {
  // sock_diag lists raw sockets one IP protocol at a time: /proc/net/raw has them all.
  if (protocol == Protocol::Raw) {
    add_proc_net(snapshot, protocol, family);
    return;
  }
  try {
    auto rows = inet_diag_dump(protocol, family, tcp_info);
    snapshot.rows.insert(snapshot.rows.end(), rows.begin(), rows.end());
  } catch (const Error& e) {
    const auto path = proc_net_path(protocol, family);
    snapshot.notes.push_back(fmt::format("{}; read {} instead", e.what(), path));
    add_proc_net(snapshot, protocol, family);
  }
}

bool selected(const SocketRow& row, SocketSelection selection) {
  switch (selection) {
  case SocketSelection::Listening:
    return is_listening(row);
  case SocketSelection::Connected:
    return !is_listening(row);
  case SocketSelection::Active:
    return !is_listening(row) &&
           !(row.protocol == Protocol::Tcp &&
             (row.state == TcpState::TimeWait || row.state == TcpState::SynRecv ||
              row.state == TcpState::Close));
  case SocketSelection::All:
    return true;
  }
  return true;
}

} // namespace

bool is_listening(const SocketRow& row) {
  switch (row.protocol) {
  case Protocol::Tcp:
    return row.state == TcpState::Listen;
  case Protocol::Unix:
    return row.unix_listening;
  default:
    return row.state == TcpState::Close; // bound and unconnected
  }
}

Snapshot take_snapshot(const SnapshotRequest& request) {
  Snapshot snapshot;
  for (const auto protocol : request.protocols) {
    if (protocol == Protocol::Unix) {
      auto parsed = read_proc_net("/proc/net/unix", Protocol::Unix, AddressFamily::IPv4);
      snapshot.rows.insert(snapshot.rows.end(), parsed.rows.begin(), parsed.rows.end());
      snapshot.malformed += parsed.malformed;
      continue;
    }
    if (request.ipv4)
      add_inet(snapshot, protocol, AddressFamily::IPv4, request.tcp_info);
    if (request.ipv6)
      add_inet(snapshot, protocol, AddressFamily::IPv6, request.tcp_info);
  }
  std::erase_if(snapshot.rows,
                [&](const SocketRow& row) { return !selected(row, request.selection); });
  return snapshot;
}

} // namespace tcpsight
