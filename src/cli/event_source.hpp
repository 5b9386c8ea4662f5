#pragma once

#include "tcpsight/kernel/tracer.hpp"
#include "tcpsight/model/clock.hpp"
#include "tcpsight/model/filter.hpp"
#include "tcpsight/pipeline/event_pipeline.hpp"

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

namespace tcpsight::cli {

struct EventSourceOptions {
  Filter filter; // applied in the kernel when tracing live
  std::size_t ring_buffer_bytes = std::size_t{8} << 20;
  bool verbose = false;
  std::string read_path;  // replay this recording instead of tracing
  std::string write_path; // also record every event here (live only)
};

// What the commands do between batches of events.
struct EventLoopHooks {
  // Events the kernel dropped (or, replaying, had dropped), newly counted.
  std::function<void(std::uint64_t count)> lost = [](std::uint64_t) {};
  // After each batch, with the events' clock: flush, reconcile. False stops.
  std::function<bool(std::uint64_t now_ns)> after_batch = [](std::uint64_t) { return true; };
};

// "tcpsight: lost N events: the ring buffer was full", on stderr: what
// trace, life and record say when the kernel drops events.
void report_lost_events(std::uint64_t count);

// Where events come from: the kernel, live, or a file `trace --write` recorded.
class EventSource {
public:
  // Loads the BPF programs (checking privileges first) or opens the file.
  // Throws tcpsight::Error.
  static std::unique_ptr<EventSource> open(const EventSourceOptions& options);
  virtual ~EventSource() = default;

  // To show the events' times: the recording's clock when replaying.
  virtual WallClock wall_clock() const = 0;
  virtual bool live() const = 0;
  // Whether events name sockets by the cookies sock_diag shows (live, 5.12+).
  virtual bool ids_are_socket_cookies() const = 0;

  // Feeds every event to the pipeline until the recording ends, SIGINT or
  // SIGTERM arrives, or after_batch says stop; then lets out what it holds.
  virtual void run(EventPipeline& pipeline, const EventLoopHooks& hooks) = 0;

  // "F filtered in the kernel, L lost" or "N events replayed from FILE, L
  // lost when it was recorded": for the summary on stderr at exit.
  virtual std::string summary() const = 0;
};

} // namespace tcpsight::cli
