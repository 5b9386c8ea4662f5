#include "tcpsight/kernel/proc_net.hpp"

#include <gtest/gtest.h>
#include <sstream>

namespace tcpsight {
namespace {

ParsedRows parse_inet(const std::string& text, Protocol protocol = Protocol::Tcp,
                      AddressFamily family = AddressFamily::IPv4) {
  std::istringstream in(text);
  return parse_proc_net_inet(in, protocol, family);
}

constexpr const char* kTcpHeader =
    "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  "
    "timeout inode\n";

TEST(ProcNet, TcpListenerAndConnection) {
  const auto parsed = parse_inet(
      std::string(kTcpHeader) +
      "   0: 00000000:07E8 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        "
      "0 1151 1 00000000d8f1f4e1 100 0 0 10 0\n"
      "   1: 0100007F:D9DA 0100007F:E741 01 0000000A:00000002 02:00000D63 00000000  1000        "
      "0 4242 3 00000000f849d9e6\n");
  EXPECT_EQ(parsed.malformed, 0u);
  ASSERT_EQ(parsed.rows.size(), 2u);

  const auto& listener = parsed.rows[0];
  EXPECT_EQ(listener.protocol, Protocol::Tcp);
  EXPECT_EQ(to_string(listener.id.local), "0.0.0.0");
  EXPECT_EQ(listener.id.local_port, 2024);
  EXPECT_EQ(listener.state, TcpState::Listen);
  EXPECT_EQ(listener.inode, 1151u);

  const auto& connection = parsed.rows[1];
  EXPECT_EQ(to_string(connection.id.local), "127.0.0.1");
  EXPECT_EQ(connection.id.local_port, 55770);
  EXPECT_EQ(to_string(connection.id.remote), "127.0.0.1");
  EXPECT_EQ(connection.id.remote_port, 59201);
  EXPECT_EQ(connection.state, TcpState::Established);
  EXPECT_EQ(connection.send_q, 10u);
  EXPECT_EQ(connection.recv_q, 2u);
  EXPECT_EQ(connection.uid, 1000u);
  EXPECT_EQ(connection.inode, 4242u);
  EXPECT_EQ(connection.timer, 2);         // keepalive
  EXPECT_EQ(connection.timer_ms, 34270u); // 0xD63 jiffies
  EXPECT_EQ(listener.timer, 0);
}

TEST(ProcNet, Ipv6Addresses) {
  const auto parsed = parse_inet(
      std::string(kTcpHeader) +
          "   0: 00000000000000000000000001000000:1F90 0000000000000000FFFF00000100007F:C350 "
          "06 00000000:00000000 03:000016A3 00000000     0        0 0 3 0000000000000000\n",
      Protocol::Tcp, AddressFamily::IPv6);
  ASSERT_EQ(parsed.rows.size(), 1u);
  EXPECT_EQ(to_string(parsed.rows[0].id.local), "::1");
  EXPECT_EQ(parsed.rows[0].id.local_port, 8080);
  EXPECT_EQ(to_string(parsed.rows[0].id.remote), "::ffff:127.0.0.1");
  EXPECT_EQ(parsed.rows[0].state, TcpState::TimeWait);
}

TEST(ProcNet, MalformedLinesAreSkippedAndCounted) {
  const auto parsed = parse_inet(std::string(kTcpHeader) +
                                 "garbage\n"
                                 "   0: 0100007F:0050\n" // short
                                 "   1: 0100007G:0050 00000000:0000 0A 00000000:00000000 "
                                 "00:00000000 00000000 0 0 1 1\n" // hex
                                 "   2: 0100007F:10000 00000000:0000 0A 00000000:00000000 "
                                 "00:00000000 00000000 0 0 1 1\n" // port
                                 "   3: 0100007F:0050 00000000:0000 0A 00000000-00000000 "
                                 "00:00000000 00000000 0 0 1 1\n" // queues
                                 "   4: 0100007F:0050 00000000:0000 0A 00000000:00000000 "
                                 "00:00000000 00000000 0 0 x 1\n" // inode
                                 "\n"
                                 "   5: 0100007F:0050 00000000:0000 0A 00000000:00000000 "
                                 "00:00000000 00000000 0 0 7 1\n");
  EXPECT_EQ(parsed.malformed, 6u);
  ASSERT_EQ(parsed.rows.size(), 1u);
  EXPECT_EQ(parsed.rows[0].id.local_port, 80);
  EXPECT_EQ(parsed.rows[0].inode, 7u);
}

TEST(ProcNet, EmptyOrHeaderOnly) {
  EXPECT_TRUE(parse_inet("").rows.empty());
  EXPECT_TRUE(parse_inet(kTcpHeader).rows.empty());
}

TEST(ProcNet, UdpAndRaw) {
  const auto udp = parse_inet(
      std::string(kTcpHeader) +
          "  10: 00000000:0044 00000000:0000 07 00000000:00000000 00:00000000 00000000     0  "
          "      0 999 2 0000000000000000 0\n",
      Protocol::Udp);
  ASSERT_EQ(udp.rows.size(), 1u);
  EXPECT_EQ(udp.rows[0].protocol, Protocol::Udp);
  EXPECT_EQ(udp.rows[0].id.local_port, 68);
  EXPECT_EQ(udp.rows[0].state, TcpState::Close);

  const auto raw = parse_inet(
      std::string(kTcpHeader) +
          "   1: 00000000:0001 00000000:0000 07 00000000:00000000 00:00000000 00000000     0  "
          "      0 555 2 0000000000000000 0\n",
      Protocol::Raw);
  ASSERT_EQ(raw.rows.size(), 1u);
  EXPECT_EQ(raw.rows[0].id.local_port, 1); // ICMP
}

TEST(ProcNet, Unix) {
  std::istringstream in("Num       RefCount Protocol Flags    Type St Inode Path\n"
                        "000000000865f186: 00000002 00000000 00010000 0001 01  1148 /run/x.sock\n"
                        "0000000038bd729d: 00000003 00000000 00000000 0001 03  1147\n"
                        "0000000038bd7200: 00000002 00000000 00000000 0002 01  1150 @abstract\n"
                        "not a socket line\n");
  const auto parsed = parse_proc_net_unix(in);
  EXPECT_EQ(parsed.malformed, 1u);
  ASSERT_EQ(parsed.rows.size(), 3u);
  EXPECT_TRUE(parsed.rows[0].unix_listening);
  EXPECT_EQ(parsed.rows[0].state, TcpState::Listen);
  EXPECT_EQ(parsed.rows[0].unix_path, "/run/x.sock");
  EXPECT_EQ(parsed.rows[0].unix_type, 1);
  EXPECT_EQ(parsed.rows[0].unix_refcount, 2u);
  EXPECT_EQ(parsed.rows[1].state, TcpState::Established);
  EXPECT_EQ(parsed.rows[1].unix_path, "");
  EXPECT_EQ(parsed.rows[1].inode, 1147u);
  EXPECT_EQ(parsed.rows[2].unix_type, 2);
  EXPECT_EQ(parsed.rows[2].unix_path, "@abstract");
}

} // namespace
} // namespace tcpsight
