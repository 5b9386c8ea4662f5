#pragma once

#include "tcpsight/model/clock.hpp"
#include "tcpsight/model/event.hpp"
#include "tcpsight/model/time_point.hpp"

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace tcpsight {

// Who opened the connection: this side with connect() (active), or a
// listener that accepted it (passive).
enum class Role : std::uint8_t { Unknown, Active, Passive };

// "active", "passive", "unknown".
std::string_view role_name(Role role);
std::optional<Role> parse_role(std::string_view name);

// How a connection ended, in the words of the TCP state descriptions
// (`tcpsight states`).
enum class Outcome : std::uint8_t {
  StillOpen,
  NormalActive,  // this side closed first: FIN_WAIT1, FIN_WAIT2, TIME_WAIT
  NormalPassive, // the peer closed first: CLOSE_WAIT, LAST_ACK
  Simultaneous,  // both closed at once: CLOSING
  ResetSent,     // this side reset it (SO_LINGER 0, unread data at close, ...)
  ResetReceived, // the peer reset it
  Refused,       // RST in reply to the SYN
  TimedOut,      // no answer after the last retransmission
  Aborted,       // closed before it completed
  Failed,        // another error (EHOSTUNREACH, ...)
};

// "still_open", "normal_active", "normal_passive", "simultaneous",
// "reset_sent", "reset_received", "refused", "timed_out", "aborted", "failed".
std::string_view outcome_name(Outcome outcome);
std::optional<Outcome> parse_outcome(std::string_view name);

// The outcomes that count as failed: refused, timed out, reset either way,
// aborted, failed.
inline constexpr std::array<Outcome, 6> kFailureOutcomes{
    Outcome::ResetSent, Outcome::ResetReceived, Outcome::Refused,
    Outcome::TimedOut,  Outcome::Aborted,       Outcome::Failed,
};
bool is_failure(Outcome outcome);

// One state on a connection's path and how long it stayed there; the
// last one has no duration unless the connection is still open.
struct StateStep {
  TcpState state = TcpState::Close;
  std::optional<std::uint64_t> ns;

  friend bool operator==(const StateStep&, const StateStep&) = default;
};

// What a record says of one connection but when it started and ended: the
// same whichever clock those times are on.
struct ConnectionFacts {
  ConnectionId id;
  std::optional<Owner> owner;
  Role role = Role::Unknown;
  bool seeded = false; // open before tracing started: start is when tracing first saw it
  std::optional<std::uint64_t> handshake_ns;
  std::vector<StateStep> path;
  std::optional<ConnectionTotals> totals; // read at close
  std::uint32_t syn_retransmits = 0;      // SYNs or SYN-ACKs sent again
  ConnectionDrops drops;
  Outcome outcome = Outcome::StillOpen;
  int error = 0; // the socket's errno at the end

  friend bool operator==(const ConnectionFacts&, const ConnectionFacts&) = default;
};

// One connection, from its first state to its end, with its times on the
// clock Time says.
template <typename Time> struct BasicConnectionRecord : ConnectionFacts {
  Time start;
  Time end; // when the full socket closed; last seen while still open

  std::uint64_t duration_ns() const {
    return end > start ? static_cast<std::uint64_t>(end.ns - start.ns) : 0;
  }

  friend bool operator==(const BasicConnectionRecord&, const BasicConnectionRecord&) = default;
};

// As the lifecycle tracker folds it from events: on the kernel's clock.
using ConnectionRecord = BasicConnectionRecord<MonotonicTime>;
// As the history stores it and views show it.
using WallConnectionRecord = BasicConnectionRecord<WallTime>;

WallConnectionRecord on_wall_clock(ConnectionRecord record, WallClock clock);

} // namespace tcpsight
