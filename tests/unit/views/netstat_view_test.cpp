#include "tcpsight/views/netstat_view.hpp"

#include <gtest/gtest.h>
#include <sys/socket.h>

#include <fmt/format.h>

namespace tcpsight {
namespace {

SocketRow tcp_row(TcpState state, std::uint16_t local_port, std::uint16_t remote_port) {
  SocketRow row;
  row.protocol = Protocol::Tcp;
  row.id.local = {.family = AddressFamily::IPv4, .bytes = {127, 0, 0, 1}};
  row.id.local_port = local_port;
  row.id.remote = {.family = AddressFamily::IPv4};
  if (remote_port != 0)
    row.id.remote.bytes = {127, 0, 0, 1};
  row.id.remote_port = remote_port;
  row.state = state;
  row.inode = 42;
  row.send_q = 128;
  return row;
}

NetstatColumns numeric_columns() {
  NetstatColumns columns;
  columns.endpoint = [](const SocketRow&, const IpAddress& address, std::uint16_t port) {
    return netstat_numeric_endpoint(address, port);
  };
  columns.user = [](std::uint32_t uid) { return std::to_string(uid); };
  return columns;
}

// Header and rows, as `tcpsight netstat` streams them.
std::string inet_table(const std::vector<SocketRow>& rows, const NetstatColumns& columns) {
  auto out = netstat_inet_header(columns);
  for (const auto& row : rows)
    append_netstat_inet_row(out, row, columns);
  return out;
}

std::string unix_table(const std::vector<SocketRow>& rows, const NetstatColumns& columns) {
  auto out = netstat_unix_header(columns);
  for (const auto& row : rows)
    append_netstat_unix_row(out, row, columns);
  return out;
}

TEST(NetstatView, InetTableAsNetstatPrintsIt) {
  auto columns = numeric_columns();
  columns.all = true;
  EXPECT_EQ(
      inet_table({tcp_row(TcpState::Listen, 8080, 0), tcp_row(TcpState::Established, 40000, 8080)},
                 columns),
      "Active Internet connections (servers and established)\n"
      "Proto Recv-Q Send-Q Local Address           Foreign Address         State\n"
      "tcp        0      0 127.0.0.1:8080          0.0.0.0:*               LISTEN\n"
      "tcp        0    128 127.0.0.1:40000         127.0.0.1:8080          ESTABLISHED\n");
}

TEST(NetstatView, ExtendedProcessAndTimerColumns) {
  SocketOwners owners;
  owners.add(42, {.pid = 7, .comm = "sshd", .command = "/usr/sbin/sshd"});
  auto columns = numeric_columns();
  columns.extend = true;
  columns.timers = true;
  columns.owners = &owners;
  auto row = tcp_row(TcpState::Established, 22, 5000);
  row.uid = 1000;
  row.timer = 2;
  row.timer_ms = 7120;
  EXPECT_EQ(inet_table({row}, columns),
            "Active Internet connections (w/o servers)\n"
            "Proto Recv-Q Send-Q Local Address           Foreign Address         State       "
            "User       Inode      PID/Program name     Timer\n"
            "tcp        0    128 127.0.0.1:22            127.0.0.1:5000          ESTABLISHED "
            "1000       42         7/sshd               keepalive (7.12/0/0)\n");
}

TEST(NetstatView, LongProgramNamesAreCutAsNetstatCutsThem) {
  SocketOwners owners;
  owners.add(42, {.pid = 25596, .comm = "x", .command = "build/tests/tcpsight_tests"});
  auto columns = numeric_columns();
  columns.owners = &owners;
  const auto table = inet_table({tcp_row(TcpState::Established, 22, 5000)}, columns);
  EXPECT_NE(table.find(" 25596/build/tests/t\n"), std::string::npos) << table;
}

TEST(NetstatView, RoutesAsNetstatPrintsThem) {
  const std::vector<Route> routes{
      {.interface = "eth0", .destination = 0, .gateway = 0x010200C0, .mask = 0, .flags = 0x3},
      {.interface = "eth0", .destination = 0x000200C0, .mask = 0x00FFFFFF, .flags = 0x1}};
  const auto dotted = [](std::uint32_t a) {
    return fmt::format("{}.{}.{}.{}", a & 255, (a >> 8) & 255, (a >> 16) & 255, a >> 24);
  };
  EXPECT_EQ(format_netstat_routes(routes, /*numeric=*/true, dotted),
            "Kernel IP routing table\n"
            "Destination     Gateway         Genmask         Flags   MSS Window  irtt Iface\n"
            "0.0.0.0         192.0.2.1       0.0.0.0         UG        0 0          0 eth0\n"
            "192.0.2.0       0.0.0.0         255.255.255.0   U         0 0          0 eth0\n");
  EXPECT_NE(format_netstat_routes(routes, /*numeric=*/false, dotted).find("\ndefault   "),
            std::string::npos);
}

TEST(NetstatView, InterfacesThatAreUp) {
  std::vector<InterfaceCounters> interfaces{
      {.name = "eth0", .rx_packets = 700, .tx_packets = 468, .mtu = 1400, .flags = 0x1043},
      {.name = "ifb0", .mtu = 1500, .flags = 0x82}};
  const std::string header =
      "Kernel Interface table\n"
      "Iface             MTU    RX-OK RX-ERR RX-DRP RX-OVR    TX-OK TX-ERR TX-DRP TX-OVR Flg\n";
  const std::string eth0 =
      "eth0             1400      700      0      0 0           468      0      0      0 BMRU\n";
  EXPECT_EQ(format_netstat_interfaces(interfaces, /*all=*/false), header + eth0);
  EXPECT_EQ(format_netstat_interfaces(interfaces, /*all=*/true),
            header + eth0 +
                "ifb0             1500        0      0      0 0             0      0      0      0 "
                "BO\n");
}

TEST(NetstatView, GroupsAndMasquerade) {
  const std::vector<MulticastGroup> groups{
      {.interface = "lo",
       .users = 1,
       .group = {.family = AddressFamily::IPv4, .bytes = {224, 0, 0, 1}}}};
  EXPECT_EQ(format_netstat_groups(groups, [](const IpAddress& a) { return to_string(a); }),
            "IPv6/IPv4 Group Memberships\n"
            "Interface       RefCnt Group\n"
            "--------------- ------ ---------------------\n"
            "lo              1      224.0.0.1\n");
  ConntrackEntry nat{.protocol = "tcp", .expires_s = 431999};
  nat.original_source = {.family = AddressFamily::IPv4, .bytes = {10, 0, 0, 5}};
  nat.original_destination = {.family = AddressFamily::IPv4, .bytes = {93, 184, 216, 34}};
  nat.reply_source = nat.original_destination;
  nat.reply_destination = {.family = AddressFamily::IPv4, .bytes = {192, 0, 2, 10}};
  nat.original_sport = 40000;
  nat.original_dport = nat.reply_sport = 443;
  nat.reply_dport = 61000;
  ConntrackEntry plain = nat;
  plain.reply_destination = plain.original_source;
  plain.reply_dport = plain.original_sport;
  EXPECT_EQ(
      format_netstat_masquerade({nat, plain}),
      "IP masquerade connections\n"
      "prot   expire source               destination          ports\n"
      "tcp    431999 10.0.0.5             93.184.216.34        40000 -> 443 (61000 -> 443)\n");
}

TEST(NetstatView, Statistics) {
  EXPECT_EQ(format_netstat_statistics({{.protocol = "Tcp", .counters = {{"ActiveOpens", 12}}}}),
            "Tcp:\n    ActiveOpens: 12\n");
}

TEST(NetstatView, Endpoints) {
  const IpAddress any6{.family = AddressFamily::IPv6};
  EXPECT_EQ(netstat_numeric_endpoint(any6, 22), ":::22");
  EXPECT_EQ(netstat_numeric_endpoint(any6, 0), ":::*");
  EXPECT_EQ(netstat_numeric_endpoint({.family = AddressFamily::IPv4}, 0), "0.0.0.0:*");
}

TEST(NetstatView, Timers) {
  SocketRow row;
  EXPECT_EQ(netstat_timer(row), "off (0.00/0/0)");
  row.timer = 3;
  row.timer_ms = 59160;
  EXPECT_EQ(netstat_timer(row), "timewait (59.16/0/0)");
  row.timer = 1;
  row.timer_ms = 200;
  row.retransmits = 2;
  EXPECT_EQ(netstat_timer(row), "on (0.20/2/0)");
}

TEST(NetstatView, UnixTable) {
  SocketRow listener;
  listener.protocol = Protocol::Unix;
  listener.unix_listening = true;
  listener.unix_type = SOCK_STREAM;
  listener.unix_refcount = 2;
  listener.inode = 1148;
  listener.unix_path = "/run/app.sock";
  SocketRow datagram = listener;
  datagram.unix_listening = false;
  datagram.unix_type = SOCK_DGRAM;
  datagram.unix_path.clear();
  auto columns = numeric_columns();
  columns.listening = true;
  EXPECT_EQ(unix_table({listener, datagram}, columns),
            "Active UNIX domain sockets (only servers)\n"
            "Proto RefCnt Flags       Type       State         I-Node   Path\n"
            "unix  2      [ ACC ]     STREAM     LISTENING     1148     /run/app.sock\n"
            "unix  2      [ ]         DGRAM                    1148\n");
}

} // namespace
} // namespace tcpsight
