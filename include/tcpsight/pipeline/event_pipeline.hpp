#pragma once

#include "tcpsight/model/event.hpp"
#include "tcpsight/model/filter.hpp"
#include "tcpsight/pipeline/drop_ledger.hpp"
#include "tcpsight/pipeline/event_sink.hpp"
#include "tcpsight/pipeline/gap_recovery.hpp"
#include "tcpsight/pipeline/time_wait_inference.hpp"
#include "tcpsight/pipeline/tuple_completer.hpp"

#include <cstdint>
#include <vector>

namespace tcpsight {

// Everything between the decoder and a view: rebuilds lost transitions,
// completes 4-tuples, interprets, infers the TIME_WAITs no tracepoint
// reports, gives each closing socket the drops seen of its connection,
// checks the filter again now that ports are known, and hands the events to
// a sink.
class EventPipeline {
public:
  EventPipeline(Filter filter, EventSink& sink) : filter_(std::move(filter)), output_(sink) {}

  void push(Event event);
  // Lets out events held back past their time, as of monotonic now_ns.
  void tick(std::uint64_t now_ns);
  // Tracing live, with ids that are socket cookies: the sockets handed over
  // in FIN_WAIT2 to ask the kernel about now (TimeWaitInference), then what
  // it answered, which lets out the TIME_WAITs it confirms.
  std::vector<ConnectionId> time_waits_to_confirm(std::uint64_t now_ns);
  // Returns how many confirmed TIME_WAITs it let out.
  std::size_t take_time_wait_answer(const SocketLookupAnswer& answer);
  // Lets out everything still held.
  void finish();

  std::uint64_t delivered() const { return delivered_; }
  // Lost transitions rebuilt (GapRecovery::recovered).
  std::uint64_t recovered() const { return gaps_.recovered(); }
  // Drops that no closing socket took before room ran out.
  std::uint64_t drops_unclaimed() const { return drops_.evicted(); }

private:
  void deliver();
  void output_inferred();
  void count_drops(Event& event);
  void output(const Event& event);

  Filter filter_;
  EventSink& output_;
  GapRecovery gaps_;
  TupleCompleter completer_;
  TimeWaitInference time_wait_;
  DropLedger drops_;
  std::vector<Event> arrived_;
  std::vector<Event> ready_;
  std::vector<Event> inferred_;
  std::uint64_t delivered_ = 0;
};

} // namespace tcpsight
