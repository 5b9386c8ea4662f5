#pragma once

#include <vector>

namespace tcpsight {

// Gives up, for good, every capability but those of keep it has (numbers
// as in <linux/capability.h>): from the effective, permitted, inheritable and
// ambient sets and, where the process may (CAP_SETPCAP), from the bounding
// set; and sets no_new_privs, so that no program it could run gets them
// back. Capabilities belong to threads: this gives up the calling thread's,
// and threads started afterwards have only what is left, so call it before
// starting any. The long-running commands call it once their BPF programs
// are attached and their first snapshot taken: what they read afterwards
// (the kernel's events, other processes' names, the network's) cannot be
// turned into more. Throws tcpsight::Error if the kernel refuses.
void keep_only_capabilities(const std::vector<int>& keep);

class EventSource;

// What a command keeps once its source is attached and seeded: nothing, but
// where the source confirms remote peers' TIME_WAITs, CAP_SYS_ADMIN and
// CAP_SYS_PTRACE, to find other network namespaces through /proc/PID/ns/net
// and enter them; and CAP_BPF before Linux 5.19 where
// kernel.unprivileged_bpf_disabled makes every bpf() call need it.
void keep_only_capabilities_after_setup(const EventSource& source);

} // namespace tcpsight
