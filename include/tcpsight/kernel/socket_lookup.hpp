#pragma once

#include "tcpsight/kernel/network_namespace.hpp"
#include "tcpsight/model/socket_lookup_answer.hpp"

#include <cstdint>
#include <functional>
#include <span>
#include <string_view>
#include <unordered_map>

namespace tcpsight {

// Looks TCP sockets up where they live: sock_diag lookups (inet_diag_find)
// in each socket's network namespace, entering those that are not the
// caller's (which takes CAP_SYS_ADMIN). A namespace is found by its inode
// among those a name in /run/netns or a process keeps alive. One it cannot
// find or ask in is reported as not searched; one it could not ask in is
// set aside for a while (setns refused, a /proc path gone stale, the
// kernel short of memory), and notify says why, the first time only.
class NamespacedSocketLookup {
public:
  using Notify = std::function<void(std::string_view)>;
  explicit NamespacedSocketLookup(Notify notify);

  SocketLookupAnswer look_up(std::span<const ConnectionId> sockets);

private:
  void look_up_in(std::uint32_t netns, std::span<const ConnectionId> sockets,
                  SocketLookupAnswer& answer);
  const NetworkNamespace* namespace_of(std::uint32_t inode);
  void set_aside(std::uint32_t netns, std::string_view why);

  Notify notify_;
  std::uint32_t own_netns_;
  std::unordered_map<std::uint32_t, NetworkNamespace> namespaces_;
  std::uint64_t namespaces_listed_ns_ = 0;
  std::unordered_map<std::uint32_t, std::uint64_t> set_aside_until_ns_;
  bool said_why_ = false;
};

} // namespace tcpsight
