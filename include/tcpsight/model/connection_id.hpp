#pragma once

#include "tcpsight/model/ip_address.hpp"

#include <cstddef>
#include <cstdint>
#include <functional>

namespace tcpsight {

// What names one socket and the connection it carries, the same in an event,
// a snapshot's row and a finished connection, so that each can be matched
// with, or started from, another by value.
//
// Both halves are needed: the socket id is how the tracker and the live table
// follow one socket (ends are reused by the next connection on the same
// port); the network namespace and the two ends are what the connection is
// on the wire, shared by the two sockets of a local connection and by the
// timewait socket that follows a closed one, whose ids all differ.
struct ConnectionId {
  // The socket cookie, as sock_diag shows it; 0: no socket or unknown. Events
  // from kernels that cannot read cookies in tracing carry another id
  // (Tracer::ids_are_socket_cookies).
  std::uint64_t sock_id = 0;
  std::uint32_t netns = 0; // network namespace inode: the same ends can exist in two
  IpAddress local;
  std::uint16_t local_port = 0;
  IpAddress remote;
  std::uint16_t remote_port = 0;

  AddressFamily family() const { return local.family; }

  // The connection alone, without the socket (sock_id 0).
  ConnectionId without_socket() const;
  // The same connection as the socket at its other end names it: the ends
  // swapped, and that socket's id unknown (0).
  ConnectionId as_seen_by_peer() const;

  friend bool operator==(const ConnectionId&, const ConnectionId&) = default;
};

} // namespace tcpsight

template <> struct std::hash<tcpsight::ConnectionId> {
  std::size_t operator()(const tcpsight::ConnectionId& id) const noexcept;
};
