#include "tcpsight/pipeline/explain.hpp"
#include "tcpsight/pipeline/interpret.hpp"

#include "sample_event.hpp"

#include <gtest/gtest.h>

namespace tcpsight {
namespace {

using enum TcpState;

Event transition(TcpState from, TcpState to) {
  auto e = test::sample_event();
  e.old_state = from;
  e.new_state = to;
  return e;
}

TEST(Interpret, CleanCloseAfterThePeersFinIsTimeWait) {
  for (auto from : {FinWait2, Closing}) {
    auto close = transition(from, Close);
    close.peer_fin = true;
    const auto e = interpret(close);
    EXPECT_EQ(e.old_state, from);
    EXPECT_EQ(e.new_state, TimeWait);
    EXPECT_TRUE(e.inferred);
    EXPECT_EQ(e.reason, Reason::None);
  }
}

TEST(Interpret, ClosedSocketHandedOverBeforeThePeersFinStaysInFinWait2) {
  auto close = transition(FinWait2, Close);
  close.orphan = true;
  const auto e = interpret(close);
  EXPECT_EQ(e.new_state, Close);
  EXPECT_TRUE(e.handover);
  EXPECT_FALSE(e.inferred);
  EXPECT_EQ(e.reason, Reason::None);
}

TEST(Interpret, LingerZeroIsNeverTimeWait) {
  for (auto from : {FinWait2, Closing}) {
    auto close = transition(from, Close);
    close.peer_fin = from == Closing;
    close.orphan = true;
    close.linger_zero = true;
    const auto e = interpret(close);
    EXPECT_EQ(e.new_state, Close);
    EXPECT_FALSE(e.handover);
    EXPECT_EQ(e.reason, Reason::ResetSent);
  }
}

TEST(Interpret, ConnectClosedBeforeItCompletedIsAborted) {
  auto close = transition(SynSent, Close);
  close.error = ECONNRESET; // what tcp_disconnect() sets in SYN_SENT
  EXPECT_EQ(interpret(close).reason, Reason::Aborted);
}

TEST(Interpret, ResetOrErrorInFinWait2IsNoTimeWait) {
  auto reset = transition(FinWait2, Close);
  reset.peer_fin = true;
  reset.reset_received = true;
  EXPECT_EQ(interpret(reset).new_state, Close);
  EXPECT_EQ(interpret(reset).reason, Reason::ResetReceived);

  auto timeout = transition(FinWait2, Close);
  timeout.orphan = true;
  timeout.reset_sent = true; // the FIN_WAIT2 timer sends a RST
  EXPECT_EQ(interpret(timeout).new_state, Close);
  EXPECT_EQ(interpret(timeout).reason, Reason::ResetSent);
}

TEST(Interpret, ConnectFailures) {
  auto refused = transition(SynSent, Close);
  refused.error = ECONNREFUSED;
  EXPECT_EQ(interpret(refused).reason, Reason::Refused);

  auto timed_out = transition(SynSent, Close);
  timed_out.error = ETIMEDOUT;
  EXPECT_EQ(interpret(timed_out).reason, Reason::TimedOut);

  auto unreachable = transition(SynSent, Close);
  unreachable.error = EHOSTUNREACH;
  EXPECT_EQ(interpret(unreachable).reason, Reason::Failed);

  EXPECT_EQ(interpret(transition(SynSent, Close)).reason, Reason::Aborted);
}

TEST(Interpret, EstablishedEndings) {
  auto reset = transition(Established, Close);
  reset.error = ECONNRESET;
  EXPECT_EQ(interpret(reset).reason, Reason::ResetReceived);

  auto broken_pipe = transition(CloseWait, Close);
  broken_pipe.error = EPIPE;
  EXPECT_EQ(interpret(broken_pipe).reason, Reason::ResetReceived);

  auto timed_out = transition(Established, Close);
  timed_out.error = ETIMEDOUT;
  EXPECT_EQ(interpret(timed_out).reason, Reason::TimedOut);

  EXPECT_EQ(interpret(transition(Established, Close)).reason, Reason::Aborted);

  // ss -K or ls -K: the kernel's tcp_abort() closes it with ECONNABORTED.
  auto destroyed = transition(Established, Close);
  destroyed.error = ECONNABORTED;
  destroyed.reset_sent = true;
  EXPECT_EQ(interpret(destroyed).reason, Reason::Destroyed);
  EXPECT_EQ(reason_name(Reason::Destroyed), "destroyed");
}

TEST(Interpret, NormalEndsHaveNoReason) {
  EXPECT_EQ(interpret(transition(LastAck, Close)).reason, Reason::None);
  EXPECT_EQ(interpret(transition(Listen, Close)).reason, Reason::None);
  EXPECT_EQ(interpret(transition(Established, FinWait1)).reason, Reason::None);
  EXPECT_FALSE(interpret(transition(Established, FinWait1)).inferred);
}

TEST(Interpret, ResetEvents) {
  auto sent = test::sample_event();
  sent.type = EventType::ResetSent;
  EXPECT_EQ(interpret(sent).reason, Reason::ResetSent);

  auto refused = test::sample_event();
  refused.type = EventType::ResetReceived;
  refused.old_state = refused.new_state = SynSent;
  EXPECT_EQ(interpret(refused).reason, Reason::Refused);

  auto reset = test::sample_event();
  reset.type = EventType::ResetReceived;
  reset.old_state = reset.new_state = Established;
  EXPECT_EQ(interpret(reset).reason, Reason::ResetReceived);
}

TEST(Explain, SaysWhoSentWhat) {
  EXPECT_EQ(explain(interpret(transition(Close, SynSent))), "connect(): SYN sent (active open)");
  EXPECT_EQ(explain(interpret(transition(Established, CloseWait))),
            "FIN received: the peer closed its side (passive close); waiting for close()");
  EXPECT_EQ(explain(interpret(transition(Established, FinWait1))),
            "close() or shutdown(): FIN sent (active close)");
  auto refused = transition(SynSent, Close);
  refused.error = ECONNREFUSED;
  EXPECT_EQ(explain(interpret(refused)), "RST came back for our SYN: connection refused");
}

} // namespace
} // namespace tcpsight
