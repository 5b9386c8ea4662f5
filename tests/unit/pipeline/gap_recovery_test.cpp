#include "tcpsight/pipeline/gap_recovery.hpp"

#include "sample_event.hpp"

#include <gtest/gtest.h>

namespace tcpsight {
namespace {

using enum TcpState;
using States = std::vector<TcpState>;
using test::sample_transition;

TEST(StatesBetween, OneLostStepHasNothingBetween) {
  EXPECT_EQ(states_between(SynSent, Established), States{});
  EXPECT_EQ(states_between(Listen, SynRecv), States{});
  EXPECT_EQ(states_between(FinWait2, Close), States{});
}

TEST(StatesBetween, SeveralLostStepsFollowTheUsualPath) {
  EXPECT_EQ(states_between(SynSent, FinWait1), States{Established});
  EXPECT_EQ(states_between(Listen, CloseWait), (States{SynRecv, Established}));
  EXPECT_EQ(states_between(SynRecv, LastAck), (States{Established, CloseWait}));
  // Rare moves are taken only when nothing usual gets there.
  EXPECT_EQ(states_between(SynSent, FinWait2), (States{Established, FinWait1}));
}

TEST(StatesBetween, ASocketUsedAgainPassesThroughClose) {
  EXPECT_EQ(states_between(Established, SynSent), States{Close});
  EXPECT_EQ(states_between(CloseWait, Listen), States{Close});
}

TEST(StatesBetween, OnlyANewbornSocketComesFromItsListener) {
  // A listener never turns into SYN_RECV: a socket last seen closed got
  // there by a simultaneous open, not through LISTEN.
  EXPECT_EQ(states_between(Close, SynRecv), States{SynSent});
  EXPECT_EQ(states_between(SynSent, SynRecv), States{});
  EXPECT_EQ(states_between(Close, FinWait1), (States{SynSent, Established}));
}

TEST(StatesBetween, NoWayOrTwoEquallyLikelyWaysAreNotRebuilt) {
  // TIME_WAIT and NEW_SYN_RECV are other sockets' states: no transition leads there.
  EXPECT_EQ(states_between(FinWait2, TimeWait), std::nullopt);
  EXPECT_EQ(states_between(Listen, NewSynRecv), std::nullopt);
  // Not a gap at all.
  EXPECT_EQ(states_between(Established, Established), std::nullopt);
  // From FIN_WAIT1 a socket used again may have closed through FIN_WAIT2,
  // CLOSING or straight away: the direct move is the one cheapest way.
  EXPECT_EQ(states_between(FinWait1, SynSent), States{Close});
}

Event with_gap(Event e, TcpState from) {
  e.gap_from = from;
  return e;
}

TEST(GapRecovery, EventsWithoutAGapPassUnchanged) {
  GapRecovery recovery;
  std::vector<Event> out;
  const auto e = sample_transition(7, Established, FinWait1, 40000);
  recovery.push(e, out);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0], e);
  EXPECT_EQ(recovery.recovered(), 0u);
}

TEST(GapRecovery, RebuildsEachLostTransitionBeforeTheEvent) {
  GapRecovery recovery;
  std::vector<Event> out;
  auto e = with_gap(sample_transition(7, FinWait1, FinWait2, 40000), SynSent);
  e.owner = Owner{.pid = 42, .comm = "client"};
  recovery.push(e, out);

  ASSERT_EQ(out.size(), 3u);
  EXPECT_EQ(out[0].old_state, SynSent);
  EXPECT_EQ(out[0].new_state, Established);
  EXPECT_EQ(out[1].old_state, Established);
  EXPECT_EQ(out[1].new_state, FinWait1);
  for (std::size_t i = 0; i < 2; ++i) {
    EXPECT_TRUE(out[i].recovered);
    EXPECT_EQ(out[i].id, e.id);
    EXPECT_EQ(out[i].owner, e.owner);
    EXPECT_EQ(out[i].ts_ns, e.ts_ns);
    EXPECT_FALSE(out[i].ns_in_old);
  }
  EXPECT_FALSE(out[2].recovered);
  EXPECT_FALSE(out[2].gap_from);
  EXPECT_EQ(out[2].new_state, FinWait2);
  EXPECT_EQ(recovery.recovered(), 2u);
  EXPECT_EQ(recovery.unrebuilt(), 0u);
}

TEST(GapRecovery, CountsTheKernelsRecoveredClose) {
  GapRecovery recovery;
  std::vector<Event> out;
  auto close = with_gap(sample_transition(7, CloseWait, Close, 40000), Established);
  close.recovered = true;
  recovery.push(close, out);
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(out[0].old_state, Established);
  EXPECT_EQ(out[0].new_state, CloseWait);
  EXPECT_TRUE(out[1].recovered);
  EXPECT_EQ(recovery.recovered(), 2u);
}

TEST(GapRecovery, AGapItCannotRebuildIsCountedAndTheEventPasses) {
  GapRecovery recovery;
  std::vector<Event> out;
  recovery.push(with_gap(sample_transition(7, Established, Established, 40000), Established), out);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(recovery.recovered(), 0u);
  EXPECT_EQ(recovery.unrebuilt(), 1u);
}

} // namespace
} // namespace tcpsight
