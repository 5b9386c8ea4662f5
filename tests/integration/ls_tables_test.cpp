// Whole socket tables: `tcpsight ls` against ss for UDP, raw and unix
// sockets, and listings of other network namespaces.
#include "child_process.hpp"
#include "loopback.hpp"
#include "network_namespace.hpp"
#include "privileges.hpp"
#include "tcpsight/kernel/sock_diag.hpp"
#include "tcpsight/kernel/socket_iterators.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <fmt/format.h>
#include <set>
#include <sstream>
#include <thread>

namespace tcpsight {
namespace {

using nlohmann::json;
using test::ChildProcess;
using Fd = test::Fd;
// How a row of either tool compares: kind, state, local end, remote end.
using Tuple = std::tuple<std::string, std::string, std::string, std::string>;
using Table = std::multiset<Tuple>;

std::string run(const std::vector<std::string>& argv) {
  ChildProcess child(argv);
  EXPECT_EQ(child.wait(), 0) << argv[0] << ": " << child.stderr_text();
  return child.stdout_text();
}

std::string normal_state(const std::string& state) {
  return state == "ESTAB" ? "ESTABLISHED" : state;
}

// "host port", with every spelling of the unspecified address as "*".
std::string normal_endpoint(const std::string& host, const std::string& port) {
  auto bare = host;
  if (bare.size() > 1 && bare.front() == '[')
    bare = bare.substr(1, bare.size() - 2);
  if (const auto percent = bare.find('%'); percent != std::string::npos)
    bare = bare.substr(0, percent); // ss: "[::]%lo"
  if (bare == "0.0.0.0" || bare == "::")
    bare = "*";
  return bare + " " + (port == "*" ? "0" : port);
}

std::string normal_endpoint(const std::string& endpoint) {
  const auto colon = endpoint.rfind(':');
  return normal_endpoint(endpoint.substr(0, colon), endpoint.substr(colon + 1));
}

// tcpsight ls --json, as tuples.
Table tcpsight_table(const std::string& text) {
  Table table;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) {
    const auto row = json::parse(line);
    if (row["protocol"] == "unix") {
      static const std::map<int, std::string> kTypes{
          {SOCK_STREAM, "u_str"}, {SOCK_DGRAM, "u_dgr"}, {SOCK_SEQPACKET, "u_seq"}};
      const auto path = row["path"].get<std::string>();
      table.emplace(
          kTypes.at(row["unix_type"].get<int>()), row["state"].get<std::string>(),
          fmt::format("{} {}", path.empty() ? "*" : path, row["inode"].get<std::uint64_t>()),
          fmt::format("* {}", row["peer_inode"].get<std::uint64_t>()));
      continue;
    }
    table.emplace(
        row["protocol"].get<std::string>(), row["state"].get<std::string>(),
        normal_endpoint(row["saddr"].get<std::string>(), std::to_string(row["sport"].get<int>())),
        normal_endpoint(row["daddr"].get<std::string>(), std::to_string(row["dport"].get<int>())));
  }
  return table;
}

// ss -[uw]anH: State Recv-Q Send-Q Local Peer. The kind is the protocol asked for.
Table ss_inet_table(const std::string& text, const std::string& kind) {
  Table table;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) {
    std::istringstream fields(line);
    std::string state, recv_q, send_q, local, peer;
    if (fields >> state >> recv_q >> send_q >> local >> peer)
      table.emplace(kind, normal_state(state), normal_endpoint(local), normal_endpoint(peer));
  }
  return table;
}

// ss -xanH: Netid State Recv-Q Send-Q Path Inode Peer PeerInode.
Table ss_unix_table(const std::string& text) {
  Table table;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) {
    std::istringstream fields(line);
    std::string netid, state, recv_q, send_q, path, inode, peer, peer_inode;
    if (!(fields >> netid >> state >> recv_q >> send_q >> path >> inode >> peer >> peer_inode))
      continue;
    const auto shown_state = state == "LISTEN" ? "LISTEN" : normal_state(state);
    table.emplace(netid, shown_state, path + " " + inode, "* " + peer_inode);
  }
  return table;
}

// Both listings of the whole table agree. Sockets of other processes may
// come and go between the two runs: a comparison counts only when ss gives
// the same table before and after tcpsight.
template <typename ListSs> void expect_same_table(const std::vector<std::string>& ours, ListSs ss) {
  Table before, mine, after;
  for (int attempt = 0; attempt < 20; ++attempt) {
    before = ss();
    mine = tcpsight_table(run(ours));
    after = ss();
    if (before == after)
      break;
  }
  ASSERT_EQ(before, after) << "the table kept changing under the test";
  EXPECT_EQ(mine, before);
}

std::uint64_t inode_of(const Fd& socket) {
  struct stat status {};
  fstat(socket.get(), &status);
  return status.st_ino;
}

TEST(LsTables, UdpTableEqualsSs) {
  Fd udp4(socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0));
  sockaddr_in address{.sin_family = AF_INET, .sin_port = 0, .sin_addr = {htonl(INADDR_LOOPBACK)}};
  ASSERT_EQ(bind(udp4.get(), reinterpret_cast<sockaddr*>(&address), sizeof address), 0);
  Fd connected(socket(AF_INET6, SOCK_DGRAM | SOCK_CLOEXEC, 0));
  sockaddr_in6 peer{.sin6_family = AF_INET6, .sin6_port = htons(9), .sin6_addr = in6addr_loopback};
  ASSERT_EQ(connect(connected.get(), reinterpret_cast<sockaddr*>(&peer), sizeof peer), 0);
  expect_same_table({TCPSIGHT_BINARY, "ls", "-uan", "--json"}, [] {
    return ss_inet_table(run({"/usr/bin/ss", "-uanH"}), "udp");
  });
  const auto mine = tcpsight_table(run({TCPSIGHT_BINARY, "ls", "-uan", "--json"}));
  EXPECT_EQ(std::count_if(mine.begin(), mine.end(),
                          [](const Tuple& row) { return std::get<1>(row) == "ESTABLISHED"; }),
            1)
      << "the connected UDP socket";
}

TEST(LsTables, RawTableEqualsSs) {
  TCPSIGHT_REQUIRE_TRACING(); // raw sockets need root
  // Unassigned IP protocols: no traffic reaches them.
  Fd raw4(socket(AF_INET, SOCK_RAW | SOCK_CLOEXEC, 253));
  Fd raw6(socket(AF_INET6, SOCK_RAW | SOCK_CLOEXEC, 254));
  ASSERT_GE(raw4.get(), 0);
  ASSERT_GE(raw6.get(), 0);
  expect_same_table({TCPSIGHT_BINARY, "ls", "-wan", "--json"}, [] {
    return ss_inet_table(run({"/usr/bin/ss", "-wanH"}), "raw");
  });
  const auto mine = tcpsight_table(run({TCPSIGHT_BINARY, "ls", "-wan", "--json"}));
  EXPECT_EQ(mine.count({"raw", "UNCONN", "* 253", "* 0"}), 1u);
  EXPECT_EQ(mine.count({"raw", "UNCONN", "* 254", "* 0"}), 1u);
}

TEST(LsTables, UnixTableEqualsSsWithPeers) {
  int pair[2];
  ASSERT_EQ(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, pair), 0);
  Fd left(pair[0]), right(pair[1]);
  Fd datagram(socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0));
  sockaddr_un name{.sun_family = AF_UNIX};
  const auto abstract = fmt::format("tcpsight-tables-{}", getpid());
  std::copy(abstract.begin(), abstract.end(), name.sun_path + 1);
  ASSERT_EQ(bind(datagram.get(), reinterpret_cast<sockaddr*>(&name),
                 static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) + 1 + abstract.size())),
            0);
  expect_same_table({TCPSIGHT_BINARY, "ls", "-xan", "--json"}, [] {
    return ss_unix_table(run({"/usr/bin/ss", "-xanH"}));
  });
  // The pair names each other.
  const auto mine = tcpsight_table(run({TCPSIGHT_BINARY, "ls", "-xan", "--json"}));
  EXPECT_EQ(mine.count({"u_str", "ESTABLISHED", fmt::format("* {}", inode_of(left)),
                        fmt::format("* {}", inode_of(right))}),
            1u);
  EXPECT_EQ(
      mine.count({"u_dgr", "UNCONN", fmt::format("@{} {}", abstract, inode_of(datagram)), "* 0"}),
      1u);
}

// What the sources are compared on, for the sockets on the given ports.
using SourceRow =
    std::tuple<std::string, std::string, std::string, std::string, std::uint64_t, std::uint32_t,
               std::uint64_t, std::uint64_t, std::uint32_t, std::uint32_t>;

// The rows whose (protocol, local port, remote port) is listed: the test's
// own sockets, never an old one that shares a port number.
using Ends = std::set<std::tuple<std::string, int, int>>;

std::set<SourceRow> rows_from(const std::string& source, const Ends& ends) {
  std::set<SourceRow> rows;
  std::istringstream in(run({TCPSIGHT_BINARY, "ls", "-tuan", "--json", "--source", source}));
  for (std::string line; std::getline(in, line);) {
    const auto row = json::parse(line);
    if (!ends.count({row["protocol"], row["sport"], row["dport"]}))
      continue;
    rows.emplace(row["protocol"], row["state"],
                 fmt::format("{} {}", row["saddr"].get<std::string>(), row["sport"].get<int>()),
                 fmt::format("{} {}", row["daddr"].get<std::string>(), row["dport"].get<int>()),
                 row["inode"], row["uid"], row["cookie"], row["cgroup_id"], row["recv_q"],
                 row["send_q"]);
  }
  return rows;
}

// The BPF iterators and /proc/net list what sock_diag lists.
TEST(LsTables, SourcesAgree) {
  TCPSIGHT_REQUIRE_TRACING(); // BPF iterators need root
  test::KnownSockets sockets;
  const auto closed = test::run_client_closes_first(AddressFamily::IPv6); // leaves a TIME_WAIT
  // ... once the server's FIN reaches the client's timewait socket: wait, so
  // that no source sees it earlier in FIN_WAIT2.
  const auto in_time_wait = [&] {
    for (const auto& row : inet_diag_dump(Protocol::Tcp, AddressFamily::IPv6))
      if (row.id.local_port == closed.client)
        return row.state == TcpState::TimeWait;
    return false;
  };
  for (int tries = 0; tries < 100 && !in_time_wait(); ++tries)
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  ASSERT_TRUE(in_time_wait());
  Fd udp(socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0));
  sockaddr_in address{.sin_family = AF_INET, .sin_port = 0, .sin_addr = {htonl(INADDR_LOOPBACK)}};
  ASSERT_EQ(bind(udp.get(), reinterpret_cast<sockaddr*>(&address), sizeof address), 0);
  const int client = test::local_port(sockets.client);
  const Ends ends{{"tcp", sockets.port4, 0},
                  {"tcp", sockets.port6, 0},
                  {"tcp", client, sockets.port4},
                  {"tcp", sockets.port4, client},
                  {"tcp", closed.client, closed.server},
                  {"udp", test::local_port(udp), 0}};

  const auto netlink = rows_from("netlink", ends);
  EXPECT_EQ(netlink.size(), 6u); // 2 listeners, 2 ends, TIME_WAIT, UDP
  EXPECT_EQ(rows_from("bpf", ends), netlink);
  // /proc/net has no cookies or cgroups, and shows a listener's send queue as 0.
  const auto without_extras = [](std::set<SourceRow> rows) {
    std::set<SourceRow> out;
    for (auto row : rows) {
      std::get<6>(row) = std::get<7>(row) = 0;
      if (std::get<1>(row) == "LISTEN")
        std::get<9>(row) = 0;
      out.insert(row);
    }
    return out;
  };
  EXPECT_EQ(without_extras(rows_from("proc", ends)), without_extras(netlink));
}

// netstat -o's timers from the iterator: the TIME_WAIT one, as sock_diag gives it.
TEST(LsTables, IteratorTimers) {
  TCPSIGHT_REQUIRE_TRACING();
  const auto closed = test::run_client_closes_first(AddressFamily::IPv4);
  // By both ports: an older TIME_WAIT socket can hold the same local port.
  const auto time_wait = [&](const std::vector<SocketRow>& rows) -> std::optional<SocketRow> {
    for (const auto& row : rows)
      if (row.id.local_port == closed.client && row.id.remote_port == closed.server &&
          row.state == TcpState::TimeWait)
        return row;
    return std::nullopt;
  };
  // The client's timewait socket reaches TIME_WAIT when the server's FIN does.
  std::optional<SocketRow> from_sock_diag;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (!from_sock_diag && std::chrono::steady_clock::now() < deadline) {
    from_sock_diag = time_wait(inet_diag_dump(Protocol::Tcp, AddressFamily::IPv4));
    if (!from_sock_diag)
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  ASSERT_TRUE(from_sock_diag) << "no TIME_WAIT socket on port " << closed.client;
  // The iterator's timer, then sock_diag's again: that one has run down by
  // at most the time between the two reads (loading the iterator is slow
  // under emulation), give or take a jiffy of rounding each.
  const auto before_iterator = std::chrono::steady_clock::now();
  std::vector<SocketRow> iterated;
  iterate_inet_sockets(Protocol::Tcp, AddressFamily::IPv4,
                       [&](const SocketRow& row) { iterated.push_back(row); });
  const auto from_iterator = time_wait(iterated);
  from_sock_diag = time_wait(inet_diag_dump(Protocol::Tcp, AddressFamily::IPv4));
  const auto gap = std::chrono::duration_cast<std::chrono::milliseconds>(
                       std::chrono::steady_clock::now() - before_iterator)
                       .count();
  ASSERT_TRUE(from_iterator);
  ASSERT_TRUE(from_sock_diag);
  EXPECT_EQ(from_iterator->timer, 3);
  EXPECT_EQ(from_sock_diag->timer, 3);
  EXPECT_GT(from_iterator->timer_ms, 50'000u); // TIME_WAIT lasts 60 s
  const std::int64_t rounding_ms = 20;         // a jiffy is 10 ms at HZ=100
  const auto iterator_ms = static_cast<std::int64_t>(from_iterator->timer_ms);
  const auto sock_diag_ms = static_cast<std::int64_t>(from_sock_diag->timer_ms);
  EXPECT_GE(iterator_ms + rounding_ms, sock_diag_ms);
  EXPECT_LE(iterator_ms, sock_diag_ms + gap + rounding_ms);
}

TEST(LsTables, ContinuousUntilInterrupted) {
  ChildProcess ls({TCPSIGHT_BINARY, "ls", "-tc"});
  const auto twice = [](const std::string& out) { return out.find("Netid") != out.rfind("Netid"); };
  EXPECT_TRUE(ls.wait_for_stdout(twice, std::chrono::seconds(5))) << ls.stdout_text();
  ls.send_signal(SIGINT);
  EXPECT_EQ(ls.wait(), 0);
}

// A listener made inside a namespace, from a thread that entered it.
Fd listen_in(const test::NetworkNamespace& ns) {
  Fd listener;
  std::thread([&] {
    ns.enter();
    listener = test::listen_on_loopback(AddressFamily::IPv4);
  }).join();
  return listener;
}

TEST(LsTables, OtherNetworkNamespaces) {
  TCPSIGHT_REQUIRE_TRACING(); // entering a namespace needs root
  const test::NetworkNamespace ns("tcpsight-ls");
  const auto inside = listen_in(ns);
  const auto inside_port = test::local_port(inside);
  const auto outside = test::listen_on_loopback(AddressFamily::IPv4);
  const auto outside_port = test::local_port(outside);

  const auto listeners = [&](const std::vector<std::string>& argv) {
    std::map<int, std::uint32_t> netns_by_port; // of the two test listeners
    std::istringstream in(run(argv));
    for (std::string line; std::getline(in, line);) {
      const auto row = json::parse(line);
      const int port = row["sport"];
      if (port == inside_port || port == outside_port)
        netns_by_port[port] = row["netns"];
    }
    return netns_by_port;
  };
  struct stat own {};
  ASSERT_EQ(stat("/proc/self/ns/net", &own), 0);
  const auto own_netns = static_cast<std::uint32_t>(own.st_ino);

  EXPECT_EQ(listeners({TCPSIGHT_BINARY, "ls", "-tl", "--json", "-N", ns.name()}),
            (std::map<int, std::uint32_t>{{inside_port, ns.inode()}}));
  EXPECT_EQ(listeners({TCPSIGHT_BINARY, "ls", "-tl", "--json", "-N", "/run/netns/" + ns.name()}),
            (std::map<int, std::uint32_t>{{inside_port, ns.inode()}}));
  EXPECT_EQ(listeners({TCPSIGHT_BINARY, "ls", "-tl", "--json"}),
            (std::map<int, std::uint32_t>{{outside_port, own_netns}}));
  EXPECT_EQ(listeners({TCPSIGHT_BINARY, "ls", "-tl", "--json", "-N", "all"}),
            (std::map<int, std::uint32_t>{{inside_port, ns.inode()}, {outside_port, own_netns}}));

  // The table gains a Netns column when it lists more than one namespace.
  const auto table = run({TCPSIGHT_BINARY, "ls", "-tl", "-N", "all"});
  EXPECT_EQ(table.rfind("Netns ", 0), 0u) << table;
  EXPECT_NE(table.find(fmt::format("{} tcp    LISTEN", ns.inode())), std::string::npos) << table;

  ChildProcess missing({TCPSIGHT_BINARY, "ls", "-N", "tcpsight-no-such-namespace"});
  EXPECT_EQ(missing.wait(), 1);
  EXPECT_NE(missing.stderr_text().find("no network namespace tcpsight-no-such-namespace"),
            std::string::npos)
      << missing.stderr_text();
}

} // namespace
} // namespace tcpsight
