#include "commands.hpp"

#include "connection_tracking.hpp"
#include "event_source.hpp"
#include "tcpsight/history/history_writer.hpp"
#include "tcpsight/session/lifecycle_tracker.hpp"

#include <fmt/core.h>

namespace tcpsight::cli {
namespace {

// Folds events into connections and hands them, and with --transitions
// every transition, to the writer, in wall-clock time.
class RecordingSink : public EventSink {
public:
  RecordingSink(HistoryWriter& writer, WallClock clock, bool transitions)
      : tracker_([this](const ConnectionRecord& record) { finished(record); }), writer_(writer),
        clock_(clock), transitions_(transitions) {}

  LifecycleTracker& tracker() { return tracker_; }

  void event(const Event& event) override {
    tracker_.observe(event);
    if (transitions_ && event.type == EventType::Transition)
      writer_.add_transition(event, clock_.to_wall(MonotonicTime{event.ts_ns}));
  }

private:
  void finished(const ConnectionRecord& record) {
    writer_.add_connection(on_wall_clock(record, clock_));
  }

  LifecycleTracker tracker_;
  HistoryWriter& writer_;
  WallClock clock_;
  bool transitions_;
};

} // namespace

int run_record(const RecordOptions& options) {
  auto source = EventSource::open(options.source); // privileges first: no file for nothing
  const auto path = options.db_path.empty() ? default_history_path() : options.db_path;
  HistoryWriter writer(std::make_unique<HistoryStore>(path, HistoryStore::Mode::ReadWrite),
                       {.max_age_ns = options.retain_ns, .max_bytes = options.max_bytes});
  fmt::print(stderr, "tcpsight: recording connections{} into {}\n",
             options.transitions ? " and transitions" : "", path);

  RecordingSink sink(writer, source->wall_clock(), options.transitions);
  ConnectionTracking tracking(*source, sink.tracker());
  EventPipeline pipeline(options.source.filter, sink);
  source->run(pipeline, {.lost = report_lost_events, .after_batch = [&](std::uint64_t now) {
                           tracking.after_batch(now);
                           writer.check(); // a failed write stops recording
                           return true;
                         }});
  writer.flush();
  const auto written = writer.stats();
  const auto tracked = sink.tracker().stats();
  fmt::print(stderr,
             "tcpsight: {} connections and {} transitions recorded into {}, {} still open, {} "
             "dropped as their close was lost, {} not written as the disk fell behind, {} "
             "deleted by retention; events: {}\n",
             written.connections_written, written.transitions_written, path, tracked.open,
             tracked.expired, written.rows_dropped, written.connections_deleted, source->summary());
  return 0;
}

} // namespace tcpsight::cli
