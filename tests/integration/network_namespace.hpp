#pragma once

// Named network namespaces made with `ip netns`, for traffic that crosses
// a veth pair and for filters by namespace.

#include <cstdint>
#include <string>
#include <vector>

namespace tcpsight::test {

// Runs a shell command; throws with its text when it fails.
void run_command(const std::string& command);

class NetworkNamespace {
public:
  // Creates the namespace with its loopback up. Deleted on destruction.
  explicit NetworkNamespace(std::string name);
  ~NetworkNamespace();
  NetworkNamespace(const NetworkNamespace&) = delete;
  NetworkNamespace& operator=(const NetworkNamespace&) = delete;

  const std::string& name() const { return name_; }
  // The namespace's inode, as events carry it.
  std::uint32_t inode() const;
  // Moves the calling thread into the namespace (for a forked child).
  void enter() const;
  // Runs a command inside it: `ip netns exec NAME command`.
  void exec(const std::string& command) const;

private:
  std::string name_;
};

// Two namespaces joined by a veth pair: 10.231.<n>.1 in the first, .2 in the second.
struct VethPair {
  VethPair(const NetworkNamespace& a, const NetworkNamespace& b, int subnet);
  std::string a_address;
  std::string b_address;
};

} // namespace tcpsight::test
