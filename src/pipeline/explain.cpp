#include "tcpsight/pipeline/explain.hpp"

#include <utility>

namespace tcpsight {
namespace {

using enum TcpState;

std::string_view explain_close(const Event& e) {
  switch (e.reason) {
  case Reason::Refused:
    return "RST came back for our SYN: connection refused";
  case Reason::TimedOut:
    if (e.old_state == SynSent)
      return e.drops ? "no SYN-ACK after every SYN retry: connect timed out; segments of "
                       "it were dropped on this host (drops=)"
                     : "no SYN-ACK after every SYN retry: connect timed out";
    return e.drops ? "no ACK after every retransmission: connection timed out; segments "
                     "of it were dropped on this host (drops=)"
                   : "no ACK after every retransmission: connection timed out";
  case Reason::ResetReceived:
    return "RST received: the peer reset the connection";
  case Reason::ResetSent:
    return "RST sent: this side reset the connection";
  case Reason::Aborted:
    return e.old_state == SynSent ? "closed before the handshake completed"
                                  : "closed abortively (SO_LINGER 0 or unread data): RST follows";
  case Reason::Failed:
    return "closed on a socket error";
  case Reason::Destroyed:
    return "closed from outside (ss -K, tcpsight ls -K or a BPF program): RST sent";
  case Reason::None:
    break;
  }
  switch (e.old_state) {
  case LastAck:
    return "ACK for our FIN received: closed (passive close done)";
  case Listen:
    return "listener closed: no more connections accepted";
  default:
    return "socket closed";
  }
}

std::string_view explain_transition(const Event& e) {
  const auto from = e.old_state;
  const auto to = e.new_state;
  if (e.handover)
    return "closed here; a timewait socket waits in FIN_WAIT2 for the peer's FIN, then "
           "TIME_WAIT";
  if (to == Close)
    return explain_close(e);
  if (from == Close && to == SynSent)
    return "connect(): SYN sent (active open)";
  if (from == Close && to == Listen)
    return "listen(): waiting for SYNs (passive open)";
  if (from == SynSent && to == Established)
    return "SYN-ACK received, ACK sent: connected (active open)";
  if (from == Listen && to == SynRecv)
    return "SYN received and SYN-ACK sent; the final ACK created this socket";
  if (from == SynRecv && to == Established)
    return "final ACK received: connected (passive open), ready for accept()";
  if (from == Established && to == FinWait1)
    return "close() or shutdown(): FIN sent (active close)";
  if (from == SynRecv && to == FinWait1)
    return "closed during the handshake: FIN sent";
  if (from == Established && to == CloseWait)
    return "FIN received: the peer closed its side (passive close); waiting for close()";
  if (from == CloseWait && to == LastAck)
    return "close(): FIN sent after the peer's; waiting for its ACK";
  if (from == FinWait1 && to == FinWait2)
    return "ACK for our FIN received; waiting for the peer's FIN";
  if (from == FinWait1 && to == Closing)
    return "FIN received before the ACK for ours: simultaneous close";
  if (to == TimeWait)
    return "both FINs sent and acknowledged: TIME_WAIT for 60 s";
  return "state change";
}

// The reasons a connection's segments are most often dropped for.
std::string_view explain_drop(const Event& e) {
  static constexpr std::pair<std::string_view, std::string_view> kCommon[] = {
      {"NETFILTER_DROP", "a firewall rule (netfilter) dropped a segment"},
      {"TCP_LISTEN_OVERFLOW", "the listener's accept queue was full: not accepting fast enough"},
      {"SOCKET_BACKLOG", "the socket's backlog was full"},
      {"SOCKET_RCVBUFF", "the socket's receive buffer was full"},
      {"PROTO_MEM", "TCP memory is exhausted (tcp_mem)"},
      {"TCP_CSUM", "a segment with a bad checksum"},
      {"TCP_OLD_DATA", "a segment already received (a retransmission)"},
      {"TCP_ZEROWINDOW", "a segment beyond the receiver's zero window"},
      {"TCP_OVERWINDOW", "a segment beyond the receive window"},
      {"TCP_OFOMERGE", "an out-of-order segment already queued"},
      {"TCP_CLOSE", "a segment for a closed socket"},
      {"SOCKET_CLOSE", "data for a socket being closed"},
      {"TCP_INVALID_SEQUENCE", "a segment outside the expected sequence"},
      {"QDISC_DROP", "the network device's queue dropped an outgoing segment"},
      {"NOT_SPECIFIED", "the kernel dropped a segment without saying why"},
  };
  for (const auto& [reason, text] : kCommon)
    if (e.drop && e.drop->reason == reason)
      return text;
  return "the kernel dropped a segment of this connection";
}

} // namespace

std::string_view explain(const Event& e) {
  switch (e.type) {
  case EventType::Transition:
    return explain_transition(e);
  case EventType::ResetSent:
    return e.no_socket ? "RST sent: a segment arrived for a port nothing listens on"
                       : "RST sent by this socket";
  case EventType::ResetReceived:
    return e.old_state == SynSent ? "RST received in reply to our SYN: connection refused"
                                  : "RST received: the peer reset the connection";
  case EventType::SynRetransmit:
    return "SYN sent again: no SYN-ACK yet (peer slow, filtered or gone)";
  case EventType::SynAckRetransmit:
    return "SYN-ACK sent again: the client's final ACK has not arrived";
  case EventType::Drop:
    return explain_drop(e);
  case EventType::Retransmit:
    return "segment sent again: no ACK for it in time (lost, or late)";
  }
  return "";
}

} // namespace tcpsight
