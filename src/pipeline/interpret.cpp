#include "tcpsight/pipeline/interpret.hpp"

#include <cerrno>

namespace tcpsight {
namespace {

// The full socket goes to CLOSE as a timewait socket takes over: the only
// way a clean FIN_WAIT2 or CLOSING ends.
bool closes_cleanly(const Event& e) {
  return e.new_state == TcpState::Close && e.error == 0 && !e.reset_sent && !e.reset_received &&
         !e.linger_zero;
}

// The full socket goes to CLOSE as a timewait socket takes over. Both FINs
// are through: the timewait socket is in TIME_WAIT.
bool enters_time_wait(const Event& e) {
  return (e.old_state == TcpState::FinWait2 || e.old_state == TcpState::Closing) && e.peer_fin &&
         closes_cleanly(e);
}

// A closed socket whose FIN was acknowledged is handed over before the peer's
// FIN: the timewait socket waits in FIN_WAIT2.
bool handed_over_in_fin_wait2(const Event& e) {
  return e.old_state == TcpState::FinWait2 && !e.peer_fin && e.orphan && closes_cleanly(e);
}

// A RST received in SYN_SENT means the port is closed: refused. Anywhere
// else it resets a connection.
Reason abnormal_end(const Event& e) {
  const bool in_handshake = e.old_state == TcpState::SynSent;
  if (e.error == ECONNREFUSED || (in_handshake && e.reset_received))
    return Reason::Refused;
  if (in_handshake && e.error == ECONNRESET)
    return Reason::Aborted; // the kernel's word for a connect() closed before it completed
  if (e.reset_received || e.error == ECONNRESET || e.error == EPIPE)
    return Reason::ResetReceived;
  if (e.error == ETIMEDOUT)
    return Reason::TimedOut;
  if (e.error == ECONNABORTED) // only tcp_abort() sets it: a socket destroyed from outside
    return Reason::Destroyed;
  if (e.error != 0)
    return Reason::Failed;
  if (e.reset_sent || e.linger_zero)
    return Reason::ResetSent;
  return Reason::Aborted;
}

bool is_normal_end(const Event& e) {
  // The end of a passive close, or of a socket that never connected.
  const bool quiet_state = e.old_state == TcpState::LastAck || e.old_state == TcpState::Listen ||
                           e.old_state == TcpState::Close;
  return quiet_state && e.error == 0 && !e.reset_received;
}

Reason close_reason(const Event& e) { return is_normal_end(e) ? Reason::None : abnormal_end(e); }

} // namespace

Event interpret(Event e) {
  switch (e.type) {
  case EventType::Transition:
    e.closes_socket = e.new_state == TcpState::Close;
    if (enters_time_wait(e)) {
      e.new_state = TcpState::TimeWait;
      e.inferred = true;
    } else if (handed_over_in_fin_wait2(e)) {
      e.handover = true;
    } else if (e.new_state == TcpState::Close) {
      e.reason = close_reason(e);
    }
    break;
  case EventType::ResetSent:
    e.reason = Reason::ResetSent;
    break;
  case EventType::ResetReceived:
    e.reason = e.old_state == TcpState::SynSent ? Reason::Refused : Reason::ResetReceived;
    break;
  case EventType::SynRetransmit:
  case EventType::SynAckRetransmit:
  case EventType::Drop:
  case EventType::Retransmit:
    break;
  }
  return e;
}

} // namespace tcpsight
