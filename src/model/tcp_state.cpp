#include "tcpsight/model/tcp_state.hpp"

#include <array>

namespace tcpsight {
namespace {

constexpr std::array kStates{
    TcpStateInfo{TcpState::Established, "ESTABLISHED", "TCP_ESTABLISHED",
                 "Handshake done: data flows both ways.", "FIN_WAIT1, CLOSE_WAIT"},
    TcpStateInfo{TcpState::SynSent, "SYN_SENT", "TCP_SYN_SENT",
                 "connect() sent a SYN and waits for the peer's SYN-ACK.", "ESTABLISHED, CLOSE"},
    TcpStateInfo{TcpState::SynRecv, "SYN_RECV", "TCP_SYN_RECV",
                 "A SYN arrived and a SYN-ACK went back; waiting for the final ACK.",
                 "ESTABLISHED, FIN_WAIT1, CLOSE"},
    TcpStateInfo{TcpState::FinWait1, "FIN_WAIT1", "TCP_FIN_WAIT1",
                 "This side closed first and sent a FIN; waiting for its ACK.",
                 "FIN_WAIT2, CLOSING, TIME_WAIT"},
    TcpStateInfo{TcpState::FinWait2, "FIN_WAIT2", "TCP_FIN_WAIT2",
                 "Our FIN was acknowledged; waiting for the peer to close its side.", "TIME_WAIT"},
    TcpStateInfo{TcpState::TimeWait, "TIME_WAIT", "TCP_TIME_WAIT",
                 "Both sides closed; the side that closed first waits out stray segments.",
                 "CLOSE"},
    TcpStateInfo{TcpState::Close, "CLOSE", "TCP_CLOSE",
                 "No connection: a new socket, or one that is finished or was reset.",
                 "SYN_SENT, LISTEN"},
    TcpStateInfo{TcpState::CloseWait, "CLOSE_WAIT", "TCP_CLOSE_WAIT",
                 "The peer sent a FIN; waiting for this application to close().", "LAST_ACK"},
    TcpStateInfo{TcpState::LastAck, "LAST_ACK", "TCP_LAST_ACK",
                 "Closed after the peer did and sent a FIN; waiting for its ACK.", "CLOSE"},
    TcpStateInfo{TcpState::Listen, "LISTEN", "TCP_LISTEN",
                 "A server socket waiting for connections after listen().", "CLOSE"},
    TcpStateInfo{TcpState::Closing, "CLOSING", "TCP_CLOSING",
                 "Both sides sent a FIN at once; waiting for the ACK of ours.", "TIME_WAIT"},
    TcpStateInfo{TcpState::NewSynRecv, "NEW_SYN_RECV", "TCP_NEW_SYN_RECV",
                 "A lightweight request socket for a SYN the listener has answered.",
                 "SYN_RECV (as a full socket)"},
    TcpStateInfo{TcpState::BoundInactive, "BOUND_INACTIVE", "TCP_BOUND_INACTIVE",
                 "Bound to a port but neither listening nor connected (kernel 6.8+).",
                 "CLOSE, LISTEN, SYN_SENT"},
};

} // namespace

std::span<const TcpStateInfo> tcp_states() { return kStates; }

std::string_view tcp_state_name(TcpState state) {
  const auto index = static_cast<std::size_t>(state) - 1;
  if (index >= kStates.size())
    return "UNKNOWN";
  return kStates[index].name;
}

} // namespace tcpsight
