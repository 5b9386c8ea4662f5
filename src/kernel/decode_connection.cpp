#include "tcpsight/kernel/decode.hpp"

#include <linux/types.h>

#include <algorithm>
#include <cstring>
#include <fmt/format.h>

#include "tcpsight_event.h"

namespace tcpsight {
namespace {

static_assert(sizeof(tcpsight_path) == TCPSIGHT_PATH_SIZE);
static_assert(sizeof(tcpsight_connection) == TCPSIGHT_CONNECTION_SIZE);

bool is_state(__u8 state) {
  return state >= static_cast<__u8>(TcpState::Established) &&
         state <= static_cast<__u8>(TcpState::BoundInactive);
}

// The kernel caps SYN retries at 127 (MAX_TCP_SYNCNT); anything far above
// is not a record the programs wrote, and would expand into that many events.
constexpr std::uint16_t kMaxSynRetransmits = 255;

std::optional<std::string> path_error(const tcpsight_path& path, const Event& end) {
  if (path.length == 0 || path.length > TCPSIGHT_PATH_MAX)
    return fmt::format("connection record has a path of {} states", path.length);
  std::uint32_t seen = 0; // a bit per state: TCP never enters one twice in a connection
  for (std::size_t i = 0; i < path.length; ++i) {
    const auto state = path.states[i];
    if (!is_state(state))
      return fmt::format("connection record has unknown state {}", state);
    if (seen & (1u << state))
      return fmt::format("connection record enters state {} twice", state);
    seen |= 1u << state;
  }
  if (static_cast<TcpState>(path.states[path.length - 1]) != end.old_state)
    return std::string("connection record ends elsewhere than its path");
  if (path.syn_retransmits > kMaxSynRetransmits)
    return fmt::format("connection record has {} SYN retransmits", path.syn_retransmits);
  return std::nullopt;
}

// The kernel's fast clock may step back a little between CPUs: a state
// entered before the one it follows is taken as entered with it, and none
// after the end. So no time in a state is negative.
void keep_in_time_order(tcpsight_path& path, __u64 end_ns) {
  __u64 last = 0;
  for (std::size_t i = 0; i < path.length; ++i) {
    auto& entered = path.entered_ns[i];
    if (entered == 0)
      continue; // not seen
    entered = std::min(std::max(entered, last), end_ns);
    last = entered;
  }
}

// The handshake as the per-event programs measure it on the move to
// ESTABLISHED: SYN to SYN-ACK for connect(), the first RTT sample for a
// passive open.
void measure_handshake(Event& e, std::uint32_t srtt_us) {
  if (e.new_state != TcpState::Established)
    return;
  if (e.old_state == TcpState::SynSent && e.ns_in_old)
    e.handshake_ns = e.ns_in_old;
  else if (e.old_state == TcpState::SynRecv && srtt_us != 0)
    e.handshake_ns = std::uint64_t{srtt_us} * 1000;
}

// What every event of the connection shares with its end.
Event event_of(const Event& end, EventType type) {
  Event e;
  e.type = type;
  e.id = end.id;
  e.owner = end.owner;
  return e;
}

// The event e out of path.states[i], entered at path.entered_ns[i] (0 if
// its move was not seen): the time it spent there, or, for a state entered
// unseen after the first, the gap the missed move left (named by the state
// before it).
void time_in_old_or_gap(Event& e, const tcpsight_path& path, std::size_t i) {
  const auto entered = path.entered_ns[i];
  if (entered != 0)
    e.ns_in_old = e.ts_ns - entered;
  else if (i > 0)
    e.gap_from = static_cast<TcpState>(path.states[i - 1]);
}

std::vector<Event> events_of(Event end, const tcpsight_path& path) {
  std::vector<Event> events;
  events.reserve(path.length + path.syn_retransmits);
  for (std::size_t i = 1; i < path.length; ++i) {
    if (path.entered_ns[i] == 0)
      continue;
    Event e = event_of(end, EventType::Transition);
    e.ts_ns = path.entered_ns[i];
    e.old_state = static_cast<TcpState>(path.states[i - 1]);
    e.new_state = static_cast<TcpState>(path.states[i]);
    time_in_old_or_gap(e, path, i - 1);
    measure_handshake(e, path.srtt_us);
    events.push_back(e);
    if (e.new_state != TcpState::SynSent)
      continue;
    Event retransmit = event_of(end, EventType::SynRetransmit);
    retransmit.ts_ns = e.ts_ns;
    retransmit.old_state = retransmit.new_state = TcpState::SynSent;
    events.insert(events.end(), path.syn_retransmits, retransmit);
  }
  time_in_old_or_gap(end, path, path.length - 1);
  // Written again as the socket was freed: the close came earlier, and (as
  // for a recovered event) the time in the state before it is not known.
  if (end.recovered)
    end.ns_in_old.reset();
  events.push_back(std::move(end));
  return events;
}

} // namespace

bool is_connection_record(std::span<const std::byte> record) {
  __u32 type = 0;
  if (record.size() < sizeof type)
    return false;
  std::memcpy(&type, record.data(), sizeof type);
  return type == TCPSIGHT_EVENT_CONNECTION;
}

ConnectionDecodeResult decode_connection(std::span<const std::byte> record) {
  if (record.size() < sizeof(tcpsight_connection))
    return DecodeError{fmt::format("connection record is {} bytes, expected {}", record.size(),
                                   sizeof(tcpsight_connection))};
  tcpsight_connection raw;
  std::memcpy(&raw, record.data(), sizeof raw);
  // Its end is a transition to CLOSE in all but its type.
  raw.end.type = TCPSIGHT_EVENT_TRANSITION;
  auto end = decode_event(std::as_bytes(std::span(&raw.end, 1)));
  if (auto* error = std::get_if<DecodeError>(&end))
    return *error;
  auto& last = std::get<Event>(end);
  if (last.new_state != TcpState::Close || last.gap_from)
    return DecodeError{"connection record does not end in a move to CLOSE"};
  if (auto error = path_error(raw.path, last))
    return DecodeError{*error};
  keep_in_time_order(raw.path, last.ts_ns);
  return events_of(std::move(last), raw.path);
}

} // namespace tcpsight
