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

void EventPipeline::finish() {
  completer_.flush(ready_);
  deliver();
}

void EventPipeline::deliver() {
  for (auto& raw : ready_) {
    const Event event = interpret(std::move(raw));
    time_wait_.observe(event, inferred_);
    output(event);
    for (const auto& implied : inferred_)
      output(implied);
    inferred_.clear();
  }
  ready_.clear();
}

void EventPipeline::output(const Event& event) {
  if (!filter_.matches(event))
    return;
  output_.event(event);
  ++delivered_;
}

} // namespace tcpsight
