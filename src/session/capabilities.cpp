#include "tcpsight/session/capabilities.hpp"

#include "tcpsight/model/error.hpp"
#include "tcpsight/session/event_source.hpp"

#include <sys/capability.h>
#include <sys/prctl.h>
#include <sys/utsname.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fmt/format.h>
#include <fstream>
#include <memory>
#include <vector>

namespace tcpsight {
namespace {

struct CapFree {
  void operator()(cap_t caps) const { cap_free(caps); }
};
using Caps = std::unique_ptr<std::remove_pointer_t<cap_t>, CapFree>;

Error refused(const char* step) {
  return Error(
      fmt::format("cannot give up capabilities: {} failed: {}", step, std::strerror(errno)));
}

// From the bounding set, which takes CAP_SETPCAP: a process without it (one
// given only what it needs) has nothing there to fear.
void drop_from_bounding_set(const std::vector<cap_value_t>& kept) {
  if (!CAP_IS_SUPPORTED(CAP_SETPCAP) || prctl(PR_CAPBSET_READ, CAP_SETPCAP) != 1)
    return;
  Caps own(cap_get_proc());
  cap_flag_value_t can_set = CAP_CLEAR;
  if (!own || cap_get_flag(own.get(), CAP_SETPCAP, CAP_EFFECTIVE, &can_set) != 0 ||
      can_set != CAP_SET)
    return;
  for (cap_value_t cap = 0; cap < static_cast<cap_value_t>(cap_max_bits()); ++cap)
    if (std::find(kept.begin(), kept.end(), cap) == kept.end() && cap_drop_bound(cap) != 0 &&
        errno != EINVAL)
      throw refused("dropping from the bounding set");
}

// Those of wanted the process has: one cannot keep what one never had.
std::vector<cap_value_t> held(const std::vector<int>& wanted) {
  Caps own(cap_get_proc());
  if (!own)
    throw refused("cap_get_proc");
  std::vector<cap_value_t> kept;
  for (const int cap : wanted) {
    cap_flag_value_t permitted = CAP_CLEAR;
    if (cap_get_flag(own.get(), cap, CAP_PERMITTED, &permitted) == 0 && permitted == CAP_SET)
      kept.push_back(cap);
  }
  return kept;
}

// Before Linux 5.19, kernel.unprivileged_bpf_disabled (set by default on
// Debian) refused every bpf() call without CAP_BPF, even on a map already
// open; since, only loading programs and creating maps.
bool every_bpf_call_needs_capability() {
  utsname system{};
  int major = 0, minor = 0;
  if (uname(&system) != 0 || std::sscanf(system.release, "%d.%d", &major, &minor) != 2 ||
      major > 5 || (major == 5 && minor >= 19))
    return false;
  std::ifstream sysctl("/proc/sys/kernel/unprivileged_bpf_disabled");
  int disabled = 1;
  sysctl >> disabled;
  return disabled != 0;
}

} // namespace

void keep_only_capabilities(const std::vector<int>& keep) {
  const auto kept = held(keep);
  drop_from_bounding_set(kept);
  Caps caps(cap_init());
  if (!caps)
    throw refused("cap_init");
  if (!kept.empty() && (cap_set_flag(caps.get(), CAP_EFFECTIVE, static_cast<int>(kept.size()),
                                     kept.data(), CAP_SET) != 0 ||
                        cap_set_flag(caps.get(), CAP_PERMITTED, static_cast<int>(kept.size()),
                                     kept.data(), CAP_SET) != 0))
    throw refused("cap_set_flag");
  if (cap_reset_ambient() != 0 && errno != EINVAL)
    throw refused("clearing the ambient set");
  if (cap_set_proc(caps.get()) != 0)
    throw refused("cap_set_proc");
  if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0)
    throw refused("no_new_privs");
}

void keep_only_capabilities_after_setup(const EventSource& source) {
  std::vector<int> keep;
  // The loss counters are read from a BPF map all along: where every bpf()
  // call takes CAP_BPF, it stays, or losses would read as none.
  if (every_bpf_call_needs_capability())
    keep.push_back(CAP_BPF);
  if (source.confirms_time_waits())
    keep.insert(keep.end(), {CAP_SYS_ADMIN, CAP_SYS_PTRACE});
  keep_only_capabilities(keep);
}

} // namespace tcpsight
