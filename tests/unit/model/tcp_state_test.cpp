#include "tcpsight/model/tcp_state.hpp"

#include <gtest/gtest.h>

namespace tcpsight {
namespace {

TEST(TcpState, NetstatSpellings) {
  EXPECT_EQ(tcp_state_name(TcpState::Established), "ESTABLISHED");
  EXPECT_EQ(tcp_state_name(TcpState::SynSent), "SYN_SENT");
  EXPECT_EQ(tcp_state_name(TcpState::SynRecv), "SYN_RECV");
  EXPECT_EQ(tcp_state_name(TcpState::FinWait1), "FIN_WAIT1");
  EXPECT_EQ(tcp_state_name(TcpState::FinWait2), "FIN_WAIT2");
  EXPECT_EQ(tcp_state_name(TcpState::TimeWait), "TIME_WAIT");
  EXPECT_EQ(tcp_state_name(TcpState::Close), "CLOSE");
  EXPECT_EQ(tcp_state_name(TcpState::CloseWait), "CLOSE_WAIT");
  EXPECT_EQ(tcp_state_name(TcpState::LastAck), "LAST_ACK");
  EXPECT_EQ(tcp_state_name(TcpState::Listen), "LISTEN");
  EXPECT_EQ(tcp_state_name(TcpState::Closing), "CLOSING");
  EXPECT_EQ(tcp_state_name(TcpState::NewSynRecv), "NEW_SYN_RECV");
  EXPECT_EQ(tcp_state_name(TcpState::BoundInactive), "BOUND_INACTIVE");
}

TEST(TcpState, OutOfRangeIsUnknown) {
  EXPECT_EQ(tcp_state_name(static_cast<TcpState>(0)), "UNKNOWN");
  EXPECT_EQ(tcp_state_name(static_cast<TcpState>(14)), "UNKNOWN");
  EXPECT_EQ(tcp_state_name(static_cast<TcpState>(255)), "UNKNOWN");
}

TEST(TcpState, TableIsInKernelOrderAndComplete) {
  const auto states = tcp_states();
  ASSERT_EQ(states.size(), 13u);
  for (std::size_t i = 0; i < states.size(); ++i) {
    EXPECT_EQ(static_cast<std::size_t>(states[i].state), i + 1);
    EXPECT_EQ(states[i].kernel_name, "TCP_" + std::string(states[i].name));
    EXPECT_FALSE(states[i].meaning.empty());
    EXPECT_FALSE(states[i].next_states.empty());
  }
}

} // namespace
} // namespace tcpsight
