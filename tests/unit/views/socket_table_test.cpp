#include "tcpsight/views/socket_table.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <sys/sysmacros.h>

#include <fmt/format.h>

namespace tcpsight {
namespace {

SocketRow listener() {
  SocketRow row;
  row.protocol = Protocol::Tcp;
  row.id.local = {.family = AddressFamily::IPv4, .bytes = {127, 0, 0, 1}};
  row.id.local_port = 8080;
  row.id.remote = {.family = AddressFamily::IPv4};
  row.state = TcpState::Listen;
  row.send_q = 128;
  row.inode = 77;
  return row;
}

SocketRow unix_socket() {
  SocketRow row;
  row.protocol = Protocol::Unix;
  row.unix_listening = true;
  row.unix_path = "/run/app.sock";
  row.unix_type = 1;
  row.inode = 78;
  return row;
}

// Header and rows, as `tcpsight ls` streams them.
std::string table_text(const std::vector<SocketRow>& rows, const SocketTableColumns& columns) {
  auto out = socket_table_header(columns);
  for (const auto& row : rows)
    append_socket_table_row(out, row, columns);
  return out;
}

std::string json_lines(const std::vector<SocketRow>& rows, const SocketOwners* owners) {
  std::string out;
  for (const auto& row : rows)
    append_socket_json(out, row, owners);
  return out;
}

TEST(SocketTable, TextWithProcesses) {
  SocketOwners owners;
  owners.add(77, {.pid = 10, .comm = "nginx"});
  owners.add(77, {.pid = 11, .comm = "nginx"});
  EXPECT_EQ(table_text({listener(), unix_socket()}, {.owners = &owners}),
            "Netid  State         Recv-Q  Send-Q Local Address:Port          Peer Address:Port"
            "           PID/Program\n"
            "tcp    LISTEN             0     128 127.0.0.1:8080              0.0.0.0:0     "
            "              10/nginx,11/nginx\n"
            "u_str  LISTEN             0       0 /run/app.sock 78            * 0           "
            "              -\n");
}

TEST(SocketTable, UnixPeersAndNamespaces) {
  auto connected = unix_socket();
  connected.unix_listening = false;
  connected.state = TcpState::Established;
  connected.unix_path.clear();
  connected.unix_peer = 79;
  connected.id.netns = 4026531840;
  EXPECT_EQ(table_text({connected}, {.netns = true}),
            "Netns      Netid  State         Recv-Q  Send-Q Local Address:Port          "
            "Peer Address:Port\n"
            "4026531840 u_str  ESTABLISHED        0       0 * 78                        * 79\n");
}

TEST(SocketTable, TextWithoutProcessesHasNoColumnForThem) {
  EXPECT_EQ(table_text({listener()}, {}),
            "Netid  State         Recv-Q  Send-Q Local Address:Port          Peer Address:Port\n"
            "tcp    LISTEN             0     128 127.0.0.1:8080              0.0.0.0:0\n");
}

// -e and -i as ss adds them: uid for users other than root, the mark where
// set, the cgroup's path, the directions open.
TEST(SocketTable, ExtendedAndTcpInfoDetails) {
  auto row = listener();
  row.id.sock_id = 0x1f;
  row.cgroup_id = 9;
  row.shutdown = 0;
  row.tcp_info =
      SocketRow::TcpInfo{.rtt_us = 1500, .rttvar_us = 250, .cwnd = 10, .total_retransmits = 2};
  const CgroupInfo system{.path = "/system.slice/app.service"};
  const CgroupLookup cgroups = [&](std::uint64_t id) { return id == 9 ? &system : nullptr; };
  const auto table = table_text({row}, {.extended = true, .tcp_info = true, .cgroups = cgroups});
  EXPECT_NE(table.find("0.0.0.0:0                   ino:77 sk:1f "
                       "cgroup:/system.slice/app.service <-> rtt:1.500/0.250 cwnd:10 retrans:2\n"),
            std::string::npos)
      << table;
  auto other = row;
  other.uid = 1000;
  other.mark = 0x10;
  other.cgroup_id = 10; // gone
  other.shutdown = 2;
  other.v6only = true;
  const auto details = table_text({other}, {.extended = true, .cgroups = cgroups});
  EXPECT_NE(details.find(" uid:1000 ino:77 sk:1f fwmark:0x10 cgroup:unreachable:a v6only:1 <--\n"),
            std::string::npos)
      << details;
  const auto json = nlohmann::json::parse(json_lines({row}, nullptr));
  EXPECT_EQ(json["tcp_info"]["cwnd"], 10);
  EXPECT_EQ(json["cgroup_id"], 9);
}

// -m and -e of a unix listener, as ss adds them: memory, the directions
// open, the bound file, the connections waiting to be accepted.
TEST(SocketTable, UnixDetails) {
  auto row = unix_socket();
  row.memory = SocketRow::Memory{0, 212992, 0, 212992, 0, 0, 0, 0, 0};
  row.shutdown = 1;
  row.unix_file = SocketRow::UnixFile{.inode = 42, .device = 254u << 20 | 3}; // the kernel's 254:3
  row.unix_pending = std::vector<std::uint32_t>{81, 82};
  const auto table = table_text({row}, {.extended = true, .memory = true});
  // The device as ss writes it, read as user space lays a number out.
  EXPECT_NE(table.find(fmt::format(" skmem:(r0,rb212992,t0,tb212992,f0,w0,o0,bl0,d0) --> ino:42 "
                                   "dev:{}/{} peers: 81 82\n",
                                   major(254u << 20 | 3), minor(254u << 20 | 3))),
            std::string::npos)
      << table;
  const auto json = nlohmann::json::parse(json_lines({row}, nullptr));
  EXPECT_EQ(json["file_device"], "254:3");
  EXPECT_EQ(json["pending"], nlohmann::json({81, 82}));
  EXPECT_EQ(json["shutdown"], 1);
}

// --tos, --cgroup and --inet-sockopt as ss adds them.
TEST(SocketTable, TrafficClassCgroupAndOptions) {
  auto row = listener();
  row.id.local.family = AddressFamily::IPv6;
  row.tos = 0;
  row.tclass = 0x10;
  row.class_id = 0;
  row.cgroup_id = 1;
  row.inet_options =
      SocketRow::InetOptions{.is_icsk = true, .mc_loop = true, .defer_connect = true};
  const CgroupInfo root{.path = "/"};
  const CgroupLookup cgroups = [&](std::uint64_t) { return &root; };
  const auto table = table_text(
      {row},
      {.traffic_class = true, .inet_options = true, .cgroup_paths = true, .cgroups = cgroups});
  EXPECT_NE(table.find(" tos:0 tclass:0x10 class_id:0 cgroup:/ inet-sockopt: ( is_icsk mc_loop "
                       "defer_connect)\n"),
            std::string::npos)
      << table;
  const auto json = nlohmann::json::parse(json_lines({row}, nullptr));
  EXPECT_EQ(json["tclass"], 16);
  EXPECT_EQ(json["inet_sockopt"], nlohmann::json({"is_icsk", "mc_loop", "defer_connect"}));
}

TEST(SocketTable, StatesOfUdp) {
  SocketRow udp = listener();
  udp.protocol = Protocol::Udp;
  udp.state = TcpState::Close;
  EXPECT_EQ(socket_state_name(udp), "UNCONN");
  udp.state = TcpState::Established;
  EXPECT_EQ(socket_state_name(udp), "ESTABLISHED");
}

TEST(SocketTable, Json) {
  SocketOwners owners;
  owners.add(77, {.pid = 10, .comm = "nginx"});
  const auto text = json_lines({listener(), unix_socket()}, &owners);
  const auto newline = text.find('\n');
  const auto tcp = nlohmann::json::parse(text.substr(0, newline));
  EXPECT_EQ(tcp["protocol"], "tcp");
  EXPECT_EQ(tcp["state"], "LISTEN");
  EXPECT_EQ(tcp["saddr"], "127.0.0.1");
  EXPECT_EQ(tcp["sport"], 8080);
  EXPECT_EQ(tcp["send_q"], 128);
  EXPECT_EQ(tcp["processes"][0]["comm"], "nginx");
  const auto unix_row = nlohmann::json::parse(text.substr(newline + 1));
  EXPECT_EQ(unix_row["path"], "/run/app.sock");
  EXPECT_TRUE(unix_row["processes"].empty());
}

// ss -r's ends: names from /etc/hosts and /etc/services.
TEST(SocketTable, ResolvedEndpoints) {
  NameResolver names;
  const IpAddress loopback{.family = AddressFamily::IPv4, .bytes = {127, 0, 0, 1}};
  EXPECT_EQ(resolved_endpoint(names, Protocol::Tcp, loopback, 22), "localhost:ssh");
  EXPECT_EQ(resolved_endpoint(names, Protocol::Tcp, loopback, 0), "localhost:*");
  EXPECT_EQ(resolved_endpoint(names, Protocol::Tcp, loopback, 22, false), "localhost:22");
}

TEST(SocketTable, MemoryAsSsShowsIt) {
  SocketRow row;
  row.memory = SocketRow::Memory{0, 131072, 0, 16384, 1, 2, 3, 4, 5};
  EXPECT_EQ(ss_memory(*row.memory), "skmem:(r0,rb131072,t0,tb16384,f1,w2,o3,bl4,d5)");
  const auto text = table_text({row}, {.memory = true});
  EXPECT_NE(text.find(" skmem:(r0,rb131072,t0,tb16384,f1,w2,o3,bl4,d5)\n"), std::string::npos)
      << text; // at the end of the socket's line
  const auto json = nlohmann::json::parse(json_lines({row}, nullptr));
  EXPECT_EQ(json["skmem"]["rcvbuf"], 131072);
  EXPECT_EQ(json["skmem"]["drops"], 5);
  EXPECT_FALSE(nlohmann::json::parse(json_lines({SocketRow{}}, nullptr)).contains("skmem"));
}

// As ss prints a timer's time to expiry.
TEST(SocketTable, SsDurations) {
  EXPECT_EQ(ss_duration(7'140'000), "119min");
  EXPECT_EQ(ss_duration(59'000), "59sec");
  EXPECT_EQ(ss_duration(59'999), "59sec");
  EXPECT_EQ(ss_duration(61'000), "1min1sec");
  EXPECT_EQ(ss_duration(601'000), "10min");
  EXPECT_EQ(ss_duration(1'234), "1.234ms");
  EXPECT_EQ(ss_duration(200), "200ms");
  EXPECT_EQ(ss_duration(5), "005ms");
}

TEST(SocketTable, TimersAsSsShowsThem) {
  SocketRow row;
  EXPECT_EQ(ss_timer(row), "");
  row.timer = 2;
  row.timer_ms = 7'140'000;
  EXPECT_EQ(ss_timer(row), "timer:(keepalive,119min,0)");
  row.timer = 1;
  row.timer_ms = 204;
  row.retransmits = 3;
  EXPECT_EQ(ss_timer(row), "timer:(on,204ms,3)");
  row.timer = 4;
  EXPECT_EQ(ss_timer(row), "timer:(persist,204ms,3)");
  row.timer = 9;
  EXPECT_EQ(ss_timer(row), "timer:(unknown,204ms,3)");
  const auto json = nlohmann::json::parse(json_lines({row}, nullptr));
  EXPECT_EQ(json["timer"]["name"], "unknown");
  EXPECT_EQ(json["timer"]["expires_ms"], 204);
  EXPECT_EQ(json["timer"]["retransmits"], 3);
  EXPECT_TRUE(nlohmann::json::parse(json_lines({SocketRow{}}, nullptr))["timer"].is_null());
}

} // namespace
} // namespace tcpsight
