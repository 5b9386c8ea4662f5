#include "tcpsight/pipeline/event_pipeline.hpp"

#include "tcpsight/pipeline/interpret.hpp"

namespace tcpsight {

void EventPipeline::push(Event event) {
  gaps_.push(std::move(event), arrived_);
  for (auto& e : arrived_)
    completer_.push(std::move(e), ready_);
  arrived_.clear();
  deliver();
}

void EventPipeline::tick(std::uint64_t now_ns) {
  completer_.expire(now_ns, ready_);
  time_wait_.expire(now_ns);
  deliver();
}

std::vector<ConnectionId> EventPipeline::time_waits_to_confirm(std::uint64_t now_ns) {
  return time_wait_.due_lookups(
      now_ns, [this](const Event& time_wait) { return filter_.matches(time_wait); });
}

std::size_t EventPipeline::take_time_wait_answer(const SocketLookupAnswer& answer) {
  time_wait_.answered(answer, inferred_);
  const auto delivered_before = delivered_;
  output_inferred();
  return delivered_ - delivered_before;
}

void EventPipeline::finish() {
  completer_.flush(ready_);
  deliver();
}

void EventPipeline::deliver() {
  for (auto& raw : ready_) {
    Event event = interpret(std::move(raw));
    count_drops(event);
    time_wait_.observe(event, inferred_);
    output(event);
    output_inferred();
  }
  ready_.clear();
}

void EventPipeline::output_inferred() {
  for (const auto& implied : inferred_)
    output(implied);
  inferred_.clear();
}

// A drop waits in the ledger for its connection's socket to close. A drop
// seen after a close (a late segment) goes to the next connection of the
// same ends.
void EventPipeline::count_drops(Event& event) {
  if (event.type == EventType::Drop)
    drops_.add(event);
  else if (event.closes_socket)
    if (auto drops = drops_.take(event.id, event.ts_ns); drops.count)
      event.drops = std::move(drops);
}

void EventPipeline::output(const Event& event) {
  if (!filter_.matches(event))
    return;
  output_.event(event);
  ++delivered_;
}

} // namespace tcpsight
