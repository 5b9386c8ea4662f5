#include "tcpsight/event_pipeline.hpp"

#include "tcpsight/interpret.hpp"

namespace tcpsight {

void EventPipeline::push(Event event) {
  completer_.push(std::move(event), ready_);
  deliver();
}

void EventPipeline::tick(std::uint64_t now_ns) {
  completer_.expire(now_ns, ready_);
  deliver();
}

void EventPipeline::finish() {
  completer_.flush(ready_);
  deliver();
}

void EventPipeline::deliver() {
  for (auto& raw : ready_) {
    const Event event = interpret(std::move(raw));
    if (!filter_.matches(event))
      continue;
    output_.event(event);
    ++delivered_;
  }
  ready_.clear();
}

} // namespace tcpsight
