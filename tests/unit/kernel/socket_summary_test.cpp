#include "tcpsight/kernel/socket_summary.hpp"
#include "tcpsight/views/socket_summary_view.hpp"

#include <gtest/gtest.h>
#include <sstream>

namespace tcpsight {
namespace {

// /proc/net/sockstat and sockstat6 as Linux 6.18 writes them.
constexpr const char* kSockstat = "sockets: used 16\n"
                                  "TCP: inuse 3 orphan 1 tw 35 alloc 5 mem 257\n"
                                  "UDP: inuse 2 mem 0\n"
                                  "UDPLITE: inuse 0\n"
                                  "RAW: inuse 1\n"
                                  "FRAG: inuse 0 memory 0\n";
constexpr const char* kSockstat6 = "TCP6: inuse 1\n"
                                   "UDP6: inuse 4\n"
                                   "UDPLITE6: inuse 0\n"
                                   "RAW6: inuse 0\n"
                                   "FRAG6: inuse 0 memory 0\n";

SocketSummary parsed(std::size_t& malformed) {
  SocketSummary summary;
  std::istringstream sockstat(kSockstat), sockstat6(kSockstat6);
  parse_sockstat(sockstat, summary, malformed);
  parse_sockstat(sockstat6, summary, malformed);
  summary.tcp_established = 2;
  return summary;
}

TEST(SocketSummary, ReadFromSockstat) {
  std::size_t malformed = 0;
  const auto summary = parsed(malformed);
  EXPECT_EQ(malformed, 0u);
  EXPECT_EQ(summary.sockets_used, 16);
  EXPECT_EQ(summary.tcp_total(), 40); // alloc + timewait
  EXPECT_EQ(summary.tcp_closed(), 36);
  EXPECT_EQ(summary.tcp_orphaned, 1);
  EXPECT_EQ(summary.tcp.ipv4, 3);
  EXPECT_EQ(summary.tcp.ipv6, 1);
  EXPECT_EQ(summary.udp.total(), 6);
  EXPECT_EQ(summary.raw.ipv4, 1);
}

// Field for field as ss -s prints it (iproute2 6.1).
TEST(SocketSummary, FormattedAsSsDoes) {
  std::size_t malformed = 0;
  EXPECT_EQ(format_socket_summary(parsed(malformed)),
            "Total: 16\n"
            "TCP:   40 (estab 2, closed 36, orphaned 1, timewait 35)\n"
            "\n"
            "Transport Total     IP        IPv6\n"
            "RAW\t  1         1         0        \n"
            "UDP\t  6         2         4        \n"
            "TCP\t  4         3         1        \n"
            "INET\t  11        6         5        \n"
            "FRAG\t  0         0         0        \n"
            "\n");
}

TEST(SocketSummary, Json) {
  std::size_t malformed = 0;
  std::string out;
  append_socket_summary_json(out, parsed(malformed));
  EXPECT_EQ(out, "{\"type\":\"summary\",\"netns\":0,\"sockets_used\":16,\"tcp\":{\"total\":40,"
                 "\"established\":2,\"closed\":36,\"orphaned\":1,\"time_wait\":35},"
                 "\"raw\":{\"total\":1,\"ipv4\":1,\"ipv6\":0},\"udp\":{\"total\":6,\"ipv4\":2,"
                 "\"ipv6\":4},\"tcp_in_tables\":{\"total\":4,\"ipv4\":3,\"ipv6\":1},"
                 "\"inet\":{\"total\":11,\"ipv4\":6,\"ipv6\":5},\"fragments\":{\"total\":0,"
                 "\"ipv4\":0,\"ipv6\":0}}\n");
}

TEST(SocketSummary, WhatDoesNotParseIsCounted) {
  SocketSummary summary;
  std::size_t malformed = 0;
  std::istringstream table("garbage\nTCP: inuse x\nsockets: used 7\n\n");
  parse_sockstat(table, summary, malformed);
  EXPECT_EQ(malformed, 3u);
  EXPECT_EQ(summary.sockets_used, 7);
}

} // namespace
} // namespace tcpsight
