#include "tcpsight/kernel/decode.hpp"

#include "event_bytes.hpp"
#include "sample_event.hpp"

#include <gtest/gtest.h>

namespace tcpsight {
namespace {

using test::bytes_of;
using test::raw_event;

Event decode_ok(std::span<const std::byte> bytes) {
  auto result = decode_event(bytes);
  if (auto* error = std::get_if<DecodeError>(&result))
    ADD_FAILURE() << error->message;
  return std::get<Event>(result);
}

std::string decode_error(std::span<const std::byte> bytes) {
  auto result = decode_event(bytes);
  EXPECT_TRUE(std::holds_alternative<DecodeError>(result));
  return std::holds_alternative<DecodeError>(result) ? std::get<DecodeError>(result).message : "";
}

TEST(Decode, EveryField) { EXPECT_EQ(decode_ok(bytes_of(raw_event())), test::sample_event()); }

TEST(Decode, Ipv4CopiesOnlyFourAddressBytes) {
  auto raw = raw_event();
  std::memset(raw.saddr + 4, 0xAA, 12); // must be ignored for IPv4
  const auto e = decode_ok(bytes_of(raw));
  for (std::size_t i = 4; i < 16; ++i)
    EXPECT_EQ(e.id.local.bytes[i], 0) << i;
}

TEST(Decode, Ipv6Addresses) {
  auto raw = raw_event();
  raw.family = AF_INET6;
  std::memset(raw.saddr, 0, 16);
  raw.saddr[15] = 1; // ::1
  const __u8 remote[16] = {0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x42};
  std::memcpy(raw.daddr, remote, 16);
  const auto e = decode_ok(bytes_of(raw));
  EXPECT_EQ(e.family(), AddressFamily::IPv6);
  EXPECT_EQ(to_string(e.id.local), "::1");
  EXPECT_EQ(to_string(e.id.remote), "2001:db8::42");
}

TEST(Decode, FlagsSayWhatIsUnknown) {
  auto raw = raw_event();
  raw.flags = 0;
  const auto e = decode_ok(bytes_of(raw));
  EXPECT_FALSE(e.ns_in_old);
  EXPECT_FALSE(e.handshake_ns);
  EXPECT_FALSE(e.owner);
  EXPECT_FALSE(e.totals);
}

TEST(Decode, TotalsAtClose) {
  auto raw = raw_event();
  raw.flags |= TCPSIGHT_F_TOTALS_KNOWN;
  raw.tx_bytes = 5000000000ull;
  raw.rx_bytes = 12;
  raw.retransmits = 3;
  EXPECT_EQ(decode_ok(bytes_of(raw)).totals,
            (ConnectionTotals{.tx_bytes = 5000000000ull, .rx_bytes = 12, .retransmits = 3}));
}

TEST(Decode, ResetFlagsAndError) {
  auto raw = raw_event();
  raw.type = TCPSIGHT_EVENT_RESET_SENT;
  raw.flags = TCPSIGHT_F_RESET_SENT | TCPSIGHT_F_RESET_RECEIVED | TCPSIGHT_F_NO_SOCKET;
  raw.error = 111;
  const auto e = decode_ok(bytes_of(raw));
  EXPECT_EQ(e.type, EventType::ResetSent);
  EXPECT_TRUE(e.reset_sent);
  EXPECT_TRUE(e.reset_received);
  EXPECT_TRUE(e.no_socket);
  EXPECT_EQ(e.error, 111);
}

TEST(Decode, EveryEventType) {
  const std::pair<__u32, EventType> types[] = {
      {TCPSIGHT_EVENT_TRANSITION, EventType::Transition},
      {TCPSIGHT_EVENT_RESET_SENT, EventType::ResetSent},
      {TCPSIGHT_EVENT_RESET_RECEIVED, EventType::ResetReceived},
      {TCPSIGHT_EVENT_SYN_RETRANSMIT, EventType::SynRetransmit},
      {TCPSIGHT_EVENT_SYNACK_RETRANSMIT, EventType::SynAckRetransmit}};
  for (const auto& [raw_type, type] : types) {
    auto raw = raw_event();
    raw.type = raw_type;
    EXPECT_EQ(decode_ok(bytes_of(raw)).type, type);
  }
}

TEST(Decode, CommFillingAllSixteenBytesHasNoTerminator) {
  auto raw = raw_event();
  std::memcpy(raw.comm, "0123456789abcdef", 16);
  EXPECT_EQ(decode_ok(bytes_of(raw)).owner->comm, "0123456789abcdef");
}

TEST(Decode, CommKeepsArbitraryBytes) {
  auto raw = raw_event();
  std::memset(raw.comm, 0, sizeof raw.comm);
  const char comm[] = {'\x01', '\xff', 'a', '\n'};
  std::memcpy(raw.comm, comm, sizeof comm);
  EXPECT_EQ(decode_ok(bytes_of(raw)).owner->comm, std::string(comm, sizeof comm));
}

TEST(Decode, OutOfRangeStateIsKeptForTheViewToName) {
  auto raw = raw_event();
  raw.newstate = 200;
  EXPECT_EQ(static_cast<int>(decode_ok(bytes_of(raw)).new_state), 200);
}

TEST(Decode, ShortRecordIsAnError) {
  auto bytes = bytes_of(raw_event());
  bytes.resize(TCPSIGHT_EVENT_SIZE - 1);
  EXPECT_EQ(decode_error(bytes), "record is 167 bytes, expected 168");
  EXPECT_EQ(decode_error({}), "record is 0 bytes, expected 168");
}

TEST(Decode, UnknownTypeIsAnError) {
  auto raw = raw_event();
  raw.type = 77;
  EXPECT_EQ(decode_error(bytes_of(raw)), "record has unknown type 77");
}

TEST(Decode, UnknownFamilyIsAnError) {
  auto raw = raw_event();
  raw.family = 1; // AF_UNIX
  EXPECT_EQ(decode_error(bytes_of(raw)), "record has address family 1");
}

TEST(Encode, RoundTripsEveryField) {
  auto e = test::sample_event();
  e.totals = ConnectionTotals{
      .tx_bytes = 1, .rx_bytes = 2, .retransmits = 3, .srtt_us = 4, .min_rtt_us = 5};
  e.reset_sent = e.reset_received = e.no_socket = e.peer_fin = e.orphan = e.linger_zero = true;
  e.error = 104;
  EXPECT_EQ(decode_ok(encode_event(e)), e);
  e.id.local = e.id.remote = test::ipv6_loopback();
  e.owner.reset();
  e.ns_in_old.reset();
  e.handshake_ns.reset();
  e.type = EventType::SynAckRetransmit;
  EXPECT_EQ(decode_ok(encode_event(e)), e);
  // Byte for byte what the kernel writes.
  EXPECT_EQ(encode_event(test::sample_event()), bytes_of(raw_event()));
}

// The fields of drops and retransmits, which only those events have. A
// drop's name comes from the kernel's table (name_drop), not the record.
TEST(Encode, RoundTripsDropsAndRetransmits) {
  auto drop = test::sample_event();
  drop.type = EventType::Drop;
  drop.drop = DropDetails{.code = 77,
                          .outgoing = true,
                          .listen_overflow = true,
                          .accept_queue = AcceptQueue{.length = 3, .backlog = 2}};
  EXPECT_EQ(decode_ok(encode_event(drop)), drop);
  auto again = test::sample_event();
  again.type = EventType::Retransmit;
  again.seq = 4'000'000'000;
  again.segments = 45;
  EXPECT_EQ(decode_ok(encode_event(again)), again);
  // Fields of one kind of event are not read for another.
  auto with_seq = again;
  with_seq.type = EventType::Transition;
  EXPECT_EQ(decode_ok(encode_event(with_seq)).seq, 0u);
}

} // namespace
} // namespace tcpsight
