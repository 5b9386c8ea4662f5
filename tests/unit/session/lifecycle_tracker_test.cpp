#include "tcpsight/session/lifecycle_tracker.hpp"

#include "sample_event.hpp"
#include "tcpsight/pipeline/interpret.hpp"

#include <gtest/gtest.h>

#include <cerrno>

namespace tcpsight {
namespace {

using enum TcpState;

constexpr std::uint64_t kMs = 1'000'000;
const Owner kCurl{.pid = 4242, .uid = 1000, .cgroup_id = 77, .comm = "curl"};
const Owner kNginx{.pid = 10, .uid = 33, .cgroup_id = 5, .comm = "nginx"};

// One socket's kernel events, interpreted as EventPipeline does, into a tracker.
class Connection {
public:
  Connection(LifecycleTracker& tracker, std::uint64_t sock_id) : tracker_(tracker), id_(sock_id) {}

  // A transition at ms milliseconds; edit lets a test set flags and errors.
  Connection& to(TcpState from, TcpState to_state, double ms,
                 const std::function<void(Event&)>& edit = {}) {
    auto e = test::sample_transition(id_, from, to_state, 40000, at(ms));
    e.owner = kCurl;
    e.handshake_ns.reset();
    e.ns_in_old.reset();
    if (edit)
      edit(e);
    tracker_.observe(interpret(e));
    return *this;
  }

  Connection& other(EventType type, double ms) {
    auto e = test::sample_transition(id_, SynSent, SynSent, 40000, at(ms));
    e.type = type;
    tracker_.observe(interpret(e));
    return *this;
  }

  static std::uint64_t at(double ms) {
    return 1'000'000'000 + static_cast<std::uint64_t>(ms * kMs);
  }

private:
  LifecycleTracker& tracker_;
  std::uint64_t id_;
};

// A socket as a snapshot lists it.
SocketRow socket_row(std::uint64_t cookie, TcpState state) {
  return {.protocol = Protocol::Tcp, .id = {.sock_id = cookie}, .state = state};
}

// The sample connection's fixed parts: 127.0.0.1:40000 -> 10.1.2.3:8080.
ConnectionRecord expected(std::uint64_t sock_id, Role role, Outcome outcome) {
  const auto sample = test::sample_event();
  ConnectionRecord record;
  record.id.sock_id = sock_id;
  record.id.netns = sample.id.netns;
  record.id.local = sample.id.local;
  record.id.local_port = 40000;
  record.id.remote = sample.id.remote;
  record.id.remote_port = 8080;
  record.owner = kCurl;
  record.role = role;
  record.outcome = outcome;
  return record;
}

class LifecycleTrackerTest : public ::testing::Test {
protected:
  std::vector<ConnectionRecord> finished_;
  LifecycleTracker tracker_{[this](const ConnectionRecord& r) { finished_.push_back(r); }};
};

TEST_F(LifecycleTrackerTest, ActiveCloseEndsInTimeWait) {
  const ConnectionTotals totals{.tx_bytes = 100, .rx_bytes = 2000, .retransmits = 1};
  Connection(tracker_, 1)
      .to(Close, SynSent, 0)
      .to(SynSent, Established, 1, [](Event& e) { e.handshake_ns = 1 * kMs; })
      .to(Established, FinWait1, 11)
      .to(FinWait1, FinWait2, 11.5)
      .to(FinWait2, Close, 12, [&](Event& e) {
        e.peer_fin = e.orphan = true;
        e.totals = totals;
      });
  ASSERT_EQ(finished_.size(), 1u);
  auto want = expected(1, Role::Active, Outcome::NormalActive);
  want.start = MonotonicTime{Connection::at(0)};
  want.end = MonotonicTime{Connection::at(12)};
  want.handshake_ns = 1 * kMs;
  want.path = {{SynSent, 1 * kMs},
               {Established, 10 * kMs},
               {FinWait1, kMs / 2},
               {FinWait2, kMs / 2},
               {TimeWait, std::nullopt}};
  want.totals = totals;
  EXPECT_EQ(finished_[0], want);
  EXPECT_EQ(finished_[0].duration_ns(), 12 * kMs);
  EXPECT_EQ(tracker_.stats().open, 0u);
}

TEST_F(LifecycleTrackerTest, ActiveCloseHandedOverBeforeThePeersFin) {
  Connection(tracker_, 1)
      .to(Close, SynSent, 0)
      .to(SynSent, Established, 1)
      .to(Established, FinWait1, 2)
      .to(FinWait1, FinWait2, 3)
      .to(FinWait2, Close, 4, [](Event& e) { e.orphan = true; });
  ASSERT_EQ(finished_.size(), 1u);
  EXPECT_EQ(finished_[0].outcome, Outcome::NormalActive);
  EXPECT_EQ(finished_[0].path.back().state, Close);
  // The TIME_WAIT inferred later for the timewait socket starts nothing new.
  auto inferred = test::sample_transition(1, FinWait2, TimeWait, 40000, Connection::at(5));
  inferred.inferred = true;
  tracker_.observe(inferred);
  EXPECT_EQ(finished_.size(), 1u);
  EXPECT_EQ(tracker_.stats().open, 0u);
}

TEST_F(LifecycleTrackerTest, PassiveCloseOwnedByTheListenerThenTheAcceptor) {
  Connection(tracker_, 2)
      .to(Listen, SynRecv, 0, [](Event& e) { e.owner = kNginx; })
      .to(SynRecv, Established, 0.05,
          [](Event& e) {
            e.owner = kNginx;
            e.handshake_ns = kMs / 20;
          })
      .to(Established, CloseWait, 100)
      .to(CloseWait, LastAck, 100.5)
      .to(LastAck, Close, 101, [](Event& e) { e.totals = ConnectionTotals{.tx_bytes = 5}; });
  ASSERT_EQ(finished_.size(), 1u);
  auto want = expected(2, Role::Passive, Outcome::NormalPassive);
  want.owner = kCurl; // the last owner seen: the tests' events name curl after the handshake
  want.start = MonotonicTime{Connection::at(0)};
  want.end = MonotonicTime{Connection::at(101)};
  want.handshake_ns = kMs / 20;
  want.path = {{SynRecv, kMs / 20},
               {Established, 100 * kMs - kMs / 20},
               {CloseWait, kMs / 2},
               {LastAck, kMs / 2},
               {Close, std::nullopt}};
  want.totals = ConnectionTotals{.tx_bytes = 5};
  EXPECT_EQ(finished_[0], want);
}

TEST_F(LifecycleTrackerTest, SimultaneousClose) {
  Connection(tracker_, 3)
      .to(Close, SynSent, 0)
      .to(SynSent, Established, 1)
      .to(Established, FinWait1, 2)
      .to(FinWait1, Closing, 3)
      .to(Closing, Close, 4, [](Event& e) { e.peer_fin = e.orphan = true; });
  ASSERT_EQ(finished_.size(), 1u);
  EXPECT_EQ(finished_[0].outcome, Outcome::Simultaneous);
  EXPECT_EQ(finished_[0].path.back().state, TimeWait);
}

TEST_F(LifecycleTrackerTest, Refused) {
  Connection(tracker_, 4).to(Close, SynSent, 0).to(SynSent, Close, 0.2, [](Event& e) {
    e.reset_received = true;
    e.error = ECONNREFUSED;
  });
  ASSERT_EQ(finished_.size(), 1u);
  auto want = expected(4, Role::Active, Outcome::Refused);
  want.start = MonotonicTime{Connection::at(0)};
  want.end = MonotonicTime{Connection::at(0.2)};
  want.path = {{SynSent, kMs / 5}, {Close, std::nullopt}};
  want.error = ECONNREFUSED;
  EXPECT_EQ(finished_[0], want);
}

TEST_F(LifecycleTrackerTest, TimedOutAfterRetransmittingItsSyn) {
  Connection(tracker_, 5)
      .to(Close, SynSent, 0)
      .other(EventType::SynRetransmit, 1000)
      .other(EventType::SynRetransmit, 3000)
      .to(SynSent, Close, 7000, [](Event& e) { e.error = ETIMEDOUT; });
  ASSERT_EQ(finished_.size(), 1u);
  EXPECT_EQ(finished_[0].outcome, Outcome::TimedOut);
  EXPECT_EQ(finished_[0].syn_retransmits, 2u);
  EXPECT_EQ(finished_[0].duration_ns(), 7000 * kMs);
}

TEST_F(LifecycleTrackerTest, ResetReceivedAndResetSent) {
  Connection(tracker_, 6)
      .to(Close, SynSent, 0)
      .to(SynSent, Established, 1)
      .to(Established, Close, 5, [](Event& e) {
        e.reset_received = true;
        e.error = ECONNRESET;
      });
  Connection(tracker_, 7)
      .to(Close, SynSent, 0)
      .to(SynSent, Established, 1)
      .to(Established, FinWait1, 2, [](Event& e) { e.linger_zero = true; })
      .to(FinWait1, Close, 2, [](Event& e) { e.linger_zero = e.orphan = true; });
  ASSERT_EQ(finished_.size(), 2u);
  EXPECT_EQ(finished_[0].outcome, Outcome::ResetReceived);
  EXPECT_EQ(finished_[0].error, ECONNRESET);
  EXPECT_EQ(finished_[1].outcome, Outcome::ResetSent);
}

TEST_F(LifecycleTrackerTest, LostCloseIsExpiredAndCountedNotKept) {
  Connection(tracker_, 8).to(Close, SynSent, 0).to(SynSent, Established, 1);
  Connection(tracker_, 9).to(Close, SynSent, 0).to(SynSent, Established, 1);
  const auto only_nine_lives = [](std::uint64_t id, std::uint32_t) { return id == 9; };
  // Within the grace period nothing goes, even if the socket is gone.
  EXPECT_EQ(tracker_.expire_missing(only_nine_lives, Connection::at(2), 5'000 * kMs), 0u);
  EXPECT_EQ(tracker_.expire_missing(only_nine_lives, Connection::at(6'000), 5'000 * kMs), 1u);
  EXPECT_TRUE(finished_.empty());
  const auto stats = tracker_.stats();
  EXPECT_EQ(stats.open, 1u);
  EXPECT_EQ(stats.expired, 1u);
  ASSERT_EQ(tracker_.open_records().size(), 1u);
  EXPECT_EQ(tracker_.open_records()[0].id.sock_id, 9u);
  EXPECT_EQ(tracker_.open_records()[0].outcome, Outcome::StillOpen);
}

TEST_F(LifecycleTrackerTest, SeededConnectionsEndLikeOthers) {
  auto id = test::sample_event().id; // 127.0.0.1:40000 -> 10.1.2.3:8080
  id.sock_id = 10;
  const SocketRow row{.protocol = Protocol::Tcp, .id = id, .state = Established};
  tracker_.seed(row, kCurl, Role::Active, Connection::at(0));
  // Listeners and TIME_WAIT are not connections to follow.
  tracker_.seed(socket_row(11, Listen), {}, Role::Unknown, Connection::at(0));
  tracker_.seed(socket_row(12, TimeWait), {}, Role::Unknown, Connection::at(0));
  EXPECT_EQ(tracker_.stats().open, 1u);
  Connection(tracker_, 10)
      .to(Established, CloseWait, 3)
      .to(CloseWait, LastAck, 4)
      .to(LastAck, Close, 5);
  ASSERT_EQ(finished_.size(), 1u);
  auto want = expected(10, Role::Active, Outcome::NormalPassive);
  want.seeded = true;
  want.start = MonotonicTime{Connection::at(0)};
  want.end = MonotonicTime{Connection::at(5)};
  want.path = {{Established, 3 * kMs}, {CloseWait, kMs}, {LastAck, kMs}, {Close, std::nullopt}};
  EXPECT_EQ(finished_[0], want);
}

TEST_F(LifecycleTrackerTest, SeededJustBeforeItsEvents) {
  // The snapshot saw ESTABLISHED at 10 ms; events already in flight say it
  // became ESTABLISHED at 8 ms and closed at 9 ms.
  tracker_.seed(socket_row(16, Established), {}, Role::Unknown, Connection::at(10));
  Connection(tracker_, 16).to(SynSent, Established, 8).to(Established, Close, 9, [](Event& e) {
    e.error = ECONNRESET;
  });
  ASSERT_EQ(finished_.size(), 1u);
  EXPECT_EQ(finished_[0].start.ns, Connection::at(9)) << "never after its end";
  EXPECT_EQ(finished_[0].duration_ns(), 0u);
  EXPECT_EQ(finished_[0].path, (std::vector<StateStep>{{Established, 0}, {Close, {}}}))
      << "ESTABLISHED once";
}

TEST_F(LifecycleTrackerTest, ConnectionsFirstSeenMidLifeStartThere) {
  Connection(tracker_, 13).to(Established, Close, 9, [](Event& e) {
    e.ns_in_old = 4 * kMs;
    e.reset_received = true;
    e.error = ECONNRESET;
  });
  ASSERT_EQ(finished_.size(), 1u);
  EXPECT_TRUE(finished_[0].seeded);
  EXPECT_EQ(finished_[0].role, Role::Unknown);
  EXPECT_EQ(finished_[0].start.ns, Connection::at(5));
  EXPECT_EQ(finished_[0].path, (std::vector<StateStep>{{Established, 4 * kMs}, {Close, {}}}));
  EXPECT_EQ(finished_[0].outcome, Outcome::ResetReceived);
}

TEST_F(LifecycleTrackerTest, ListenersAreNotConnections) {
  Connection(tracker_, 14).to(Close, Listen, 0).to(Listen, Close, 5);
  EXPECT_TRUE(finished_.empty());
  EXPECT_EQ(tracker_.stats().open, 0u);
}

TEST_F(LifecycleTrackerTest, LongPathsKeepTheirEnd) {
  Connection c(tracker_, 15);
  c.to(Close, SynSent, 0).to(SynSent, Established, 1);
  for (int i = 0; i < 5; ++i) // not TCP, but the tracker must not overflow
    c.to(Established, CloseWait, 2 + 2 * i).to(CloseWait, Established, 3 + 2 * i);
  c.to(Established, Close, 20, [](Event& e) { e.error = ECONNRESET; });
  ASSERT_EQ(finished_.size(), 1u);
  EXPECT_EQ(finished_[0].path.size(), LifecycleTracker::kMaxPath);
  EXPECT_EQ(finished_[0].path.back().state, Close);
}

TEST(LifecycleTracker, StateStaysWithinItsBudgetPerConnection) {
  LifecycleTracker tracker([](const ConnectionRecord&) {});
  constexpr std::uint64_t kConnections = 100'000;
  for (std::uint64_t id = 1; id <= kConnections; ++id)
    tracker.seed(socket_row(id, Established), kCurl, Role::Active, 0);
  EXPECT_EQ(tracker.stats().open, kConnections);
  EXPECT_LE(tracker.state_bytes() / kConnections, 256u);
}

TEST(LifecycleTracker, ConnectionsBeyondTheCapAreCountedOnceNotTracked) {
  LifecycleTracker tracker([](const ConnectionRecord&) {}, /*max_open=*/2);
  for (std::uint64_t id = 1; id <= 3; ++id)
    tracker.seed(socket_row(id, Established), {}, Role::Active, 0);
  EXPECT_EQ(tracker.stats().open, 2u);
  EXPECT_EQ(tracker.stats().untracked, 1u);
  // A connection opened now, and its later events: counted once.
  tracker.observe(interpret(test::sample_transition(4, Close, SynSent, 40000, 10)));
  tracker.observe(interpret(test::sample_transition(4, SynSent, Established, 40000, 11)));
  tracker.observe(interpret(test::sample_transition(4, Established, CloseWait, 40000, 12)));
  EXPECT_EQ(tracker.stats().untracked, 2u);
}

TEST(ConnectionRecordNames, RoundTrip) {
  for (const auto outcome :
       {Outcome::StillOpen, Outcome::NormalActive, Outcome::NormalPassive, Outcome::Simultaneous,
        Outcome::ResetSent, Outcome::ResetReceived, Outcome::Refused, Outcome::TimedOut,
        Outcome::Aborted, Outcome::Failed})
    EXPECT_EQ(parse_outcome(outcome_name(outcome)), outcome);
  EXPECT_EQ(outcome_name(Outcome::NormalActive), "normal_active");
  EXPECT_EQ(parse_role("passive"), Role::Passive);
  EXPECT_FALSE(parse_outcome("closed"));
}

} // namespace
} // namespace tcpsight
