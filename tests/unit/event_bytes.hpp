#pragma once

// Builds ring-buffer records by hand, the way the BPF program lays them out.

#include <linux/types.h>
#include <sys/socket.h>

#include <cstddef>
#include <cstring>
#include <string_view>
#include <vector>

#include "tcpsight_event.h"

namespace tcpsight::test {

inline tcpsight_transition raw_transition() {
  tcpsight_transition raw{};
  raw.type = TCPSIGHT_EVENT_TRANSITION;
  raw.pid = 4242;
  raw.ts_ns = 1'000'000'000;
  raw.sock_id = 0xffff888012345678;
  raw.ns_in_old = 1'500'000;
  raw.flags = TCPSIGHT_F_TIME_IN_OLD_KNOWN;
  raw.family = AF_INET;
  raw.sport = 40000;
  raw.dport = 8080;
  raw.oldstate = 2; // SYN_SENT
  raw.newstate = 1; // ESTABLISHED
  const __u8 local[4] = {127, 0, 0, 1};
  const __u8 remote[4] = {10, 1, 2, 3};
  std::memcpy(raw.saddr, local, sizeof local);
  std::memcpy(raw.daddr, remote, sizeof remote);
  std::memcpy(raw.comm, "curl", 4);
  return raw;
}

inline std::vector<std::byte> bytes_of(const tcpsight_transition& raw) {
  std::vector<std::byte> bytes(sizeof raw);
  std::memcpy(bytes.data(), &raw, sizeof raw);
  return bytes;
}

} // namespace tcpsight::test
