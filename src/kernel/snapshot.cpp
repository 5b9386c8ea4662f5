#include "tcpsight/kernel/snapshot.hpp"

#include "tcpsight/kernel/proc_net.hpp"
#include "tcpsight/kernel/sock_diag.hpp"
#include "tcpsight/kernel/socket_iterators.hpp"
#include "tcpsight/model/error.hpp"

#include <fmt/format.h>
#include <fstream>
#include <sys/stat.h>

namespace tcpsight {
namespace {

// thread-self, not self: a thread that entered another namespace with setns
// sees that namespace's tables there.
std::string proc_net_path(Protocol protocol, AddressFamily family) {
  return fmt::format("/proc/thread-self/net/{}{}", protocol_name(protocol),
                     protocol != Protocol::Unix && family == AddressFamily::IPv6 ? "6" : "");
}

bool selected(const SocketRow& row, SocketSelection selection) {
  switch (selection) {
  case SocketSelection::Listening:
    return is_listening(row);
  case SocketSelection::Connected:
    return !is_listening(row);
  case SocketSelection::All:
    return true;
  }
  return true;
}

// Hands the selected rows on, each marked with the namespace.
class SnapshotVisit {
public:
  SnapshotVisit(const SnapshotRequest& request, const SocketVisitor& visit)
      : request_(request), visit_(visit), netns_(current_netns()) {}

  void add_protocol(Protocol protocol) {
    if (protocol == Protocol::Unix) {
      add(protocol, AddressFamily::IPv4);
      return;
    }
    if (request_.ipv4)
      add(protocol, AddressFamily::IPv4);
    if (request_.ipv6)
      add(protocol, AddressFamily::IPv6);
  }

  SnapshotStatus status() && { return std::move(status_); }

private:
  void add(Protocol protocol, AddressFamily family) {
    const bool proc_only = protocol == Protocol::Raw ||
                           (protocol == Protocol::Unix && request_.unix_refcounts) ||
                           request_.source == SnapshotSource::ProcNet;
    if (proc_only) {
      add_proc_net(protocol, family);
      return;
    }
    if (protocol == Protocol::Unix) {
      const UnixDiagDetails details{.memory = request_.memory, .files = request_.unix_files};
      if (!try_source([&](const SocketVisitor& visit) { unix_diag_visit(visit, details); },
                      protocol, family))
        add_proc_net(protocol, family);
      return;
    }
    const auto sock_diag = [&](const SocketVisitor& visit) {
      inet_diag_visit(protocol, family,
                      {.tcp_info = request_.tcp_info,
                       .memory = request_.memory,
                       .traffic_class = request_.traffic_class},
                      visit);
    };
    const auto iterator = [&](const SocketVisitor& visit) {
      iterate_inet_sockets(protocol, family, visit);
    };
    switch (request_.source) {
    case SnapshotSource::SockDiag:
      sock_diag([&](const SocketRow& row) { deliver(row); });
      return;
    case SnapshotSource::BpfIterator:
      iterator([&](const SocketRow& row) { deliver(row); });
      return;
    default:
      if (try_source(sock_diag, protocol, family))
        return;
      if (bpf_iterators_allowed() && try_source(iterator, protocol, family))
        return;
      add_proc_net(protocol, family);
    }
  }

  // Runs one source; when it fails before delivering anything, notes why and
  // returns false so that the next source can be tried.
  template <typename Source>
  bool try_source(Source source, Protocol protocol, AddressFamily family) {
    std::size_t delivered = 0;
    try {
      source([&](const SocketRow& row) {
        ++delivered;
        deliver(row);
      });
      return true;
    } catch (const Error& e) {
      if (delivered > 0) // rows already went out: another source would repeat them
        throw;
      const auto which = protocol == Protocol::Unix
                             ? std::string(protocol_name(protocol))
                             : fmt::format("{} {}", protocol_name(protocol), family_name(family));
      status_.notes.push_back(
          fmt::format("{} ({} sockets: trying the next source)", e.what(), which));
      return false;
    }
  }

  void add_proc_net(Protocol protocol, AddressFamily family) {
    std::ifstream table(proc_net_path(protocol, family));
    if (!table)
      return; // no such protocol in this kernel (IPv6 disabled, say)
    const SocketVisitor deliver_row = [&](const SocketRow& row) { deliver(row); };
    status_.malformed += protocol == Protocol::Unix
                             ? visit_proc_net_unix(table, deliver_row)
                             : visit_proc_net_inet(table, protocol, family, deliver_row);
  }

  void deliver(const SocketRow& row) {
    if (!selected(row, request_.selection))
      return;
    SocketRow marked = row;
    marked.id.netns = netns_;
    visit_(marked);
  }

  const SnapshotRequest& request_;
  const SocketVisitor& visit_;
  std::uint32_t netns_;
  SnapshotStatus status_;
};

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

std::uint32_t current_netns() {
  struct stat namespace_file {};
  if (stat("/proc/thread-self/ns/net", &namespace_file) != 0)
    return 0;
  return static_cast<std::uint32_t>(namespace_file.st_ino);
}

SnapshotStatus visit_snapshot(const SnapshotRequest& request, const SocketVisitor& visit) {
  SnapshotVisit snapshot(request, visit);
  for (const auto protocol : request.protocols)
    snapshot.add_protocol(protocol);
  return std::move(snapshot).status();
}

} // namespace tcpsight
