#pragma once

#include "tcpsight/history/history_writer.hpp"
#include "tcpsight/model/clock.hpp"
#include "tcpsight/pipeline/event_sink.hpp"
#include "tcpsight/session/lifecycle_tracker.hpp"

namespace tcpsight {

// What `tcpsight record` keeps: folds interpreted events into connections
// and hands each finished one, and with transitions every state change, to
// the writer, on the wall clock (the history outlives the boot whose
// monotonic clock the events are on).
class ConnectionRecorder : public EventSink {
public:
  ConnectionRecorder(HistoryWriter& writer, WallClock clock, bool transitions);

  void event(const Event& event) override;
  // For seeding and reconciling with snapshots, and its counts.
  LifecycleTracker& tracker() { return tracker_; }

private:
  void finished(const ConnectionRecord& record);

  LifecycleTracker tracker_;
  HistoryWriter& writer_;
  WallClock clock_;
  bool transitions_;
};

} // namespace tcpsight
