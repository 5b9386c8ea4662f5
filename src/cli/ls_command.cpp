#include "commands.hpp"

#include "tcpsight/snapshot.hpp"
#include "tcpsight/socket_owners.hpp"
#include "tcpsight/socket_table.hpp"

#include <fmt/core.h>
#include <future>
#include <optional>

namespace tcpsight::cli {

int run_ls(const LsOptions& options, const SocketFilter& filter) {
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

  // Owners come from another source than the sockets: fetch both at once.
  std::future<SocketOwners> pending_owners;
  if (options.processes)
    pending_owners = std::async(std::launch::async, find_socket_owners);
  auto snapshot = take_snapshot(request);
  std::erase_if(snapshot.rows, [&](const SocketRow& row) { return !filter.matches(row); });
  for (const auto& note : snapshot.notes)
    fmt::print(stderr, "tcpsight: {}\n", note);
  if (snapshot.malformed > 0)
    fmt::print(stderr, "tcpsight: skipped {} lines of /proc/net that did not parse\n",
               snapshot.malformed);

  std::optional<SocketOwners> owners;
  if (options.processes) {
    owners = pending_owners.get();
    if (owners->partial)
      fmt::print(stderr, "tcpsight: some processes could not be read; run as root to see the "
                         "owner of every socket\n");
  }
  const SocketOwners* shown_owners = owners ? &*owners : nullptr;
  fmt::print("{}", options.json ? format_socket_json(snapshot.rows, shown_owners)
                                : format_socket_table(snapshot.rows, shown_owners,
                                                      {.extended = options.extended,
                                                       .tcp_info = options.tcp_info}));
  return 0;
}

} // namespace tcpsight::cli
