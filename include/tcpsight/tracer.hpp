#pragma once

#include "tcpsight/event.hpp"

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>

namespace tcpsight {

struct TracerOptions {
  // Size of the BPF ring buffer: a power of two, at least one page.
  std::size_t ring_buffer_bytes = std::size_t{8} << 20;
  // Pass libbpf's own diagnostics (verifier log included) to stderr.
  bool libbpf_diagnostics = false;
};

struct TracerStats {
  std::uint64_t transitions = 0; // delivered to the handler
  std::uint64_t malformed = 0;   // records that did not decode
  std::uint64_t lost = 0;        // records the kernel dropped: ring buffer full
};

// Loads tcpsight's BPF programs into the kernel, attaches them to the TCP
// tracepoints and hands every transition they record to a handler.
class Tracer {
public:
  using Handler = std::function<void(const Transition&)>;

  // Throws tcpsight::Error with a message the user can act on.
  Tracer(const TracerOptions& options, Handler handler);
  ~Tracer();
  Tracer(const Tracer&) = delete;
  Tracer& operator=(const Tracer&) = delete;

  // Waits up to timeout for records and hands them to the handler. Returns
  // how many were handled; 0 on timeout or when a signal interrupted the wait.
  int poll(std::chrono::milliseconds timeout);

  // Hands over what is already in the ring buffer, without waiting.
  int drain();

  // Detaches from the tracepoints: no new records after this.
  void detach();

  // Counts so far; lost is read from the kernel's counters.
  TracerStats stats() const;

private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

} // namespace tcpsight
