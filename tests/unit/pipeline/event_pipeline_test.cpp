#include "tcpsight/pipeline/event_pipeline.hpp"

#include "collecting_output.hpp"
#include "sample_event.hpp"

#include <gtest/gtest.h>
#include <sstream>

namespace tcpsight {
namespace {

using enum TcpState;

using test::CollectingOutput;

using test::sample_transition;

TEST(EventPipeline, LocalPortFilterAppliesOnceThePortIsKnown) {
  CollectingOutput output;
  EventPipeline pipeline(Filter{.local_ports = {40000}}, output);
  pipeline.push(sample_transition(1, Close, SynSent, 0));
  pipeline.push(sample_transition(2, Close, SynSent, 0));
  pipeline.push(sample_transition(1, SynSent, Established, 40000));
  pipeline.push(sample_transition(2, SynSent, Established, 40001));
  ASSERT_EQ(output.events.size(), 2u);
  EXPECT_EQ(output.events[0].id.sock_id, 1u);
  EXPECT_EQ(output.events[0].id.local_port, 40000);
  EXPECT_EQ(output.events[1].id.sock_id, 1u);
  EXPECT_EQ(pipeline.delivered(), 2u);
}

TEST(EventPipeline, InterpretsBeforeFiltering) {
  CollectingOutput output;
  EventPipeline pipeline(Filter{.states = {TimeWait}}, output);
  auto time_wait = sample_transition(1, FinWait2, Close, 40000);
  time_wait.peer_fin = true;
  pipeline.push(time_wait);
  pipeline.push(sample_transition(2, LastAck, Close, 40000));
  ASSERT_EQ(output.events.size(), 1u);
  EXPECT_EQ(output.events[0].new_state, TimeWait);
  EXPECT_TRUE(output.events[0].inferred);
}

TEST(EventPipeline, LocalPeersFinTurnsAHandoverIntoTimeWait) {
  CollectingOutput output;
  EventPipeline pipeline(Filter{}, output);
  auto handover = sample_transition(1, FinWait2, Close, 40000, /*ts_ns=*/100);
  handover.orphan = true;
  handover.ns_in_old = 5;
  pipeline.push(handover);
  // The peer: the same connection seen from the other end, sending its FIN.
  auto peer_fin = sample_transition(2, CloseWait, LastAck, 8080, /*ts_ns=*/130);
  std::swap(peer_fin.id.local, peer_fin.id.remote);
  peer_fin.id.remote_port = 40000;
  pipeline.push(peer_fin);

  ASSERT_EQ(output.events.size(), 3u);
  EXPECT_TRUE(output.events[0].handover);
  const auto& time_wait = output.events[2];
  EXPECT_EQ(time_wait.id.sock_id, 1u);
  EXPECT_EQ(time_wait.old_state, FinWait2);
  EXPECT_EQ(time_wait.new_state, TimeWait);
  EXPECT_TRUE(time_wait.inferred);
  EXPECT_FALSE(time_wait.handover);
  EXPECT_EQ(time_wait.ts_ns, 130u);
  EXPECT_EQ(time_wait.ns_in_old, 35u);
}

TEST(EventPipeline, FinishLetsHeldEventsOut) {
  CollectingOutput output;
  EventPipeline pipeline(Filter{}, output);
  pipeline.push(sample_transition(1, Close, SynSent, 0));
  EXPECT_TRUE(output.events.empty());
  pipeline.finish();
  EXPECT_EQ(output.events.size(), 1u);
}

} // namespace
} // namespace tcpsight
