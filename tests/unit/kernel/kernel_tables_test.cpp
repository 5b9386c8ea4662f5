#include "tcpsight/kernel/kernel_tables.hpp"

#include <gtest/gtest.h>
#include <net/if.h>
#include <sstream>

namespace tcpsight {
namespace {

TEST(KernelTables, ProtocolCounters) {
  std::istringstream in("Ip: Forwarding DefaultTTL\n"
                        "Ip: 2 64\n"
                        "Tcp: ActiveOpens PassiveOpens\n"
                        "Tcp: 5 -1\n"
                        "Udp: InDatagrams\n"
                        "Udp: 1 2\n" // one value too many
                        "Icmp: InMsgs\n"
                        "Icmp: x\n" // not a number
                        "Dangling: names\n");
  std::size_t malformed = 0;
  const auto protocols = parse_protocol_counters(in, malformed);
  ASSERT_EQ(protocols.size(), 3u);
  EXPECT_EQ(protocols[0].protocol, "Ip");
  EXPECT_EQ(protocols[0].counters[1], (std::pair<std::string, std::int64_t>{"DefaultTTL", 64}));
  EXPECT_EQ(protocols[1].counters[1].second, -1);
  EXPECT_TRUE(protocols[2].counters.empty()); // Icmp, its value skipped
  EXPECT_EQ(malformed, 3u);
}

TEST(KernelTables, Routes) {
  std::istringstream in(
      "Iface\tDestination\tGateway \tFlags\tRefCnt\tUse\tMetric\tMask\t\tMTU\tWindow\tIRTT\n"
      "eth0\t00000000\t010200C0\t0003\t0\t0\t0\t00000000\t0\t0\t0\n"
      "eth0\t000200C0\t00000000\t0001\t0\t0\t0\t00FFFFFF\t0\t0\t0\n"
      "eth0\tnothex\t00000000\t0001\t0\t0\t0\t00FFFFFF\t0\t0\t0\n"
      "short line\n");
  std::size_t malformed = 0;
  const auto routes = parse_proc_net_route(in, malformed);
  ASSERT_EQ(routes.size(), 2u);
  EXPECT_EQ(malformed, 2u);
  EXPECT_EQ(routes[0].gateway, 0x010200C0u);
  EXPECT_EQ(route_flags(routes[0].flags), "UG");
  EXPECT_EQ(routes[1].mask, 0x00FFFFFFu);
  EXPECT_EQ(route_flags(0x0005), "UH");
}

TEST(KernelTables, InterfaceCounters) {
  std::istringstream in(
      "Inter-|   Receive                                                |  Transmit\n"
      " face |bytes    packets errs drop fifo frame compressed multicast|bytes    packets errs "
      "drop fifo colls carrier compressed\n"
      "    lo: 4265700059 62607477    1    2    3     0          0         0 4265700059 62607470 "
      "   4    5    6     0       0          0\n"
      "  eth0: 1 2 3\n"
      "no colon here\n");
  std::size_t malformed = 0;
  const auto interfaces = parse_proc_net_dev(in, malformed);
  EXPECT_EQ(malformed, 2u);
  ASSERT_EQ(interfaces.size(), 1u);
  EXPECT_EQ(interfaces[0].name, "lo");
  EXPECT_EQ(interfaces[0].rx_packets, 62607477u);
  EXPECT_EQ(interfaces[0].rx_errors, 1u);
  EXPECT_EQ(interfaces[0].rx_fifo, 3u);
  EXPECT_EQ(interfaces[0].tx_packets, 62607470u);
  EXPECT_EQ(interfaces[0].tx_fifo, 6u);
}

TEST(KernelTables, InterfaceFlagLetters) {
  EXPECT_EQ(interface_flags(IFF_UP | IFF_BROADCAST | IFF_MULTICAST | IFF_RUNNING), "BMRU");
  EXPECT_EQ(interface_flags(IFF_UP | IFF_LOOPBACK | IFF_RUNNING), "LRU");
  EXPECT_EQ(interface_flags(0), "");
}

TEST(KernelTables, MulticastGroups) {
  std::istringstream igmp("Idx\tDevice    : Count Querier\tGroup    Users Timer\tReporter\n"
                          "1\tlo        :     1      V3\n"
                          "\t\t\t\t010000E0     1 0:00000000\t\t0\n"
                          "4\teth0      :     1      V3\n"
                          "\t\t\t\tFB0000E0     2 0:00000000\t\t0\n"
                          "\t\t\t\tnothex     1 0:00000000\t\t0\n");
  std::size_t malformed = 0;
  const auto groups = parse_proc_net_igmp(igmp, malformed);
  EXPECT_EQ(malformed, 1u);
  ASSERT_EQ(groups.size(), 2u);
  EXPECT_EQ(groups[0].interface, "lo");
  EXPECT_EQ(to_string(groups[0].group), "224.0.0.1");
  EXPECT_EQ(groups[1].interface, "eth0");
  EXPECT_EQ(groups[1].users, 2u);
  EXPECT_EQ(to_string(groups[1].group), "224.0.0.251");

  std::istringstream igmp6(
      "1    lo              ff020000000000000000000000000001     1 0000000C 0\n"
      "2    eth0            ff0200000000000000000001ff000002     1 00000004 0\n"
      "3    eth1            ff02                                 1 0 0\n");
  malformed = 0;
  const auto groups6 = parse_proc_net_igmp6(igmp6, malformed);
  EXPECT_EQ(malformed, 1u);
  ASSERT_EQ(groups6.size(), 2u);
  EXPECT_EQ(to_string(groups6[0].group), "ff02::1");
  EXPECT_EQ(to_string(groups6[1].group), "ff02::1:ff00:2");
}

TEST(KernelTables, ConntrackAndTranslation) {
  std::istringstream in(
      "ipv4     2 tcp      6 431999 ESTABLISHED src=10.0.0.5 dst=93.184.216.34 sport=40000 "
      "dport=443 src=93.184.216.34 dst=192.0.2.10 sport=443 dport=61000 [ASSURED] mark=0 use=1\n"
      "ipv4     2 udp      17 29 src=127.0.0.1 dst=127.0.0.53 sport=5000 dport=53 "
      "src=127.0.0.53 dst=127.0.0.1 sport=53 dport=5000 mark=0 use=1\n"
      "ipv4     2 tcp      6 x broken\n");
  std::size_t malformed = 0;
  const auto entries = parse_nf_conntrack(in, malformed);
  EXPECT_EQ(malformed, 1u);
  ASSERT_EQ(entries.size(), 2u);
  EXPECT_TRUE(entries[0].translated());
  EXPECT_EQ(to_string(entries[0].reply_destination), "192.0.2.10");
  EXPECT_EQ(entries[0].reply_dport, 61000);
  EXPECT_FALSE(entries[1].translated());
  EXPECT_EQ(entries[1].protocol, "udp");
  EXPECT_EQ(entries[1].expires_s, 29u);
}

} // namespace
} // namespace tcpsight
