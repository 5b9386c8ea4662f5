#include "tcpsight/decode.hpp"

#include "event_bytes.hpp"

#include <gtest/gtest.h>

namespace tcpsight {
namespace {

using test::bytes_of;
using test::raw_transition;

Transition decode_ok(std::span<const std::byte> bytes) {
  auto result = decode_event(bytes);
  if (auto* error = std::get_if<DecodeError>(&result))
    ADD_FAILURE() << error->message;
  return std::get<Transition>(result);
}

std::string decode_error(std::span<const std::byte> bytes) {
  auto result = decode_event(bytes);
  EXPECT_TRUE(std::holds_alternative<DecodeError>(result));
  return std::holds_alternative<DecodeError>(result) ? std::get<DecodeError>(result).message : "";
}

TEST(Decode, Ipv4Transition) {
  const auto t = decode_ok(bytes_of(raw_transition()));
  EXPECT_EQ(t.ts_ns, 1'000'000'000u);
  EXPECT_EQ(t.sock_id, 0xffff888012345678u);
  EXPECT_EQ(t.ns_in_old, 1'500'000u);
  EXPECT_EQ(t.pid, 4242u);
  EXPECT_EQ(t.comm, "curl");
  EXPECT_EQ(t.family(), AddressFamily::IPv4);
  EXPECT_EQ(to_string(t.local), "127.0.0.1");
  EXPECT_EQ(t.local_port, 40000);
  EXPECT_EQ(to_string(t.remote), "10.1.2.3");
  EXPECT_EQ(t.remote_port, 8080);
  EXPECT_EQ(t.old_state, TcpState::SynSent);
  EXPECT_EQ(t.new_state, TcpState::Established);
}

TEST(Decode, Ipv4CopiesOnlyFourAddressBytes) {
  auto raw = raw_transition();
  std::memset(raw.saddr + 4, 0xAA, 12); // must be ignored for IPv4
  const auto t = decode_ok(bytes_of(raw));
  for (std::size_t i = 4; i < 16; ++i)
    EXPECT_EQ(t.local.bytes[i], 0) << i;
}

TEST(Decode, Ipv6Transition) {
  auto raw = raw_transition();
  raw.family = AF_INET6;
  std::memset(raw.saddr, 0, 16);
  raw.saddr[15] = 1; // ::1
  const __u8 remote[16] = {0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x42};
  std::memcpy(raw.daddr, remote, 16);
  const auto t = decode_ok(bytes_of(raw));
  EXPECT_EQ(t.family(), AddressFamily::IPv6);
  EXPECT_EQ(to_string(t.local), "::1");
  EXPECT_EQ(to_string(t.remote), "2001:db8::42");
}

TEST(Decode, UnknownTimeInOldState) {
  auto raw = raw_transition();
  raw.flags = 0;
  EXPECT_FALSE(decode_ok(bytes_of(raw)).ns_in_old.has_value());
}

TEST(Decode, CommFillingAllSixteenBytesHasNoTerminator) {
  auto raw = raw_transition();
  std::memcpy(raw.comm, "0123456789abcdef", 16);
  EXPECT_EQ(decode_ok(bytes_of(raw)).comm, "0123456789abcdef");
}

TEST(Decode, CommKeepsArbitraryBytes) {
  auto raw = raw_transition();
  std::memset(raw.comm, 0, sizeof raw.comm);
  const char comm[] = {'\x01', '\xff', 'a', '\n'};
  std::memcpy(raw.comm, comm, sizeof comm);
  EXPECT_EQ(decode_ok(bytes_of(raw)).comm, std::string(comm, sizeof comm));
}

TEST(Decode, OutOfRangeStateIsKeptForTheViewToName) {
  auto raw = raw_transition();
  raw.newstate = 200;
  EXPECT_EQ(static_cast<int>(decode_ok(bytes_of(raw)).new_state), 200);
}

TEST(Decode, ShortRecordIsAnError) {
  auto bytes = bytes_of(raw_transition());
  bytes.resize(TCPSIGHT_TRANSITION_SIZE - 1);
  EXPECT_EQ(decode_error(bytes), "transition record is 95 bytes, expected 96");
}

TEST(Decode, RecordTooShortForTypeIsAnError) {
  auto bytes = bytes_of(raw_transition());
  bytes.resize(3);
  EXPECT_EQ(decode_error(bytes), "record is 3 bytes, too short for a type");
  EXPECT_EQ(decode_error({}), "record is 0 bytes, too short for a type");
}

TEST(Decode, UnknownTypeIsAnError) {
  auto raw = raw_transition();
  raw.type = 77;
  EXPECT_EQ(decode_error(bytes_of(raw)), "record has unknown type 77");
}

TEST(Decode, UnknownFamilyIsAnError) {
  auto raw = raw_transition();
  raw.family = 1; // AF_UNIX
  EXPECT_EQ(decode_error(bytes_of(raw)), "transition record has address family 1");
}

} // namespace
} // namespace tcpsight
