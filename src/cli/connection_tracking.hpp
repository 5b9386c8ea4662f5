#pragma once

#include "event_source.hpp"
#include "tcpsight/model/socket_row.hpp"
#include "tcpsight/session/lifecycle_tracker.hpp"

#include <cstdint>
#include <optional>
#include <vector>

namespace tcpsight::cli {

// A TCP socket open now (not in TIME_WAIT), and the process holding it.
struct OpenSocket {
  SocketRow row; // with its network namespace
  std::optional<Owner> owner;
};

// Every TCP socket of this network namespace but those in TIME_WAIT, from
// sock_diag; with owners, who holds each (a BPF iterator or /proc).
std::vector<OpenSocket> open_tcp_sockets(bool with_owners);

// Keeps a tracker true to the kernel while tracing live: seeds it with the
// connections open at the start (with their owners), and every 10 s drops
// the ones that are gone although their close never arrived (lost events).
// Replaying a recording, or where socket ids are not cookies, it does nothing.
class ConnectionTracking {
public:
  ConnectionTracking(const EventSource& source, LifecycleTracker& tracker);

  // Call after each batch of events, with the events' clock.
  void after_batch(std::uint64_t now_ns);

private:
  LifecycleTracker& tracker_;
  bool active_;
  std::uint64_t last_check_ns_ = 0;
};

} // namespace tcpsight::cli
