#include "tcpsight/event_pipeline.hpp"

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
  EXPECT_EQ(output.events[0].sock_id, 1u);
  EXPECT_EQ(output.events[0].local_port, 40000);
  EXPECT_EQ(output.events[1].sock_id, 1u);
  EXPECT_EQ(pipeline.delivered(), 2u);
}

TEST(EventPipeline, InterpretsBeforeFiltering) {
  CollectingOutput output;
  EventPipeline pipeline(Filter{.states = {TimeWait}}, output);
  pipeline.push(sample_transition(1, FinWait2, Close, 40000));
  pipeline.push(sample_transition(2, LastAck, Close, 40000));
  ASSERT_EQ(output.events.size(), 1u);
  EXPECT_EQ(output.events[0].new_state, TimeWait);
  EXPECT_TRUE(output.events[0].inferred);
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
