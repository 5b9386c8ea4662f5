#pragma once

#include "tcpsight/model/event.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace tcpsight {

// Which events to keep. The same rules run in the kernel (so filtered-out
// traffic never reaches the ring buffer) and in user space, where an event
// whose local port was not yet known in the kernel is checked again.
//
// Each filter that is set must match; within one, any listed value does.
struct Filter {
  std::vector<std::uint16_t> ports;        // --port: local or remote
  std::vector<std::uint16_t> local_ports;  // --sport
  std::vector<std::uint16_t> remote_ports; // --dport
  std::vector<TcpState> states;            // --state: old or new state (others: the state)
  std::optional<AddressFamily> family;     // -4 or -6
  std::optional<std::uint32_t> pid;        // owner's tgid
  std::optional<std::string> comm;         // owner's command name, exactly
  std::optional<std::uint32_t> netns;      // network namespace inode
  std::optional<std::uint64_t> cgroup;     // owner's cgroup v2 id

  bool matches(const Event& event) const;
  // A socket a snapshot found, by all but the states.
  bool matches(const ConnectionId& id, const std::optional<Owner>& owner) const;
};

// A port from 1 to 65535; throws tcpsight::Error otherwise.
std::uint16_t parse_port(std::string_view text);

// A state by its netstat name, any case, '-' for '_' (time-wait, SYN_SENT,
// close ...); throws tcpsight::Error for an unknown name.
TcpState parse_state(std::string_view text);

// A network namespace: its inode number, or a file naming it
// (/proc/PID/ns/net, /run/netns/NAME). Throws tcpsight::Error.
std::uint32_t resolve_netns(const std::string& text);

// A cgroup v2: its id, or its directory (/sys/fs/cgroup/...). Throws.
std::uint64_t resolve_cgroup(const std::string& text);

} // namespace tcpsight
