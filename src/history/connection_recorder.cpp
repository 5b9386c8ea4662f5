#include "tcpsight/history/connection_recorder.hpp"

namespace tcpsight {

ConnectionRecorder::ConnectionRecorder(HistoryWriter& writer, WallClock clock, bool transitions)
    : tracker_([this](const ConnectionRecord& record) { finished(record); }), writer_(writer),
      clock_(clock), transitions_(transitions) {}

void ConnectionRecorder::event(const Event& event) {
  tracker_.observe(event);
  if (transitions_ && event.type == EventType::Transition)
    writer_.add_transition(event, clock_.to_wall(MonotonicTime{event.ts_ns}));
}

void ConnectionRecorder::finished(const ConnectionRecord& record) {
  writer_.add_connection(on_wall_clock(record, clock_));
}

} // namespace tcpsight
