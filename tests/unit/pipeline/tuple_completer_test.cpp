#include "tcpsight/pipeline/tuple_completer.hpp"

#include "sample_event.hpp"

#include <gtest/gtest.h>

namespace tcpsight {
namespace {

using enum TcpState;

Event event(std::uint64_t sock_id, std::uint64_t ts_ns, TcpState from, TcpState to,
            std::uint16_t local_port) {
  return test::sample_transition(sock_id, from, to, local_port, ts_ns);
}

TEST(TupleCompleter, ConnectWithoutLocalPortWaitsForTheNextEvent) {
  TupleCompleter completer;
  std::vector<Event> ready;
  completer.push(event(1, 10, Close, SynSent, 0), ready);
  EXPECT_TRUE(ready.empty());
  EXPECT_EQ(completer.held(), 1u);

  completer.push(event(2, 11, Close, Listen, 80), ready); // another socket passes
  ASSERT_EQ(ready.size(), 1u);
  EXPECT_EQ(ready[0].id.sock_id, 2u);

  completer.push(event(1, 12, SynSent, Established, 40000), ready);
  ASSERT_EQ(ready.size(), 3u);
  EXPECT_EQ(ready[1].new_state, SynSent);
  EXPECT_EQ(ready[1].id.local_port, 40000); // filled from the later event
  EXPECT_EQ(ready[1].ts_ns, 10u);           // and otherwise unchanged
  EXPECT_EQ(ready[2].new_state, Established);
  EXPECT_EQ(completer.held(), 0u);
}

TEST(TupleCompleter, CompleteEventsPassAtOnce) {
  TupleCompleter completer;
  std::vector<Event> ready;
  completer.push(event(1, 10, Close, SynSent, 40000), ready);
  completer.push(event(1, 11, Close, Listen, 0), ready); // a listener may lack a remote end
  EXPECT_EQ(ready.size(), 2u);
}

TEST(TupleCompleter, HeldEventsExpireAsTheyAre) {
  TupleCompleter completer(/*max_hold_ns=*/100);
  std::vector<Event> ready;
  completer.push(event(1, 10, Close, SynSent, 0), ready);
  completer.expire(109, ready);
  EXPECT_TRUE(ready.empty());
  completer.expire(110, ready);
  ASSERT_EQ(ready.size(), 1u);
  EXPECT_EQ(ready[0].id.local_port, 0);
}

TEST(TupleCompleter, FlushLetsEverythingOut) {
  TupleCompleter completer;
  std::vector<Event> ready;
  completer.push(event(1, 10, Close, SynSent, 0), ready);
  completer.push(event(2, 10, Close, SynSent, 0), ready);
  completer.flush(ready);
  EXPECT_EQ(ready.size(), 2u);
  EXPECT_EQ(completer.held(), 0u);
}

} // namespace
} // namespace tcpsight
