#include "tcpsight/kernel/socket_lookup.hpp"

#include "tcpsight/kernel/snapshot.hpp"
#include "tcpsight/kernel/sock_diag.hpp"
#include "tcpsight/model/clock.hpp"
#include "tcpsight/model/error.hpp"

#include <exception>
#include <fmt/format.h>
#include <map>
#include <utility>
#include <vector>

namespace tcpsight {
namespace {

// Listing the namespaces reads /proc/*/ns/net: at most this often, when a
// socket's namespace is not among those listed before. A namespace that
// could not be asked in is set aside as long.
constexpr std::uint64_t kRelistNamespacesNs = 10'000'000'000;

} // namespace

NamespacedSocketLookup::NamespacedSocketLookup(Notify notify)
    : notify_(std::move(notify)), own_netns_(current_netns()) {}

SocketLookupAnswer NamespacedSocketLookup::look_up(std::span<const ConnectionId> sockets) {
  std::map<std::uint32_t, std::vector<ConnectionId>> by_namespace;
  for (const auto& id : sockets)
    by_namespace[id.netns].push_back(id);
  SocketLookupAnswer answer;
  for (const auto& [netns, ids] : by_namespace)
    look_up_in(netns, ids, answer);
  answer.answered_ns = monotonic_now_ns();
  return answer;
}

void NamespacedSocketLookup::look_up_in(std::uint32_t netns, std::span<const ConnectionId> sockets,
                                        SocketLookupAnswer& answer) {
  const auto keep = [&](const SocketRow& row) {
    answer.found.push_back(row);
    answer.found.back().id.netns = netns;
  };
  const auto aside = set_aside_until_ns_.find(netns);
  const bool resting = aside != set_aside_until_ns_.end() && monotonic_now_ns() < aside->second;
  const NetworkNamespace* ns = nullptr;
  if (resting || (netns != own_netns_ && !(ns = namespace_of(netns)))) {
    answer.namespaces_not_searched.push_back(netns);
    return;
  }
  try {
    if (!ns) {
      inet_diag_find(sockets, keep);
      return;
    }
    run_in_network_namespace(*ns, [&] {
      // A /proc/PID path names another namespace once its process has
      // ended and the number has gone to another.
      if (current_netns() != netns)
        throw Error(fmt::format("{} names another network namespace now", ns->path));
      inet_diag_find(sockets, keep);
    });
  } catch (const std::exception& e) {
    answer.namespaces_not_searched.push_back(netns);
    set_aside(netns, e.what());
  }
}

void NamespacedSocketLookup::set_aside(std::uint32_t netns, std::string_view why) {
  namespaces_.erase(netns); // its path may be stale: found again when listed again
  set_aside_until_ns_.insert_or_assign(netns, monotonic_now_ns() + kRelistNamespacesNs);
  if (!std::exchange(said_why_, true))
    notify_(fmt::format("TIME_WAITs of remote peers are not confirmed in network namespace {} "
                        "for now (nor in others that fail; each is tried again every {} s): {}",
                        netns, kRelistNamespacesNs / 1'000'000'000, why));
}

const NetworkNamespace* NamespacedSocketLookup::namespace_of(std::uint32_t inode) {
  auto found = namespaces_.find(inode);
  const auto now = monotonic_now_ns();
  if (found == namespaces_.end() &&
      (namespaces_listed_ns_ == 0 || now >= namespaces_listed_ns_ + kRelistNamespacesNs)) {
    namespaces_listed_ns_ = now;
    for (auto& ns : all_network_namespaces())
      namespaces_.insert_or_assign(ns.inode, ns);
    found = namespaces_.find(inode);
  }
  return found == namespaces_.end() ? nullptr : &found->second;
}

} // namespace tcpsight
