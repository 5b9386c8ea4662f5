#pragma once

// Builds ring-buffer records by hand, the way the BPF programs lay them out.

#include <linux/types.h>
#include <sys/socket.h>

#include <cstddef>
#include <cstring>
#include <vector>

#include "tcpsight_event.h"

namespace tcpsight::test {

// SYN_SENT -> ESTABLISHED of curl (pid 4242) from 127.0.0.1:40000 to 10.1.2.3:8080.
inline tcpsight_event raw_event() {
  tcpsight_event raw{};
  raw.type = TCPSIGHT_EVENT_TRANSITION;
  raw.flags = TCPSIGHT_F_TIME_IN_OLD_KNOWN | TCPSIGHT_F_OWNER_KNOWN | TCPSIGHT_F_HANDSHAKE_KNOWN;
  raw.ts_ns = 1'000'000'000;
  raw.sock_id = 8193;
  raw.ns_in_old = 1'500'000;
  raw.handshake_ns = 1'500'000;
  raw.cgroup_id = 77;
  raw.pid = 4242;
  raw.uid = 1000;
  raw.netns = 4026531840;
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

// A record's bytes: tcpsight_event, tcpsight_connection.
template <typename Raw> std::vector<std::byte> bytes_of(const Raw& raw) {
  std::vector<std::byte> bytes(sizeof raw);
  std::memcpy(bytes.data(), &raw, sizeof raw);
  return bytes;
}

} // namespace tcpsight::test
