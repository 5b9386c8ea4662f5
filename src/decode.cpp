#include "tcpsight/decode.hpp"

#include <linux/types.h>
#include <sys/socket.h>

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
  default:
    return std::nullopt;
  }
}

std::optional<std::uint64_t> if_flag(__u32 flags, __u32 flag, std::uint64_t value) {
  if (flags & flag)
    return value;
  return std::nullopt;
}

} // namespace

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
  e.sock_id = raw.sock_id;
  e.netns = raw.netns;
  if (raw.flags & TCPSIGHT_F_OWNER_KNOWN)
    e.owner = Owner{
        .pid = raw.pid, .uid = raw.uid, .cgroup_id = raw.cgroup_id, .comm = decode_comm(raw.comm)};
  e.local = decode_address(family, raw.saddr);
  e.local_port = raw.sport;
  e.remote = decode_address(family, raw.daddr);
  e.remote_port = raw.dport;
  e.old_state = static_cast<TcpState>(raw.oldstate);
  e.new_state = static_cast<TcpState>(raw.newstate);
  e.ns_in_old = if_flag(raw.flags, TCPSIGHT_F_TIME_IN_OLD_KNOWN, raw.ns_in_old);
  e.handshake_ns = if_flag(raw.flags, TCPSIGHT_F_HANDSHAKE_KNOWN, raw.handshake_ns);
  if (raw.flags & TCPSIGHT_F_TOTALS_KNOWN)
    e.totals = ConnectionTotals{
        .tx_bytes = raw.tx_bytes, .rx_bytes = raw.rx_bytes, .retransmits = raw.retransmits};
  e.error = raw.error;
  e.reset_sent = raw.flags & TCPSIGHT_F_RESET_SENT;
  e.reset_received = raw.flags & TCPSIGHT_F_RESET_RECEIVED;
  e.no_socket = raw.flags & TCPSIGHT_F_NO_SOCKET;
  e.peer_fin = raw.flags & TCPSIGHT_F_PEER_FIN;
  e.orphan = raw.flags & TCPSIGHT_F_ORPHAN;
  e.linger_zero = raw.flags & TCPSIGHT_F_LINGER_ZERO;
  return e;
}

} // namespace tcpsight
