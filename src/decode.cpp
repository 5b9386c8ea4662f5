#include "tcpsight/decode.hpp"

#include <linux/types.h>
#include <sys/socket.h>

#include <cstddef>
#include <cstring>
#include <fmt/format.h>

#include "tcpsight_event.h"

namespace tcpsight {
namespace {

static_assert(sizeof(tcpsight_transition) == TCPSIGHT_TRANSITION_SIZE);
static_assert(offsetof(tcpsight_transition, ts_ns) == 8);
static_assert(offsetof(tcpsight_transition, family) == 32);
static_assert(offsetof(tcpsight_transition, saddr) == 40);
static_assert(offsetof(tcpsight_transition, comm) == 72);
static_assert(offsetof(tcpsight_transition, flags) == 88);

IpAddress decode_address(AddressFamily family, const __u8 (&bytes)[16]) {
  IpAddress address{.family = family};
  const std::size_t length = family == AddressFamily::IPv4 ? 4 : 16;
  std::memcpy(address.bytes.data(), bytes, length);
  return address;
}

std::string decode_comm(const char (&comm)[TCPSIGHT_COMM_LEN]) {
  return std::string(comm, strnlen(comm, sizeof comm));
}

DecodeResult decode_transition(std::span<const std::byte> record) {
  if (record.size() < sizeof(tcpsight_transition))
    return DecodeError{fmt::format("transition record is {} bytes, expected {}", record.size(),
                                   sizeof(tcpsight_transition))};
  tcpsight_transition raw;
  std::memcpy(&raw, record.data(), sizeof raw);

  AddressFamily family;
  if (raw.family == AF_INET)
    family = AddressFamily::IPv4;
  else if (raw.family == AF_INET6)
    family = AddressFamily::IPv6;
  else
    return DecodeError{fmt::format("transition record has address family {}", raw.family)};

  Transition t;
  t.ts_ns = raw.ts_ns;
  t.sock_id = raw.sock_id;
  if (raw.flags & TCPSIGHT_F_TIME_IN_OLD_KNOWN)
    t.ns_in_old = raw.ns_in_old;
  t.pid = raw.pid;
  t.comm = decode_comm(raw.comm);
  t.local = decode_address(family, raw.saddr);
  t.local_port = raw.sport;
  t.remote = decode_address(family, raw.daddr);
  t.remote_port = raw.dport;
  t.old_state = static_cast<TcpState>(raw.oldstate);
  t.new_state = static_cast<TcpState>(raw.newstate);
  return t;
}

} // namespace

DecodeResult decode_event(std::span<const std::byte> record) {
  __u32 type = 0;
  if (record.size() < sizeof type)
    return DecodeError{fmt::format("record is {} bytes, too short for a type", record.size())};
  std::memcpy(&type, record.data(), sizeof type);

  switch (type) {
  case TCPSIGHT_EVENT_TRANSITION:
    return decode_transition(record);
  default:
    return DecodeError{fmt::format("record has unknown type {}", type)};
  }
}

} // namespace tcpsight
