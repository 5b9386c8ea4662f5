#include "tcpsight/pipeline/time_wait_inference.hpp"

#include "sample_event.hpp"

#include <gtest/gtest.h>

#include <set>

namespace tcpsight {
namespace {

using enum TcpState;

// The sample connection 127.0.0.1:40000 -> 10.1.2.3:8080, closed and handed over.
Event handover(std::uint64_t ts_ns) {
  auto e = test::sample_transition(1, FinWait2, Close, 40000, ts_ns);
  e.handover = true;
  return e;
}

// Its peer, 10.1.2.3:8080 -> 127.0.0.1:40000, sending its FIN.
Event peer_fin(std::uint64_t ts_ns) {
  auto e = test::sample_transition(2, CloseWait, LastAck, 8080, ts_ns);
  std::swap(e.id.local, e.id.remote);
  e.id.remote_port = 40000;
  return e;
}

TEST(TimeWaitInference, PeerFinAfterTheHandover) {
  TimeWaitInference inference;
  std::vector<Event> inferred;
  inference.observe(handover(10), inferred);
  EXPECT_TRUE(inferred.empty());
  inference.observe(peer_fin(20), inferred);
  ASSERT_EQ(inferred.size(), 1u);
  EXPECT_EQ(inferred[0].new_state, TimeWait);
  EXPECT_EQ(inferred[0].ts_ns, 20u);
  EXPECT_EQ(inference.waiting(), 0u);
}

TEST(TimeWaitInference, PeerFinReportedBeforeTheHandover) {
  TimeWaitInference inference;
  std::vector<Event> inferred;
  inference.observe(peer_fin(10), inferred);
  inference.observe(handover(12), inferred);
  ASSERT_EQ(inferred.size(), 1u);
  EXPECT_EQ(inferred[0].ts_ns, 12u);
}

TEST(TimeWaitInference, OtherConnectionsAndNamespacesDoNotMatch) {
  TimeWaitInference inference;
  std::vector<Event> inferred;
  inference.observe(handover(10), inferred);
  auto other_port = peer_fin(20);
  other_port.id.remote_port = 40001;
  auto other_netns = peer_fin(20);
  other_netns.id.netns += 1;
  inference.observe(other_port, inferred);
  inference.observe(other_netns, inferred);
  EXPECT_TRUE(inferred.empty());
  EXPECT_EQ(inference.waiting(), 1u);
}

TEST(TimeWaitInference, HandoversExpireWithTheFinWait2Timeout) {
  TimeWaitInference inference;
  std::vector<Event> inferred;
  inference.observe(handover(10), inferred);
  inference.expire(10 + 59'000'000'000);
  EXPECT_EQ(inference.waiting(), 1u);
  inference.expire(10 + 60'000'000'000);
  EXPECT_EQ(inference.waiting(), 0u);
  inference.observe(peer_fin(70'000'000'000), inferred);
  EXPECT_TRUE(inferred.empty());
}

constexpr std::uint64_t kMs = 1'000'000;
constexpr std::uint64_t kSecond = 1000 * kMs;
constexpr std::uint64_t kBase = 1000 * kSecond; // past TIME_WAIT's 60 s, as clocks are

// A kernel that answers with the given sockets (by cookie) and keeps the questions.
struct FakeKernel {
  std::vector<SocketRow> sockets;
  std::vector<std::uint32_t> unreachable;
  std::uint64_t answered_ns = 0;
  std::vector<std::vector<ConnectionId>> asked;

  SocketLookupAnswer answer(const std::vector<ConnectionId>& ids) {
    asked.push_back(ids);
    SocketLookupAnswer answer{.namespaces_not_searched = unreachable, .answered_ns = answered_ns};
    for (const auto& id : ids)
      for (const auto& socket : sockets)
        if (socket.id.sock_id == id.sock_id)
          answer.found.push_back(socket);
    return answer;
  }
  void has(std::uint64_t sock_id, TcpState state, std::uint32_t timer_ms = 0) {
    std::erase_if(sockets, [&](const SocketRow& s) { return s.id.sock_id == sock_id; });
    sockets.push_back({.id = {.sock_id = sock_id}, .state = state, .timer_ms = timer_ms});
  }
  // A round as of now_ns, if one is due, answered at answered_ns.
  void ask(TimeWaitInference& inference, std::uint64_t now_ns, std::vector<Event>& inferred) {
    const auto ids = inference.due_lookups(now_ns, [](const Event&) { return true; });
    if (!ids.empty())
      inference.answered(answer(ids), inferred);
  }
};

// Handed over at handed_ns, a remote peer's connection: port apart by sock_id.
Event remote_handover(std::uint64_t sock_id, std::uint64_t handed_ns) {
  auto e = test::sample_transition(sock_id, FinWait2, Close,
                                   static_cast<std::uint16_t>(40000 + sock_id), handed_ns);
  e.handover = true;
  e.ns_in_old = 5 * kMs;
  return e;
}

TEST(TimeWaitConfirmation, TheKernelSaysWhenItReachedTimeWait) {
  TimeWaitInference inference;
  FakeKernel kernel;
  std::vector<Event> inferred;
  inference.observe(remote_handover(1, kBase + 100 * kMs), inferred);
  kernel.has(1, FinWait2);
  kernel.answered_ns = kBase + 2 * kSecond + kMs;
  kernel.ask(inference, kBase + 2 * kSecond, inferred);
  EXPECT_TRUE(inferred.empty()) << "still in FIN_WAIT2";
  EXPECT_EQ(inference.waiting(), 1u);

  // The peer's FIN came; the timer, set to 60 s then, has 59.5 s left.
  kernel.has(1, TimeWait, 59'500);
  kernel.answered_ns = kBase + 3600 * kMs;
  kernel.ask(inference, kBase + 3500 * kMs, inferred);
  ASSERT_EQ(inferred.size(), 1u);
  const auto& e = inferred[0];
  EXPECT_EQ(e.old_state, FinWait2);
  EXPECT_EQ(e.new_state, TimeWait);
  EXPECT_TRUE(e.inferred);
  EXPECT_FALSE(e.closes_socket);
  EXPECT_EQ(e.id.sock_id, 1u);
  EXPECT_EQ(e.confirmed,
            (TimeBounds{.not_before_ns = kBase + 2 * kSecond, .not_after_ns = kBase + 3600 * kMs}));
  EXPECT_EQ(e.ts_ns, kBase + 3100 * kMs) << "60 s before the timer runs out";
  EXPECT_EQ(e.ns_in_old, 5 * kMs + (e.ts_ns - (kBase + 100 * kMs)));
  EXPECT_EQ(inference.waiting(), 0u);
}

TEST(TimeWaitConfirmation, TheTimersEstimateStaysWithinTheBounds) {
  TimeWaitInference inference;
  FakeKernel kernel;
  std::vector<Event> inferred;
  // A jiffy's rounding puts it a little before the hand-over: the hand-over.
  inference.observe(remote_handover(1, kBase), inferred);
  kernel.has(1, TimeWait, 59'996);
  kernel.answered_ns = kBase + 1 * kMs;
  kernel.ask(inference, kBase + kSecond, inferred);
  ASSERT_EQ(inferred.size(), 1u);
  EXPECT_EQ(inferred[0].ts_ns, kBase);
  // A timer longer than TIME_WAIT's: the latest bound.
  inference.observe(remote_handover(2, kBase + 2 * kSecond), inferred);
  kernel.has(2, TimeWait, 60'004);
  kernel.answered_ns = kBase + 3 * kSecond;
  kernel.ask(inference, kBase + 3 * kSecond, inferred);
  ASSERT_EQ(inferred.size(), 2u);
  EXPECT_EQ(inferred[1].ts_ns, kBase + 3 * kSecond);
  // Early in the clock's life: no wrap below zero.
  TimeWaitInference early;
  early.observe(remote_handover(3, kSecond), inferred);
  kernel.has(3, TimeWait, 1'000);
  kernel.answered_ns = 2 * kSecond;
  kernel.ask(early, 2 * kSecond, inferred);
  ASSERT_EQ(inferred.size(), 3u);
  EXPECT_EQ(inferred[2].ts_ns, kSecond);
}

TEST(TimeWaitConfirmation, GoneIsForgottenUnlessItsNamespaceWasNotSearched) {
  TimeWaitInference inference;
  FakeKernel kernel;
  std::vector<Event> inferred;
  auto elsewhere = remote_handover(2, kBase);
  elsewhere.id.netns = 777;
  inference.observe(remote_handover(1, kBase), inferred);
  inference.observe(elsewhere, inferred);
  kernel.unreachable = {777};
  kernel.ask(inference, kBase + kSecond, inferred);
  EXPECT_TRUE(inferred.empty());
  EXPECT_EQ(inference.waiting(), 1u) << "the one that could not be asked about waits";
}

TEST(TimeWaitConfirmation, ALocalPeersFinMeanwhileIsNotConfirmedAgain) {
  TimeWaitInference inference;
  FakeKernel kernel;
  std::vector<Event> inferred;
  inference.observe(remote_handover(1, kBase), inferred);
  const auto asked = inference.due_lookups(kBase + kSecond, [](const Event&) { return true; });
  ASSERT_EQ(asked.size(), 1u);
  auto fin = peer_fin(kBase + kSecond + 1);
  fin.id.remote_port = 40001;
  inference.observe(fin, inferred);
  ASSERT_EQ(inferred.size(), 1u) << "inferred from the LAST_ACK";
  kernel.has(1, TimeWait, 59'000);
  inference.answered(kernel.answer(asked), inferred);
  EXPECT_EQ(inferred.size(), 1u);
}

TEST(TimeWaitConfirmation, AtMostOneRoundASecondAndABoundedOne) {
  TimeWaitInference inference;
  FakeKernel kernel;
  std::vector<Event> inferred;
  kernel.ask(inference, kBase, inferred);
  EXPECT_TRUE(kernel.asked.empty()) << "nothing waits: nothing asked";
  const std::size_t count = TimeWaitInference::kMaxLookupsPerRound + 100;
  for (std::uint64_t id = 1; id <= count; ++id) {
    inference.observe(remote_handover(id, kBase + id), inferred);
    kernel.has(id, FinWait2);
  }
  kernel.ask(inference, kBase + 2 * kSecond, inferred);
  kernel.ask(inference, kBase + 2 * kSecond + 999 * kMs, inferred);
  ASSERT_EQ(kernel.asked.size(), 1u) << "a second round within the second";
  EXPECT_EQ(kernel.asked[0].size(), TimeWaitInference::kMaxLookupsPerRound);
  for (const auto& id : kernel.asked[0])
    EXPECT_LE(id.sock_id, TimeWaitInference::kMaxLookupsPerRound)
        << "handed over longest ago first";
  kernel.ask(inference, kBase + 3 * kSecond, inferred);
  ASSERT_EQ(kernel.asked.size(), 2u);
  std::set<std::uint64_t> second;
  for (const auto& id : kernel.asked[1])
    second.insert(id.sock_id);
  for (std::uint64_t id = TimeWaitInference::kMaxLookupsPerRound + 1; id <= count; ++id)
    EXPECT_TRUE(second.contains(id)) << id << ": never asked, so asked before the others";
  EXPECT_EQ(inference.waiting(), count);
}

TEST(TimeWaitConfirmation, OnlyTimeWaitsThatWouldBeShownAreAskedAbout) {
  TimeWaitInference inference;
  std::vector<Event> inferred;
  inference.observe(remote_handover(1, kBase), inferred);
  inference.observe(remote_handover(2, kBase), inferred);
  const auto asked = inference.due_lookups(
      kBase + kSecond, [](const Event& e) { return e.new_state == TimeWait && e.id.sock_id == 2; });
  ASSERT_EQ(asked.size(), 1u);
  EXPECT_EQ(asked[0].sock_id, 2u);
}

TEST(TimeWaitConfirmation, AHandOverOfTheSameEndsMeanwhileIsNotForgotten) {
  TimeWaitInference inference;
  FakeKernel kernel;
  std::vector<Event> inferred;
  inference.observe(remote_handover(1, kBase), inferred);
  const auto asked = inference.due_lookups(kBase + kSecond, [](const Event&) { return true; });
  auto again = remote_handover(1, kBase + kSecond);
  again.id.sock_id = 99; // the same ends, a new socket
  inference.observe(again, inferred);
  inference.answered(kernel.answer(asked), inferred); // the first is gone
  EXPECT_EQ(inference.waiting(), 1u);
}
} // namespace
} // namespace tcpsight
