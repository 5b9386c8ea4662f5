#pragma once

#include "tcpsight/session/snapshot_sync.hpp"

#include <cstddef>

namespace tcpsight {

// The exporter's view of the snapshots: they keep its tracker true (as for
// life and record) and count the listeners, which the tracker does not follow.
class MetricsSnapshotTarget : public SnapshotTarget {
public:
  explicit MetricsSnapshotTarget(LifecycleTracker& tracker) : tracker_target_(tracker) {}

  void seed(const OpenSocket& socket, Role role, std::uint64_t now_ns) override;
  void reconcile(const OpenSockets& snapshot, std::uint64_t now_ns,
                 std::uint64_t quiet_ns) override;

  // Listening sockets in the last snapshot.
  std::size_t listeners() const { return listeners_; }

private:
  TrackerSnapshotTarget tracker_target_;
  std::size_t listeners_ = 0;
};

} // namespace tcpsight
