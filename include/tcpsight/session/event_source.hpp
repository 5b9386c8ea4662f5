#pragma once

#include "tcpsight/kernel/event_file.hpp"
#include "tcpsight/kernel/open_sockets.hpp"
#include "tcpsight/kernel/socket_lookup.hpp"
#include "tcpsight/kernel/tracer.hpp"
#include "tcpsight/model/clock.hpp"
#include "tcpsight/model/filter.hpp"
#include "tcpsight/pipeline/event_pipeline.hpp"

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace tcpsight {

struct EventSourceOptions {
  Filter filter; // applied in the kernel when tracing live
  std::size_t ring_buffer_bytes = std::size_t{8} << 20;
  bool verbose = false;
  std::string read_path;  // replay this recording instead of tracing
  std::string write_path; // also record every event here (live only)
  // RST events. Views built from connection records need only the reset
  // flags the transitions carry: without the events the kernel writes a
  // quarter fewer records. Always on with write_path, for what replays it.
  bool reset_events = true;
  // Drop events (TracerOptions::drop_events).
  bool drop_events = true;
  // Retransmit events (TracerOptions::retransmit_events).
  bool retransmit_events = false;
  // Ask the kernel whether sockets handed over in FIN_WAIT2 to a remote peer
  // reached TIME_WAIT (LiveSource::confirm_time_waits): for views that show
  // transitions.
  bool confirm_time_waits = false;
  // One record per connection from the kernel, for views that show only
  // connections (TracerOptions::connection_records): an event per transition
  // still with write_path, or with a state filter.
  bool connection_records = false;
};

// What the commands do between batches of events.
struct EventLoopHooks {
  // Each event as it arrived, before the pipeline completes and filters it
  // (for tests that compare the two). Empty: nothing to call.
  std::function<void(const Event&)> arrived;
  // Events the kernel dropped (or, replaying, had dropped), newly counted.
  std::function<void(std::uint64_t count)> lost = [](std::uint64_t) {};
  // After each batch, with the events' clock: flush, reconcile. False stops.
  std::function<bool(std::uint64_t now_ns)> after_batch = [](std::uint64_t) { return true; };
};

// "tcpsight: TEXT" on stderr: how a live source says what the user should
// know (features off on this kernel, tracing started).
void print_notice(std::string_view text);
using Notify = std::function<void(std::string_view)>;

// "tcpsight: lost N events: the ring buffer was full", on stderr: what
// trace, life and record say when the kernel drops events.
// Says, if count is not 0, that drops waited in vain for their connection
// (EventPipeline::drops_unclaimed): their connections' counts lack them.
void report_unclaimed_drops(std::uint64_t count);
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
  // Whether it asks the kernel about remote peers' TIME_WAITs
  // (EventSourceOptions::confirm_time_waits, where ids are cookies).
  virtual bool confirms_time_waits() const { return false; }

  // Feeds every event to the pipeline until the recording ends, SIGINT or
  // SIGTERM arrives, or after_batch says stop; then lets out what it holds.
  virtual void run(EventPipeline& pipeline, const EventLoopHooks& hooks) = 0;

  // "F filtered in the kernel, L lost, R recovered, U not recovered" or "N
  // events replayed from FILE, L lost when it was recorded, R recovered, U
  // not recovered": for the summary on stderr at exit. Recovered: lost
  // transitions the last run rebuilt (EventPipeline::recovered).
  virtual std::string summary() const = 0;

  // The listeners a snapshot found open before tracing began, with their
  // owners: a live source tells the kernel side (Tracer::seed_listener_owner).
  virtual void seed_listener_owners(const std::vector<OpenSocket>& /*listeners*/) {}

protected:
  // "R recovered, U not recovered", where U is what is left of lost.
  static std::string recovery(std::uint64_t lost, std::uint64_t recovered);
  std::uint64_t recovered_ = 0; // by the last run's pipeline
};

// Events from the kernel, live.
class LiveSource : public EventSource {
public:
  // Checks privileges, loads and attaches the BPF programs, and records
  // every event into write_path if one is given. Throws tcpsight::Error.
  explicit LiveSource(const TracerOptions& options, const std::string& write_path = {},
                      Notify notify = print_notice);
  ~LiveSource() override;

  WallClock wall_clock() const override { return clock_; }
  bool live() const override { return true; }
  bool ids_are_socket_cookies() const override;
  bool confirms_time_waits() const override { return time_wait_lookup_ != nullptr; }
  // Polls until a stop signal (install_stop_signals) or after_batch says
  // stop; then detaches from the kernel and lets out what is left: it runs
  // once. Events handed over outside a run (tracer().drain()) wait for the
  // next.
  void run(EventPipeline& pipeline, const EventLoopHooks& hooks) override;
  std::string summary() const override;
  void seed_listener_owners(const std::vector<OpenSocket>& listeners) override;

  Tracer& tracer() { return *tracer_; }
  // From now on, where ids are socket cookies: once a second, asks the
  // kernel about sockets handed over in FIN_WAIT2 that still wait for their
  // peer's FIN, and lets the pipeline confirm those in TIME_WAIT.
  void confirm_time_waits();

private:
  void handle(Event event);
  void ask_about_time_waits(EventPipeline& pipeline, std::uint64_t now_ns);
  void report_losses(const EventLoopHooks& hooks);

  WallClock clock_;
  Notify notify_;
  std::unique_ptr<EventFileWriter> recording_;
  std::unique_ptr<Tracer> tracer_;
  EventPipeline* pipeline_ = nullptr;
  const EventLoopHooks* hooks_ = nullptr;
  std::vector<Event> early_; // handed over (tracer().drain()) outside run(), for the next run
  std::uint64_t reported_lost_ = 0;
  std::unique_ptr<NamespacedSocketLookup> time_wait_lookup_;
  std::uint64_t time_waits_confirmed_ = 0;
};

} // namespace tcpsight
