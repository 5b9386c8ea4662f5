#include "commands.hpp"

#include "tcpsight/name_resolver.hpp"
#include "tcpsight/netstat_view.hpp"
#include "tcpsight/snapshot.hpp"

#include <algorithm>
#include <chrono>
#include <csignal>
#include <fmt/core.h>
#include <optional>
#include <thread>

namespace tcpsight::cli {
namespace {

volatile std::sig_atomic_t interrupted = 0;

void on_interrupt(int) { interrupted = 1; }

bool has(const std::vector<std::string>& values, std::string_view value) {
  return std::find(values.begin(), values.end(), value) != values.end();
}

// Which tables and families the options ask for, as netstat reads them.
struct Selection {
  SnapshotRequest inet;
  bool unix_sockets = false;
};

// The families are checked when the options are parsed.
Selection select(const NetstatOptions& o) {
  const bool any_protocol = o.tcp || o.udp || o.raw;
  const bool any_family = !o.families.empty();
  Selection selection;
  auto& inet = selection.inet;
  inet.protocols.clear();
  const bool inet_wanted = any_family ? (has(o.families, "inet") || has(o.families, "inet6"))
                                      : (any_protocol || !o.unix_sockets);
  if (inet_wanted) {
    if (o.tcp || !any_protocol)
      inet.protocols.push_back(Protocol::Tcp);
    if (o.udp || !any_protocol)
      inet.protocols.push_back(Protocol::Udp);
    if (o.raw || !any_protocol)
      inet.protocols.push_back(Protocol::Raw);
  }
  if (any_family) {
    inet.ipv4 = has(o.families, "inet");
    inet.ipv6 = has(o.families, "inet6");
  }
  selection.unix_sockets = o.unix_sockets || (any_family ? has(o.families, "unix") : !any_protocol);
  inet.selection = o.all         ? SocketSelection::All
                   : o.listening ? SocketSelection::Listening
                                 : SocketSelection::Connected;
  return selection;
}

std::string endpoint_with_names(NameResolver& names, const SocketRow& row, const IpAddress& address,
                                std::uint16_t port) {
  auto host = names.host(address);
  if (host == "::") // netstat brackets only the unspecified IPv6 address
    host = "[::]";
  return host + ":" + names.service(port, row.protocol);
}

void print_tables(const NetstatOptions& o, const Selection& selection, NameResolver& names) {
  std::optional<SocketOwners> owners;
  if (o.processes)
    owners = scan_socket_owners();

  NetstatColumns columns{.listening = o.listening,
                         .all = o.all,
                         .extend = o.extend,
                         .timers = o.timers,
                         .owners = owners ? &*owners : nullptr};
  if (o.numeric) {
    columns.endpoint = [](const SocketRow&, const IpAddress& address, std::uint16_t port) {
      return netstat_numeric_endpoint(address, port);
    };
    columns.user = [](std::uint32_t uid) { return std::to_string(uid); };
  } else {
    columns.endpoint = [&](const SocketRow& row, const IpAddress& address, std::uint16_t port) {
      return endpoint_with_names(names, row, address, port);
    };
    columns.user = [&](std::uint32_t uid) { return names.user(uid); };
  }

  if (!selection.inet.protocols.empty()) {
    const auto snapshot = take_snapshot(selection.inet);
    if (o.verbose)
      for (const auto& note : snapshot.notes)
        fmt::print(stderr, "tcpsight: {}\n", note);
    fmt::print("{}", format_netstat_inet(snapshot.rows, columns));
  }
  if (selection.unix_sockets) {
    auto request = selection.inet;
    request.protocols = {Protocol::Unix};
    fmt::print("{}", format_netstat_unix(take_snapshot(request).rows, columns));
  }
  if (owners && owners->partial)
    fmt::print(stderr, "(Not all processes could be identified, non-owned process info\n"
                       " will not be shown, you would have to be root to see it all.)\n");
  std::fflush(stdout);
}

} // namespace

int run_netstat(const NetstatOptions& options) {
  const auto selection = select(options);
  NameResolver names;
  if (!options.continuous) {
    print_tables(options, selection, names);
    return 0;
  }
  std::signal(SIGINT, on_interrupt);
  std::signal(SIGTERM, on_interrupt);
  while (!interrupted) {
    print_tables(options, selection, names);
    for (int tick = 0; tick < 10 && !interrupted; ++tick)
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  return 0;
}

} // namespace tcpsight::cli
