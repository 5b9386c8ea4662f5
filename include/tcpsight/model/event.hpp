#pragma once

#include "tcpsight/model/connection_id.hpp"
#include "tcpsight/model/tcp_state.hpp"

#include <cstdint>
#include <optional>
#include <string>

namespace tcpsight {

enum class EventType : std::uint8_t {
  Transition,       // the socket changed state
  ResetSent,        // this host sent a RST
  ResetReceived,    // the socket received a RST
  SynRetransmit,    // connect() sent its SYN again: no SYN-ACK yet
  SynAckRetransmit, // a listener sent its SYN-ACK again: no final ACK yet
  Drop,             // the kernel dropped one of the connection's segments
  Retransmit,       // a segment sent again past the handshake
};

// "transition", "reset_sent", ... as JSON names them.
std::string_view event_type_name(EventType type);

// Why a connection failed or ended abnormally.
enum class Reason : std::uint8_t {
  None,
  Refused,       // RST in reply to the SYN (ECONNREFUSED)
  TimedOut,      // no answer after all retransmissions (ETIMEDOUT)
  ResetReceived, // the peer reset the connection (ECONNRESET)
  ResetSent,     // this side reset it
  Aborted,       // closed before it completed, or abortively (SO_LINGER 0, unread data)
  Failed,        // another error, in Event::error
  Destroyed,     // closed from outside (sock_diag's destroy: ss -K, ls -K; ECONNABORTED)
};

// "refused", "timed_out", ...; empty for Reason::None.
std::string_view reason_name(Reason reason);

// The process that owns a socket, recorded in process context.
struct Owner {
  std::uint32_t pid = 0;
  std::uint32_t uid = 0;
  std::uint64_t cgroup_id = 0;
  std::string comm; // any bytes, at most 15

  friend bool operator==(const Owner&, const Owner&) = default;
};

// What a connection carried, as the kernel counts it when it closes.
struct ConnectionTotals {
  std::uint64_t tx_bytes = 0;    // sent and acknowledged
  std::uint64_t rx_bytes = 0;    // received
  std::uint32_t retransmits = 0; // segments sent again
  // Round trips in microseconds, as tcp_info has them; 0: no sample.
  std::uint32_t srtt_us = 0;    // smoothed
  std::uint32_t min_rtt_us = 0; // the lowest seen

  friend bool operator==(const ConnectionTotals&, const ConnectionTotals&) = default;
};

// What the kernel dropped of one connection's segments.
struct ConnectionDrops {
  std::uint32_t count = 0;
  std::string last_reason; // the kernel's name for why, of the latest drop

  friend bool operator==(const ConnectionDrops&, const ConnectionDrops&) = default;
};

// A listener's accept queue at a drop, and the most it takes.
struct AcceptQueue {
  std::uint32_t length = 0;
  std::uint32_t backlog = 0;

  friend bool operator==(const AcceptQueue&, const AcceptQueue&) = default;
};

// What a drop event says of the segment the kernel dropped.
struct DropDetails {
  // Why, as the kernel names it ("NETFILTER_DROP"), and its number in the
  // kernel's enum skb_drop_reason, which differs by kernel version.
  std::string reason;
  std::uint32_t code = 0;
  bool outgoing = false; // the segment was on its way out
  // A SYN to a listener of this host whose accept queue was full, which the
  // kernel drops without telling why: seen by tcpsight, not reported.
  bool listen_overflow = false;
  std::optional<AcceptQueue> accept_queue; // drops by a listener

  friend bool operator==(const DropDetails&, const DropDetails&) = default;
};

// When something no event told of happened, as far as the kernel was
// asked: not before, not after (CLOCK_MONOTONIC).
struct TimeBounds {
  std::uint64_t not_before_ns = 0;
  std::uint64_t not_after_ns = 0;

  friend bool operator==(const TimeBounds&, const TimeBounds&) = default;
};

// How long the kernel keeps a connection in TIME_WAIT (TCP_TIMEWAIT_LEN).
inline constexpr std::uint64_t kTimeWaitNs = 60'000'000'000;

// One event of one socket.
struct Event {
  EventType type = EventType::Transition;
  std::uint64_t ts_ns = 0; // CLOCK_MONOTONIC, as the kernel took it
  ConnectionId id;
  std::optional<Owner> owner;
  // Transitions: the states before and after. Other events: the socket's
  // state at the time, in both.
  TcpState old_state = TcpState::Close;
  TcpState new_state = TcpState::Close;
  std::optional<std::uint64_t> ns_in_old;    // unknown for a socket's first event seen
  std::optional<std::uint64_t> handshake_ns; // on the transition to ESTABLISHED
  std::optional<ConnectionTotals> totals;    // on the transition to CLOSE
  int error = 0;                             // the socket's pending errno
  bool reset_sent = false;                   // before or at this event
  bool reset_received = false;
  bool no_socket = false;   // a RST for a segment no socket owned
  bool peer_fin = false;    // the peer's FIN had arrived
  bool orphan = false;      // the application had closed the socket
  bool linger_zero = false; // SO_LINGER 0: closing sends a RST
  // Events of this socket were lost before this one: it was last reported
  // entering this state (and this event starts elsewhere).
  std::optional<TcpState> gap_from;
  // A transition the kernel did not report, rebuilt from what came after:
  // its time is when that was learnt; the transition itself came earlier.
  bool recovered = false;
  // Drops: what the kernel said of the segment it dropped.
  std::optional<DropDetails> drop;
  // Retransmits: the first sequence number sent again, and how many
  // segments that was (the kernel's total_retrans counts segments).
  std::uint32_t seq = 0;
  std::uint32_t segments = 0;
  // On the transition that closes the socket, if its connection had drops
  // (see DropLedger). Set by EventPipeline, not by the kernel.
  std::optional<ConnectionDrops> drops;

  // Set by interpret(), not by the kernel:
  bool inferred = false; // a transition the kernel does not report, deduced
  // An inferred FIN_WAIT2 -> TIME_WAIT that the kernel confirmed when asked
  // (sock_diag listed the timewait socket in TIME_WAIT): it happened within
  // these bounds, and ts_ns is the best estimate within them.
  std::optional<TimeBounds> confirmed;
  // FIN_WAIT2 -> CLOSE of a closed socket whose peer has not sent its FIN:
  // a timewait socket carries on in FIN_WAIT2 and enters TIME_WAIT on that FIN.
  bool handover = false;
  // The kernel's move of the full socket to CLOSE, however it is shown
  // (a hand-over to a timewait socket reads FIN_WAIT2 -> TIME_WAIT).
  bool closes_socket = false;
  Reason reason = Reason::None;

  AddressFamily family() const { return id.family(); }

  friend bool operator==(const Event&, const Event&) = default;
};

} // namespace tcpsight
