#pragma once

#include "tcpsight/model/event.hpp"

namespace tcpsight {

// Where interpreted events (see interpret()) go after EventPipeline: an
// output, a lifecycle tracker.
class EventSink {
public:
  virtual ~EventSink() = default;
  virtual void event(const Event& event) = 0;
};

} // namespace tcpsight
