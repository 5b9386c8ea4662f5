#pragma once

// What each thread of a process may still do, from /proc/PID/task/*/status.

#include <sys/types.h>

#include <cstdint>
#include <vector>

namespace tcpsight::test {

struct ThreadPrivileges {
  std::uint64_t effective = 0;
  std::uint64_t permitted = 0;
  std::uint64_t bounding = 0;
  bool no_new_privs = false;
};

// Every thread's; one that ends while being read is left out.
std::vector<ThreadPrivileges> threads_of(pid_t pid);

// This process's own permitted set: what a child of it can keep at most.
std::uint64_t permitted_here();

} // namespace tcpsight::test
