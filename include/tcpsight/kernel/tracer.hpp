#pragma once

#include "tcpsight/model/drop_reasons.hpp"
#include "tcpsight/model/event.hpp"
#include "tcpsight/model/filter.hpp"

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

namespace tcpsight {

struct TracerOptions {
  // Size of the BPF ring buffer: a power of two, at least one page.
  std::size_t ring_buffer_bytes = std::size_t{8} << 20;
  // Applied in the kernel: filtered-out events never reach the ring buffer.
  Filter filter;
  // Pass libbpf's own diagnostics (verifier log included) to stderr.
  bool libbpf_diagnostics = false;
  // RST events; without them transitions still say whether the socket sent
  // or received a RST.
  bool reset_events = true;
  // Events for the TCP segments the kernel drops, with its reason (Linux
  // 5.17+). Segments for no socket are not among them: their RSTs tell.
  bool drop_events = true;
  // Events for the segments sent again past the handshake (SYNs sent again
  // are always events). One per retransmission: on a lossy link, many.
  bool retransmit_events = false;
  // One record per connection, written as it closes, instead of an event
  // per transition: the kernel keeps the path meanwhile. The handler still
  // gets the connection's events (see decode_connection), all at its close,
  // as far as lifecycles need them. Not with a record tap or a state filter.
  bool connection_records = false;
  // Identify sockets by kernel address instead of socket cookie, as on
  // kernels before 5.12 (for tests of that path).
  bool socket_addresses_as_ids = false;
  // Tests of loss recovery: the kernel counts the transitions into new_state
  // of sockets with this local or remote port as lost, as if the ring buffer
  // were full.
  struct LostTransition {
    std::uint16_t port = 0;
    TcpState new_state = TcpState::Close;
  };
  std::optional<LostTransition> lose_for_test;
};

struct TracerStats {
  std::uint64_t filtered = 0; // dropped by a filter in the kernel
  // Not written: the ring buffer was full, or the kernel skipped a program
  // and no relay took over.
  std::uint64_t lost = 0;
  std::uint64_t relayed = 0;   // taken over by a relay program: not lost
  std::uint64_t delivered = 0; // records decoded and handed to the handler
  std::uint64_t malformed = 0; // records that did not decode
};

// Loads tcpsight's BPF programs into the kernel, attaches them to the TCP
// tracepoints and hands every event they record to a handler.
class Tracer {
public:
  using Handler = std::function<void(Event)>;
  // A record as the kernel wrote it, before its event goes to the handler:
  // `trace --write` keeps these bytes, without encoding the event again.
  using RecordTap = std::function<void(std::span<const std::byte> record)>;

  // Throws tcpsight::Error with a message the user can act on.
  Tracer(const TracerOptions& options, Handler handler, RecordTap tap = nullptr);
  ~Tracer();
  Tracer(const Tracer&) = delete;
  Tracer& operator=(const Tracer&) = delete;

  // Features that are off on this machine, each with why: say them once.
  const std::vector<std::string>& notices() const;

  // The names of the kernel's drop reasons (empty without drop events), for
  // a recording to keep with its events.
  const DropReasons& drop_reasons() const;

  // Waits up to timeout for the kernel's wakeup, then hands every record in
  // the ring buffer to the handler. Returns how many were handled. A signal
  // ends the wait early.
  int poll(std::chrono::milliseconds timeout);

  // Hands over what is already in the ring buffer, without waiting.
  int drain();

  // Detaches from the tracepoints: no new records after this.
  void detach();

  // Counts so far, the kernel's included.
  TracerStats stats() const;

  // Tells the kernel side who owns a listener that was open before tracing
  // began, so that the connections it accepts have an owner from their
  // first event (a listener opened while tracing is learnt at listen()).
  // cookie: the listener's socket cookie, which removes the entry as it closes.
  void seed_listener_owner(std::uint32_t netns, std::uint16_t port, std::uint64_t cookie,
                           const Owner& owner);

  // Whether Event::sock_id is the socket cookie, as sock_diag shows it
  // (Linux 5.12+), rather than a kernel address.
  bool ids_are_socket_cookies() const;

private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

} // namespace tcpsight
