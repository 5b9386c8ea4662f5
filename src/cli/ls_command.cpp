#include "commands.hpp"
#include "repeat.hpp"

#include "tcpsight/kernel/network_namespace.hpp"
#include "tcpsight/kernel/snapshot.hpp"
#include "tcpsight/kernel/socket_owners.hpp"
#include "tcpsight/views/output_writer.hpp"
#include "tcpsight/views/socket_table.hpp"

#include <fmt/core.h>
#include <future>
#include <optional>

namespace tcpsight::cli {
namespace {

SnapshotRequest snapshot_request(const LsOptions& options) {
  SnapshotRequest request;
  request.protocols.clear();
  if (options.tcp)
    request.protocols.push_back(Protocol::Tcp);
  if (options.udp)
    request.protocols.push_back(Protocol::Udp);
  if (options.raw)
    request.protocols.push_back(Protocol::Raw);
  if (options.unix_sockets)
    request.protocols.push_back(Protocol::Unix);
  if (request.protocols.empty())
    request.protocols = SnapshotRequest{}.protocols;
  if (options.ipv4 != options.ipv6) {
    request.ipv4 = options.ipv4;
    request.ipv6 = options.ipv6;
  }
  // A state filter chooses the states itself, listeners included, as in ss.
  const bool filter_names_states = !options.filter.empty() && options.filter.front() == "state";
  request.selection = options.all || filter_names_states ? SocketSelection::All
                      : options.listening                ? SocketSelection::Listening
                                                         : SocketSelection::Active;
  // JSON carries tcp_info whenever it is known.
  request.tcp_info = options.tcp_info || options.json;
  request.source = options.source;
  return request;
}

std::vector<NetworkNamespace> namespaces_to_list(const LsOptions& options) {
  std::vector<NetworkNamespace> namespaces;
  for (const auto& name : options.namespaces) {
    if (name == "all")
      return all_network_namespaces();
    namespaces.push_back(find_network_namespace(name));
  }
  if (namespaces.empty())
    namespaces.push_back(find_network_namespace("/proc/thread-self/ns/net"));
  return namespaces;
}

void report(const SnapshotStatus& status) {
  for (const auto& note : status.notes)
    fmt::print(stderr, "tcpsight: {}\n", note);
  if (status.malformed > 0)
    fmt::print(stderr, "tcpsight: skipped {} lines of /proc/net that did not parse\n",
               status.malformed);
}

// Returns false once the output is closed.
bool list_once(const LsOptions& options, const SocketFilter& filter) {
  const auto request = snapshot_request(options);
  const auto namespaces = namespaces_to_list(options);

  // Owners come from another source than the sockets: start on them at once.
  std::future<SocketOwners> pending_owners;
  if (options.processes)
    pending_owners = std::async(std::launch::async, find_socket_owners);
  std::optional<SocketOwners> owners;
  const auto owners_ready = [&]() -> const SocketOwners* {
    if (!options.processes)
      return nullptr;
    if (!owners) {
      owners = pending_owners.get();
      if (owners->partial)
        fmt::print(stderr, "tcpsight: some processes could not be read; run as root to see the "
                           "owner of every socket\n");
    }
    return &*owners;
  };

  // Each row is printed as it arrives: memory stays flat however many sockets there are.
  OutputWriter out;
  SocketTableColumns columns{
      .netns = namespaces.size() > 1, .extended = options.extended, .tcp_info = options.tcp_info};
  if (!options.json) {
    columns.owners = owners_ready();
    out.text() += socket_table_header(columns);
  }
  const SocketVisitor print_row = [&](const SocketRow& row) {
    if (!out.open() || !filter.matches(row))
      return;
    if (options.json)
      append_socket_json(out.text(), row, owners_ready());
    else
      append_socket_table_row(out.text(), row, columns);
    out.written();
  };
  for (const auto& ns : namespaces)
    run_in_network_namespace(ns, [&] { report(visit_snapshot(request, print_row)); });
  out.finish();
  return out.open();
}

} // namespace

int run_ls(const LsOptions& options, const SocketFilter& filter) {
  if (options.continuous)
    repeat_every_second([&] { return list_once(options, filter); });
  else
    list_once(options, filter);
  return 0;
}

} // namespace tcpsight::cli
