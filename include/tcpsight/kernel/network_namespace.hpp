#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace tcpsight {

// A network namespace as a file that refers to it: /run/netns/NAME (as
// `ip netns` names them) or /proc/PID/ns/net.
struct NetworkNamespace {
  std::uint32_t inode = 0; // what tcpsight's netns columns and filters show
  std::string path;
};

// NAME (from /run/netns) or a path to a namespace file. Throws
// tcpsight::Error when it names none.
NetworkNamespace find_network_namespace(const std::string& name_or_path);

// Every namespace that a name in /run/netns or a running process keeps
// alive, each once, the caller's first.
std::vector<NetworkNamespace> all_network_namespaces();

// Runs work on a thread that has entered the namespace (setns needs
// CAP_SYS_ADMIN), so that the sockets and /proc/thread-self/net it opens are
// that namespace's. Rethrows what work throws; throws tcpsight::Error when
// the namespace cannot be entered.
void run_in_network_namespace(const NetworkNamespace& ns, const std::function<void()>& work);

} // namespace tcpsight
