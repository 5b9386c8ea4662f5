#pragma once

#include "tcpsight/kernel/network_namespace.hpp"
#include "tcpsight/model/socket_lookup.hpp"

#include <cstdint>
#include <span>
#include <unordered_map>

namespace tcpsight {

// Looks TCP sockets up where they live: sock_diag lookups (inet_diag_find)
// in each socket's network namespace, entering those that are not the
// caller's (which takes CAP_SYS_ADMIN). A namespace is found by its inode
// among those a name in /run/netns or a process keeps alive; one it cannot
// find or enter is reported as not searched.
class NamespacedSocketLookup {
public:
  NamespacedSocketLookup();
  SocketLookupAnswer operator()(std::span<const ConnectionId> sockets);

private:
  const NetworkNamespace* namespace_of(std::uint32_t inode);
  void look_up_in(std::uint32_t netns, std::span<const ConnectionId> sockets,
                  SocketLookupAnswer& answer);

  std::uint32_t own_netns_;
  std::unordered_map<std::uint32_t, NetworkNamespace> namespaces_;
  std::uint64_t namespaces_listed_ns_ = 0;
};

} // namespace tcpsight
