#pragma once

#include "tcpsight/model/event.hpp"

namespace tcpsight::test {

// The decoded form of raw_event(): curl's SYN_SENT -> ESTABLISHED.
inline Event sample_event() {
  Event e;
  e.type = EventType::Transition;
  e.ts_ns = 1'000'000'000;
  e.id.sock_id = 8193;
  e.id.netns = 4026531840;
  e.owner = Owner{.pid = 4242, .uid = 1000, .cgroup_id = 77, .comm = "curl"};
  e.id.local = {.family = AddressFamily::IPv4, .bytes = {127, 0, 0, 1}};
  e.id.local_port = 40000;
  e.id.remote = {.family = AddressFamily::IPv4, .bytes = {10, 1, 2, 3}};
  e.id.remote_port = 8080;
  e.old_state = TcpState::SynSent;
  e.new_state = TcpState::Established;
  e.ns_in_old = 1'500'000;
  e.handshake_ns = 1'500'000;
  return e;
}

// The sample, as socket sock_id going from -> to at ts_ns with this local port.
inline Event sample_transition(std::uint64_t sock_id, TcpState from, TcpState to,
                               std::uint16_t local_port, std::uint64_t ts_ns = 1'000'000'000) {
  auto e = sample_event();
  e.id.sock_id = sock_id;
  e.ts_ns = ts_ns;
  e.old_state = from;
  e.new_state = to;
  e.id.local_port = local_port;
  return e;
}

inline IpAddress ipv6_loopback() {
  return {.family = AddressFamily::IPv6, .bytes = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1}};
}

} // namespace tcpsight::test
