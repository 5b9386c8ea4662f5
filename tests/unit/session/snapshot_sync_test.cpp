// The one policy that seeds live views from a snapshot and reconciles them
// with later ones: life, record and top all run it.
#include "tcpsight/session/snapshot_sync.hpp"

#include "sample_event.hpp"

#include <gtest/gtest.h>

#include <vector>

namespace tcpsight {
namespace {

constexpr std::uint64_t kSecond = 1'000'000'000;
constexpr std::uint64_t kStart = 100 * kSecond;
constexpr std::uint32_t kNetns = 4026531840;

// Only what SnapshotSync asks of a source: live, and socket ids as cookies.
class FakeSource : public EventSource {
public:
  FakeSource(bool live, bool cookies) : live_(live), cookies_(cookies) {}
  WallClock wall_clock() const override { return WallClock(0); }
  bool live() const override { return live_; }
  bool ids_are_socket_cookies() const override { return cookies_; }
  void run(EventPipeline&, const EventLoopHooks&) override {}
  std::string summary() const override { return {}; }
  void seed_listener_owners(const std::vector<OpenSocket>& listeners) override {
    for (const auto& listener : listeners)
      listener_ports.push_back(listener.row.id.local_port);
  }

  std::vector<std::uint16_t> listener_ports;

private:
  bool live_, cookies_;
};

struct Seeded {
  std::uint64_t cookie;
  Role role;
  bool owned;
  bool operator==(const Seeded&) const = default;
};

struct Reconciled {
  std::uint64_t now_ns;
  std::uint64_t quiet_ns;
  std::size_t sockets;
  bool operator==(const Reconciled&) const = default;
};

class LoggingTarget : public SnapshotTarget {
public:
  void seed(const OpenSocket& socket, Role role, std::uint64_t) override {
    seeded.push_back({socket.row.id.sock_id, role, socket.owner.has_value()});
  }
  void reconcile(const OpenSockets& snapshot, std::uint64_t now_ns,
                 std::uint64_t quiet_ns) override {
    reconciled.push_back({now_ns, quiet_ns, snapshot.sockets.size()});
  }
  std::vector<Seeded> seeded;
  std::vector<Reconciled> reconciled;
};

OpenSocket tcp(std::uint64_t cookie, TcpState state, std::uint16_t local_port,
               std::uint16_t remote_port) {
  return {.row = {.protocol = Protocol::Tcp,
                  .id = {.sock_id = cookie,
                         .netns = kNetns,
                         .local_port = local_port,
                         .remote_port = remote_port},
                  .state = state}};
}

// A listener on 8080, a connection it accepted and one this host opened
// (to another host's 8080: the remote port does not make it passive).
OpenSockets server_and_client(bool with_owners) {
  OpenSockets snapshot{.netns = kNetns,
                       .sockets = {tcp(1, TcpState::Listen, 8080, 0),
                                   tcp(2, TcpState::Established, 8080, 40000),
                                   tcp(3, TcpState::Established, 40001, 8080)}};
  if (with_owners)
    for (auto& socket : snapshot.sockets)
      socket.owner = Owner{.pid = 7, .comm = "server"};
  return snapshot;
}

struct Snapshots {
  std::vector<bool> taken; // with_owners, per snapshot
  SnapshotSync::Settings settings() {
    return {.take = [this](bool with_owners) {
      taken.push_back(with_owners);
      return server_and_client(with_owners);
    }};
  }
};

TEST(SnapshotSync, SeedsWithOwnersAndTheSideEachSocketOpenedFrom) {
  FakeSource source(true, true);
  LoggingTarget target;
  Snapshots snapshots;
  SnapshotSync sync(source, target, kStart, snapshots.settings());
  EXPECT_TRUE(sync.active());
  EXPECT_EQ(snapshots.taken, (std::vector<bool>{true}));
  // The kernel side learns the listener's owner, for the connections it accepts.
  EXPECT_EQ(source.listener_ports, (std::vector<std::uint16_t>{8080}));
  EXPECT_EQ(target.seeded,
            (std::vector<Seeded>{
                {1, Role::Passive, true}, {2, Role::Passive, true}, {3, Role::Active, true}}));
}

// Connections the events are filtered away from are not seeded: their
// close would never come, and they would count as lost. Listeners still are.
TEST(SnapshotSync, SeedsOnlyWhatTheFilterKeeps) {
  FakeSource source(true, true);
  LoggingTarget target;
  Snapshots snapshots;
  auto settings = snapshots.settings();
  settings.filter.local_ports = {40001};
  SnapshotSync sync(source, target, kStart, settings);
  ASSERT_EQ(target.seeded.size(), 2u);
  EXPECT_EQ(target.seeded[0].cookie, 1u); // the listener
  EXPECT_EQ(target.seeded[1].cookie, 3u);
}

TEST(SnapshotSync, ReconcilesOncePerPeriodWithoutOwners) {
  FakeSource source(true, true);
  LoggingTarget target;
  Snapshots snapshots;
  const ReconcilePolicy policy;
  SnapshotSync sync(source, target, kStart, snapshots.settings());
  for (const auto at : {kStart + kSecond, kStart + policy.every_ns - 1, kStart + policy.every_ns,
                        kStart + policy.every_ns + kSecond, kStart + 2 * policy.every_ns})
    sync.after_batch(at);
  EXPECT_EQ(target.reconciled,
            (std::vector<Reconciled>{{kStart + policy.every_ns, policy.quiet_ns, 3},
                                     {kStart + 2 * policy.every_ns, policy.quiet_ns, 3}}));
  EXPECT_EQ(snapshots.taken, (std::vector<bool>{true, false, false}));
}

// Replaying a recording, the sockets now are not the recording's; before
// Linux 5.12 events name sockets by address, which no snapshot shows.
TEST(SnapshotSync, DoesNothingUnlessEventsNameSocketsByCookie) {
  for (auto source : {FakeSource(false, false), FakeSource(true, false)}) {
    LoggingTarget target;
    Snapshots snapshots;
    SnapshotSync sync(source, target, kStart, snapshots.settings());
    sync.after_batch(kStart + 60 * kSecond);
    EXPECT_FALSE(sync.active());
    EXPECT_TRUE(snapshots.taken.empty());
    EXPECT_TRUE(target.seeded.empty());
    EXPECT_TRUE(target.reconciled.empty());
  }
}

// Snapshots of server_and_client() that lack connection 3 once gone is
// set: it closed and the events missed it.
SnapshotSync::Settings losing_connection_3(const bool& gone) {
  return {.take = [&gone](bool with_owners) {
    auto snapshot = server_and_client(with_owners);
    if (gone)
      snapshot.sockets.pop_back();
    return snapshot;
  }};
}

// Through the tracker: a connection missing from two later snapshots in a
// row has its close counted lost once it is quiet; other namespaces'
// connections stay.
TEST(SnapshotSync, TrackerDropsConnectionsTheKernelNoLongerHas) {
  std::vector<ConnectionRecord> finished;
  LifecycleTracker tracker([&](const ConnectionRecord& r) { finished.push_back(r); });
  TrackerSnapshotTarget target(tracker);
  auto elsewhere = tcp(9, TcpState::Established, 5000, 6000);
  elsewhere.row.id.netns = kNetns + 1;
  target.seed(elsewhere, Role::Active, kStart);
  FakeSource source(true, true);
  const ReconcilePolicy policy;
  bool gone = false;
  SnapshotSync sync(source, target, kStart, losing_connection_3(gone));
  EXPECT_EQ(tracker.stats().open, 3u) << "2, 3 and the other namespace's; not the listener";
  gone = true;
  sync.after_batch(kStart + policy.every_ns);
  EXPECT_EQ(tracker.stats().open, 3u) << "its record may still be on its way";
  sync.after_batch(kStart + 2 * policy.every_ns);
  EXPECT_EQ(tracker.stats().open, 2u);
  EXPECT_EQ(tracker.stats().expired, 1u);
  EXPECT_TRUE(finished.empty()) << "a lost close makes no record";
}

// A connection the events spoke of a moment ago is spared, although the
// snapshot misses it: the dump may have begun just before it opened.
TEST(SnapshotSync, TrackerKeepsConnectionsHeardOfRecently) {
  LifecycleTracker tracker([](const ConnectionRecord&) {});
  TrackerSnapshotTarget target(tracker);
  FakeSource source(true, true);
  const ReconcilePolicy policy;
  bool gone = false;
  SnapshotSync sync(source, target, kStart, losing_connection_3(gone));
  auto heard = test::sample_transition(3, TcpState::Established, TcpState::FinWait1, 40001,
                                       kStart + policy.every_ns - policy.quiet_ns / 2);
  heard.id.netns = kNetns;
  tracker.observe(heard);
  gone = true;
  sync.after_batch(kStart + policy.every_ns);
  EXPECT_EQ(tracker.stats().expired, 0u);
  sync.after_batch(kStart + 2 * policy.every_ns);
  EXPECT_EQ(tracker.stats().expired, 0u) << "quiet now, and missed once";
  sync.after_batch(kStart + 3 * policy.every_ns);
  EXPECT_EQ(tracker.stats().expired, 1u) << "missed twice while quiet, it goes";
}

} // namespace
} // namespace tcpsight
