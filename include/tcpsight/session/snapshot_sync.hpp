#pragma once

#include "tcpsight/kernel/open_sockets.hpp"
#include "tcpsight/session/event_source.hpp"
#include "tcpsight/session/lifecycle_tracker.hpp"

#include <cstdint>
#include <functional>
#include <unordered_set>

namespace tcpsight {

// What snapshots of the kernel's TCP sockets keep true while tracing live:
// the connections of life and record, the table of top, the exporter's gauges.
class SnapshotTarget {
public:
  virtual ~SnapshotTarget() = default;
  // A socket open before tracing began, and which side opened it.
  virtual void seed(const OpenSocket& socket, Role role, std::uint64_t now_ns) = 0;
  // The sockets now. A connection of snapshot.netns that is not listed and
  // has been quiet for quiet_ns is gone although no event said so: its close
  // was lost. Connections of other namespaces are left alone.
  virtual void reconcile(const OpenSockets& snapshot, std::uint64_t now_ns,
                         std::uint64_t quiet_ns) = 0;
};

// How often live views are checked against the kernel, and how long a
// connection must be quiet (no event, or just appeared) before it can be
// called gone: one that the events have only just started may be missing
// from a dump begun a moment before. A check dumps every TCP socket of the
// namespace (`tcpsight ls -tan`, which does that and more, takes 55 ms for
// 40,000 in bench/run_listing.sh), so an always-on `record` does it rarely:
// only lost events make it find anything.
struct ReconcilePolicy {
  std::uint64_t every_ns = 10'000'000'000;
  std::uint64_t quiet_ns = 5'000'000'000;
};

// Seeds a target with the connections open when tracing starts (with their
// owners; a local port that a listener holds marks the passive side), then
// reconciles it with a fresh snapshot every policy.every_ns. It does
// nothing unless events name sockets by the cookies that sock_diag shows:
// when replaying a recording, or on kernels before 5.12.
class SnapshotSync {
public:
  using TakeSnapshot = std::function<OpenSockets(bool with_owners)>;

  struct Settings {
    TakeSnapshot take = [](bool with_owners) { return open_tcp_sockets(with_owners); };
    ReconcilePolicy policy;
    // The connections the events are filtered to (their states aside): only
    // those are seeded, as the others' closes would never come.
    Filter filter;
  };

  SnapshotSync(EventSource& source, SnapshotTarget& target, std::uint64_t now_ns,
               Settings settings);
  SnapshotSync(EventSource& source, SnapshotTarget& target, std::uint64_t now_ns)
      : SnapshotSync(source, target, now_ns, Settings{}) {}

  bool active() const { return active_; }
  // Call after each batch of events, with the events' clock.
  void after_batch(std::uint64_t now_ns);

private:
  void seed(EventSource& source, std::uint64_t now_ns);

  SnapshotTarget& target_;
  Settings settings_;
  bool active_;
  std::uint64_t last_check_ns_;
};

// LifecycleTracker as a SnapshotTarget: `life` and `record`. A connection
// is dropped only when two checks in a row miss it: with one record per
// connection, one that closed just before the dump may have its record still
// waiting in the ring buffer, and the quiet time cannot spare it (nothing is
// heard of a connection between its start and its close).
class TrackerSnapshotTarget : public SnapshotTarget {
public:
  explicit TrackerSnapshotTarget(LifecycleTracker& tracker) : tracker_(tracker) {}
  void seed(const OpenSocket& socket, Role role, std::uint64_t now_ns) override;
  void reconcile(const OpenSockets& snapshot, std::uint64_t now_ns,
                 std::uint64_t quiet_ns) override;

private:
  LifecycleTracker& tracker_;
  std::unordered_set<std::uint64_t> missed_last_time_;
};

} // namespace tcpsight
