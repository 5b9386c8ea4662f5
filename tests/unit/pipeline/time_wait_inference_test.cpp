#include "tcpsight/pipeline/time_wait_inference.hpp"

#include "sample_event.hpp"

#include <gtest/gtest.h>

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

} // namespace
} // namespace tcpsight
