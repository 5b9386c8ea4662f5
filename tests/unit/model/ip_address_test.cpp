#include "tcpsight/model/ip_address.hpp"

#include <gtest/gtest.h>

namespace tcpsight {
namespace {

IpAddress v4(std::uint8_t a, std::uint8_t b, std::uint8_t c, std::uint8_t d) {
  return {.family = AddressFamily::IPv4, .bytes = {a, b, c, d}};
}

IpAddress v6(std::array<std::uint8_t, 16> bytes) {
  return {.family = AddressFamily::IPv6, .bytes = bytes};
}

TEST(IpAddress, Ipv4) {
  EXPECT_EQ(to_string(v4(127, 0, 0, 1)), "127.0.0.1");
  EXPECT_EQ(to_string(v4(255, 255, 255, 255)), "255.255.255.255");
  EXPECT_EQ(to_string(v4(0, 0, 0, 0)), "0.0.0.0");
}

TEST(IpAddress, Ipv6) {
  EXPECT_EQ(to_string(v6({0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1})), "::1");
  EXPECT_EQ(to_string(v6({})), "::");
  EXPECT_EQ(
      to_string(v6({0xfe, 0x80, 0, 0, 0, 0, 0, 0, 0x02, 0x11, 0x22, 0xff, 0xfe, 0x33, 0x44, 0x55})),
      "fe80::211:22ff:fe33:4455");
  // The longest form: 39 characters.
  EXPECT_EQ(to_string(v6({0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
                          0xff, 0xff, 0xff, 0xff})),
            "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff");
}

TEST(IpAddress, Ipv4MappedIpv6) {
  EXPECT_EQ(to_string(v6({0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 10, 0, 0, 1})),
            "::ffff:10.0.0.1");
}

TEST(IpAddress, Endpoints) {
  EXPECT_EQ(format_endpoint(v4(10, 0, 0, 1), 443), "10.0.0.1:443");
  EXPECT_EQ(format_endpoint(v4(0, 0, 0, 0), 0), "0.0.0.0:0");
  EXPECT_EQ(format_endpoint(v6({0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1}), 65535),
            "[::1]:65535");
  EXPECT_EQ(format_endpoint(v6({0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 127, 0, 0, 1}), 80),
            "[::ffff:127.0.0.1]:80");
}

TEST(IpAddress, FamilyNames) {
  EXPECT_EQ(family_name(AddressFamily::IPv4), "ipv4");
  EXPECT_EQ(family_name(AddressFamily::IPv6), "ipv6");
}

} // namespace
} // namespace tcpsight
