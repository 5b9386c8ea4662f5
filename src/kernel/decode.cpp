#include "tcpsight/kernel/decode.hpp"

#include <linux/types.h>
#include <sys/socket.h>

#include <algorithm>
#include <cstddef>
#include <cstring>
#include <fmt/format.h>

#include "tcpsight_event.h"

namespace tcpsight {
namespace {

static_assert(sizeof(tcpsight_event) == TCPSIGHT_EVENT_SIZE);
static_assert(offsetof(tcpsight_event, ts_ns) == 8);
static_assert(offsetof(tcpsight_event, cgroup_id) == 40);
static_assert(offsetof(tcpsight_event, netns) == 56);
static_assert(offsetof(tcpsight_event, family) == 60);
static_assert(offsetof(tcpsight_event, error) == 68);
static_assert(offsetof(tcpsight_event, saddr) == 72);
static_assert(offsetof(tcpsight_event, comm) == 104);
static_assert(offsetof(tcpsight_event, tx_bytes) == 120);
static_assert(offsetof(tcpsight_event, retransmits) == 136);
static_assert(offsetof(tcpsight_event, srtt_us) == TCPSIGHT_EVENT_V4_SIZE);

IpAddress decode_address(AddressFamily family, const __u8 (&bytes)[16]) {
  IpAddress address{.family = family};
  const std::size_t length = family == AddressFamily::IPv4 ? 4 : 16;
  std::memcpy(address.bytes.data(), bytes, length);
  return address;
}

std::string decode_comm(const char (&comm)[TCPSIGHT_COMM_LEN]) {
  return std::string(comm, strnlen(comm, sizeof comm));
}

std::optional<EventType> decode_type(__u32 type) {
  switch (type) {
  case TCPSIGHT_EVENT_TRANSITION:
    return EventType::Transition;
  case TCPSIGHT_EVENT_RESET_SENT:
    return EventType::ResetSent;
  case TCPSIGHT_EVENT_RESET_RECEIVED:
    return EventType::ResetReceived;
  case TCPSIGHT_EVENT_SYN_RETRANSMIT:
    return EventType::SynRetransmit;
  case TCPSIGHT_EVENT_SYNACK_RETRANSMIT:
    return EventType::SynAckRetransmit;
  case TCPSIGHT_EVENT_DROP:
    return EventType::Drop;
  case TCPSIGHT_EVENT_RETRANSMIT:
    return EventType::Retransmit;
  default:
    return std::nullopt;
  }
}

std::optional<std::uint64_t> if_flag(__u32 flags, __u32 flag, std::uint64_t value) {
  if (flags & flag)
    return value;
  return std::nullopt;
}

__u32 encode_type(EventType type) {
  switch (type) {
  case EventType::Transition:
    return TCPSIGHT_EVENT_TRANSITION;
  case EventType::ResetSent:
    return TCPSIGHT_EVENT_RESET_SENT;
  case EventType::ResetReceived:
    return TCPSIGHT_EVENT_RESET_RECEIVED;
  case EventType::SynRetransmit:
    return TCPSIGHT_EVENT_SYN_RETRANSMIT;
  case EventType::SynAckRetransmit:
    return TCPSIGHT_EVENT_SYNACK_RETRANSMIT;
  case EventType::Drop:
    return TCPSIGHT_EVENT_DROP;
  case EventType::Retransmit:
    return TCPSIGHT_EVENT_RETRANSMIT;
  }
  return 0;
}

void encode_drop(tcpsight_event& raw, const DropDetails& drop) {
  raw.drop_reason = drop.code;
  if (drop.outgoing)
    raw.flags |= TCPSIGHT_F_OUTGOING;
  if (drop.listen_overflow)
    raw.flags |= TCPSIGHT_F_LISTEN_OVERFLOW;
  if (drop.accept_queue) {
    raw.flags |= TCPSIGHT_F_QUEUE_KNOWN;
    raw.accept_queue = drop.accept_queue->length;
    raw.backlog = drop.accept_queue->backlog;
  }
}

// Its reason's name comes from the kernel's table (name_drop).
DropDetails decode_drop(const tcpsight_event& raw) {
  DropDetails drop{.code = raw.drop_reason,
                   .outgoing = (raw.flags & TCPSIGHT_F_OUTGOING) != 0,
                   .listen_overflow = (raw.flags & TCPSIGHT_F_LISTEN_OVERFLOW) != 0};
  if (raw.flags & TCPSIGHT_F_QUEUE_KNOWN)
    drop.accept_queue = AcceptQueue{.length = raw.accept_queue, .backlog = raw.backlog};
  return drop;
}

} // namespace

std::size_t event_record_size() { return sizeof(tcpsight_event); }
std::uint32_t event_record_version() { return TCPSIGHT_EVENT_VERSION; }

std::vector<std::byte> encode_event(const Event& e) {
  tcpsight_event raw{};
  raw.type = encode_type(e.type);
  raw.ts_ns = e.ts_ns;
  raw.sock_id = e.id.sock_id;
  raw.netns = e.id.netns;
  if (e.owner) {
    raw.flags |= TCPSIGHT_F_OWNER_KNOWN;
    raw.pid = e.owner->pid;
    raw.uid = e.owner->uid;
    raw.cgroup_id = e.owner->cgroup_id;
    std::memcpy(raw.comm, e.owner->comm.data(), std::min(e.owner->comm.size(), sizeof raw.comm));
  }
  raw.family = e.family() == AddressFamily::IPv4 ? AF_INET : AF_INET6;
  const std::size_t address_size = e.family() == AddressFamily::IPv4 ? 4 : 16;
  std::memcpy(raw.saddr, e.id.local.bytes.data(), address_size);
  std::memcpy(raw.daddr, e.id.remote.bytes.data(), address_size);
  raw.sport = e.id.local_port;
  raw.dport = e.id.remote_port;
  raw.oldstate = static_cast<__u8>(e.old_state);
  raw.newstate = static_cast<__u8>(e.new_state);
  if (e.ns_in_old) {
    raw.flags |= TCPSIGHT_F_TIME_IN_OLD_KNOWN;
    raw.ns_in_old = *e.ns_in_old;
  }
  if (e.handshake_ns) {
    raw.flags |= TCPSIGHT_F_HANDSHAKE_KNOWN;
    raw.handshake_ns = *e.handshake_ns;
  }
  if (e.totals) {
    raw.flags |= TCPSIGHT_F_TOTALS_KNOWN;
    raw.tx_bytes = e.totals->tx_bytes;
    raw.rx_bytes = e.totals->rx_bytes;
    raw.retransmits = e.totals->retransmits;
    raw.srtt_us = e.totals->srtt_us;
    raw.min_rtt_us = e.totals->min_rtt_us;
  }
  if (e.drop)
    encode_drop(raw, *e.drop);
  raw.error = static_cast<__u16>(e.error);
  raw.seq = e.seq;
  raw.segments = e.segments;
  if (e.gap_from) {
    raw.flags |= TCPSIGHT_F_GAP;
    raw.gap_from = static_cast<__u8>(*e.gap_from);
  }
  const std::pair<bool, __u32> flags[] = {
      {e.reset_sent, TCPSIGHT_F_RESET_SENT}, {e.reset_received, TCPSIGHT_F_RESET_RECEIVED},
      {e.no_socket, TCPSIGHT_F_NO_SOCKET},   {e.peer_fin, TCPSIGHT_F_PEER_FIN},
      {e.orphan, TCPSIGHT_F_ORPHAN},         {e.linger_zero, TCPSIGHT_F_LINGER_ZERO},
      {e.recovered, TCPSIGHT_F_RECOVERED}};
  for (const auto& [set, flag] : flags)
    if (set)
      raw.flags |= flag;
  std::vector<std::byte> bytes(sizeof raw);
  std::memcpy(bytes.data(), &raw, sizeof raw);
  return bytes;
}

DecodeResult decode_event(std::span<const std::byte> record) {
  if (record.size() < sizeof(tcpsight_event))
    return DecodeError{
        fmt::format("record is {} bytes, expected {}", record.size(), sizeof(tcpsight_event))};
  tcpsight_event raw;
  std::memcpy(&raw, record.data(), sizeof raw);

  const auto type = decode_type(raw.type);
  if (!type)
    return DecodeError{fmt::format("record has unknown type {}", raw.type)};
  AddressFamily family;
  if (raw.family == AF_INET)
    family = AddressFamily::IPv4;
  else if (raw.family == AF_INET6)
    family = AddressFamily::IPv6;
  else
    return DecodeError{fmt::format("record has address family {}", raw.family)};

  Event e;
  e.type = *type;
  e.ts_ns = raw.ts_ns;
  e.id.sock_id = raw.sock_id;
  e.id.netns = raw.netns;
  if (raw.flags & TCPSIGHT_F_OWNER_KNOWN)
    e.owner = Owner{
        .pid = raw.pid, .uid = raw.uid, .cgroup_id = raw.cgroup_id, .comm = decode_comm(raw.comm)};
  e.id.local = decode_address(family, raw.saddr);
  e.id.local_port = raw.sport;
  e.id.remote = decode_address(family, raw.daddr);
  e.id.remote_port = raw.dport;
  e.old_state = static_cast<TcpState>(raw.oldstate);
  e.new_state = static_cast<TcpState>(raw.newstate);
  e.ns_in_old = if_flag(raw.flags, TCPSIGHT_F_TIME_IN_OLD_KNOWN, raw.ns_in_old);
  e.handshake_ns = if_flag(raw.flags, TCPSIGHT_F_HANDSHAKE_KNOWN, raw.handshake_ns);
  if (raw.flags & TCPSIGHT_F_TOTALS_KNOWN)
    e.totals = ConnectionTotals{.tx_bytes = raw.tx_bytes,
                                .rx_bytes = raw.rx_bytes,
                                .retransmits = raw.retransmits,
                                .srtt_us = raw.srtt_us,
                                .min_rtt_us = raw.min_rtt_us};
  e.error = raw.error;
  e.reset_sent = raw.flags & TCPSIGHT_F_RESET_SENT;
  e.reset_received = raw.flags & TCPSIGHT_F_RESET_RECEIVED;
  e.no_socket = raw.flags & TCPSIGHT_F_NO_SOCKET;
  e.peer_fin = raw.flags & TCPSIGHT_F_PEER_FIN;
  e.orphan = raw.flags & TCPSIGHT_F_ORPHAN;
  e.linger_zero = raw.flags & TCPSIGHT_F_LINGER_ZERO;
  if (raw.flags & TCPSIGHT_F_GAP) {
    if (raw.gap_from == 0 || raw.gap_from > static_cast<__u8>(TcpState::BoundInactive))
      return DecodeError{fmt::format("record has a gap from unknown state {}", raw.gap_from)};
    e.gap_from = static_cast<TcpState>(raw.gap_from);
  }
  e.recovered = raw.flags & TCPSIGHT_F_RECOVERED;
  if (e.type == EventType::Retransmit) {
    e.seq = raw.seq;
    e.segments = raw.segments;
  }
  if (e.type == EventType::Drop)
    e.drop = decode_drop(raw);
  return e;
}

} // namespace tcpsight
