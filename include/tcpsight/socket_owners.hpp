#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <unordered_map>
#include <vector>

namespace tcpsight {

struct ProcessRef {
  std::uint32_t pid = 0;
  std::string comm;    // /proc/PID/comm, as ss and ps show it
  std::string command; // argv[0] as started, as netstat -p shows it; comm if empty

  friend bool operator==(const ProcessRef&, const ProcessRef&) = default;
};

// Which processes hold each socket inode, from the /proc/PID/fd links. Like
// netstat, a caller without root sees only its own processes: partial says
// some could not be read.
struct SocketOwners {
  std::unordered_map<std::uint64_t, std::vector<ProcessRef>> by_inode;
  bool partial = false;
};

SocketOwners scan_socket_owners(const std::filesystem::path& proc = "/proc");

// The same from a BPF task_file iterator: one pass in the kernel, every
// process's sockets. Needs CAP_BPF (root); throws tcpsight::Error when the
// iterator cannot run.
SocketOwners iterate_socket_owners();

// The iterator where it runs, else the /proc walk.
SocketOwners find_socket_owners();

} // namespace tcpsight
