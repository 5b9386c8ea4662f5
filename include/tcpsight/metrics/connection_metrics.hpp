#pragma once

#include "tcpsight/kernel/cgroup_directory.hpp"
#include "tcpsight/metrics/metric_labels.hpp"
#include "tcpsight/pipeline/event_sink.hpp"
#include "tcpsight/session/lifecycle_tracker.hpp"

#include <prometheus/counter.h>
#include <prometheus/family.h>
#include <prometheus/gauge.h>
#include <prometheus/histogram.h>
#include <prometheus/registry.h>

#include <array>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>

namespace tcpsight {

struct MetricsSettings {
  LabelChoice labels = kAllLabels;
  // Label sets a connection series may have; the ones past it share one
  // series whose kept labels all read "other".
  std::size_t max_series = 1000;
};

// What tcpsight itself has counted since it started: events from the kernel
// and what became of them, connections it could not follow.
struct SelfCounts {
  std::uint64_t received = 0;  // events decoded
  std::uint64_t filtered = 0;  // dropped by a filter in the kernel
  std::uint64_t lost = 0;      // the kernel could not write them
  std::uint64_t recovered = 0; // lost transitions rebuilt from what came after
  std::uint64_t expired = 0;   // connections dropped as their close was lost
  std::uint64_t untracked = 0; // connections past the tracker's limit
};

// The exporter's Prometheus metrics, kept up to date from the same events
// and connection records as `life` and `record`: an event sink that counts
// connections as they open and complete their handshake, and folds the
// events into records (its own tracker) to count them as they close.
// Series are added to the registry as label sets first appear, up to
// MetricsSettings::max_series.
class ConnectionMetrics : public EventSink {
public:
  ConnectionMetrics(prometheus::Registry& registry, MetricsSettings settings, CgroupLookup cgroups,
                    std::string_view version);
  ~ConnectionMetrics() override;

  void event(const Event& event) override;
  LifecycleTracker& tracker() { return tracker_; }

  // The sockets gauge: the tracker's connections by state, and listeners
  // as the last snapshot counted them.
  void update_sockets(std::size_t listeners);
  // tcpsight's own counters, from totals since it started.
  void update_self(const SelfCounts& counts);

  // Label sets with series of their own (not counting "other").
  std::size_t label_sets() const { return series_.size(); }

private:
  struct Series;
  struct Families;

  Series& series_of(const LabelSource& source);
  LabelSource source_of(Role role, const ConnectionId& id, const std::optional<Owner>& owner) const;
  Series& series_at_open(const Event& event, Role role);
  Series& series_at_close(const ConnectionRecord& record);
  void remember_open(std::uint64_t sock_id, Series& series);
  void count_live(const Event& event);
  void count_drop(const std::string& reason);
  void finished(const ConnectionRecord& record);
  const CgroupInfo* cgroup_of(const Owner* owner) const;

  MetricsSettings settings_;
  CgroupLookup cgroups_;
  std::unique_ptr<Families> families_;
  std::unordered_map<std::string, std::unique_ptr<Series>> series_;
  std::unordered_map<std::string, std::unique_ptr<Series>> others_; // past the cap, per role
  // The open connections' label sets, by socket: swept of those the tracker
  // dropped in update_sockets(), so no larger than the tracker.
  std::unordered_map<std::uint64_t, Series*> open_series_;
  std::unordered_set<std::size_t> folded_; // hashes of label sets past the cap, up to a bound
  std::unordered_map<std::string, prometheus::Counter*> drops_by_reason_;
  SelfCounts self_;
  prometheus::Counter* expired_ = nullptr;
  prometheus::Counter* over_limit_ = nullptr;
  std::array<prometheus::Gauge*, std::tuple_size_v<LifecycleTracker::StateCounts>> sockets_{};
  LifecycleTracker tracker_;
};

} // namespace tcpsight
