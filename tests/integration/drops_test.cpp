// Segments the kernel drops, traced with its reason and counted on the
// connection they belong to: real firewalls, real accept queues.
#include "tcpsight/kernel/tracer.hpp"
#include "tcpsight/pipeline/explain.hpp"

#include "firewalled_peer.hpp"
#include "forked.hpp"
#include "network_namespace.hpp"
#include "privileges.hpp"
#include "traced_run.hpp"

#include <gtest/gtest.h>

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <fmt/format.h>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <vector>

namespace tcpsight {
namespace {

using enum TcpState;

std::vector<Event> drops_of_port(const test::TracedRun& run, std::uint16_t port) {
  std::vector<Event> drops;
  for (const auto& e : run.shown())
    if (e.type == EventType::Drop && (e.id.local_port == port || e.id.remote_port == port))
      drops.push_back(e);
  return drops;
}

// The closing events of connect()s to port.
std::vector<Event> client_closes(const test::TracedRun& run, std::uint16_t port) {
  std::vector<Event> closes;
  for (const auto& e : run.shown())
    if (e.closes_socket && e.id.remote_port == port)
      closes.push_back(e);
  return closes;
}

std::size_t syns_sent_again(const test::TracedRun& run, std::uint64_t sock_id) {
  const auto socket = run.socket(sock_id);
  return static_cast<std::size_t>(std::count_if(socket.begin(), socket.end(), [](const Event& e) {
    return e.type == EventType::SynRetransmit;
  }));
}

void set_syn_retries_here(int retries) {
  std::ofstream("/proc/sys/net/ipv4/tcp_syn_retries") << retries << '\n';
}

// A connect() from the client's namespace, with one SYN retry, that times
// out against the firewall; true if it did.
bool connect_times_out(const test::FirewalledPeer& peer, std::uint16_t port) {
  test::Forked client("ts-dropped", [&] {
    peer.client().enter();
    set_syn_retries_here(1);
    if (!test::connect_from(peer.client(), peer.server_address(), port, ETIMEDOUT))
      throw std::runtime_error("connect did not time out");
  });
  return client.succeeded();
}

TEST(Drops, SynsAFirewallDropsAreNetfilterDropsOfTheClientsConnection) {
  TCPSIGHT_REQUIRE_TRACING();
  test::FirewalledPeer peer(test::kSyns);
  test::TracedRun run;
  constexpr std::uint16_t kPort = 8090;
  ASSERT_TRUE(connect_times_out(peer, kPort));
  run.poll_until([&] { return !client_closes(run, kPort).empty(); });

  const auto closes = client_closes(run, kPort);
  ASSERT_EQ(closes.size(), 1u);
  const auto& close = closes[0];
  EXPECT_EQ(close.reason, Reason::TimedOut);
  // Every SYN, the first and each sent again, dropped on its way in to the
  // server: in the server's namespace, the client's connection seen from there.
  const auto drops = drops_of_port(run, kPort);
  EXPECT_EQ(drops.size(), 1 + syns_sent_again(run, close.id.sock_id));
  for (const auto& drop : drops) {
    ASSERT_TRUE(drop.drop);
    EXPECT_EQ(drop.drop->reason, "NETFILTER_DROP");
    EXPECT_FALSE(drop.drop->outgoing);
    EXPECT_FALSE(drop.drop->listen_overflow);
    EXPECT_EQ(drop.id.netns, peer.server().inode());
    EXPECT_EQ(to_string(drop.id.local), peer.server_address());
    EXPECT_EQ(drop.id.local_port, kPort);
    EXPECT_EQ(to_string(drop.id.remote), peer.client_address());
    EXPECT_EQ(drop.id.remote_port, close.id.local_port);
    EXPECT_EQ(drop.id.sock_id, 0u) << "no socket took it";
  }
  // The client's close counts them and says so.
  EXPECT_EQ(close.drops, (ConnectionDrops{.count = static_cast<std::uint32_t>(drops.size()),
                                          .last_reason = "NETFILTER_DROP"}));
  EXPECT_NE(explain(close).find("dropped on this host"), std::string_view::npos) << explain(close);
  const auto records = run.connections();
  const auto record = std::find_if(records.begin(), records.end(),
                                   [&](const auto& r) { return r.id.sock_id == close.id.sock_id; });
  ASSERT_NE(record, records.end());
  EXPECT_EQ(record->drops, close.drops);
}

// --dport 8093: the client's events match; the server's view of its dropped
// SYNs does not (8093 is its local port). The kernel lets those drops
// through, user space counts them on the client's connection and does not
// show them.
TEST(Drops, DropsTheFiltersHideStillCountOnTheirConnection) {
  TCPSIGHT_REQUIRE_TRACING();
  test::FirewalledPeer peer(test::kSyns);
  constexpr std::uint16_t kPort = 8093;
  Filter to_port;
  to_port.remote_ports = {kPort};
  test::TracedRun run({.filter = to_port});
  ASSERT_TRUE(connect_times_out(peer, kPort));
  run.poll_until([&] { return !client_closes(run, kPort).empty(); });

  EXPECT_TRUE(drops_of_port(run, kPort).empty()) << "shown, though --dport does not match";
  const auto closes = client_closes(run, kPort);
  ASSERT_EQ(closes.size(), 1u);
  ASSERT_TRUE(closes[0].drops);
  EXPECT_EQ(closes[0].drops->count, 1 + syns_sent_again(run, closes[0].id.sock_id));
  EXPECT_EQ(closes[0].drops->last_reason, "NETFILTER_DROP");
}

// What the kernel counts (TcpExt ListenOverflows) in this namespace.
std::uint64_t listen_overflows_here() {
  std::ifstream in("/proc/net/netstat");
  std::string names;
  std::string values;
  while (std::getline(in, names) && std::getline(in, values)) {
    if (!names.starts_with("TcpExt:"))
      continue;
    std::istringstream name_words(names);
    std::istringstream value_words(values);
    std::string name;
    std::string value;
    while (name_words >> name && value_words >> value)
      if (name == "ListenOverflows")
        return std::stoull(value);
  }
  throw std::runtime_error("no TcpExt ListenOverflows in /proc/net/netstat");
}

// A listener with backlog 1 that never accepts: two connections fill its
// queue, the SYNs of the others are dropped, which the kernel does without a
// reason. tcpsight sees each SYN sent again to the full queue.
TEST(Drops, AFullAcceptQueueDropsTheSynsSentAgainToIt) {
  TCPSIGHT_REQUIRE_TRACING();
  test::NetworkNamespace ns(fmt::format("tsq{}", getpid()));
  test::TracedRun run;
  constexpr std::uint16_t kPort = 8091;
  constexpr int kClients = 10;
  constexpr int kQueued = 2; // a backlog of 1 holds 2
  test::Pipe kernel_count;
  test::Forked program("ts-overflow", [&] {
    ns.enter();
    set_syn_retries_here(1);
    const int listener = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in address{.sin_family = AF_INET, .sin_port = htons(kPort)};
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (bind(listener, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0 ||
        listen(listener, 1) != 0)
      throw std::runtime_error("listen failed");
    std::vector<pollfd> clients;
    for (int i = 0; i < kClients; ++i) {
      const int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
      connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address);
      clients.push_back({.fd = fd, .events = POLLOUT});
    }
    int connected = 0;
    int timed_out = 0;
    for (auto& client : clients) {
      if (poll(&client, 1, 30'000) != 1)
        throw std::runtime_error("connect neither completed nor failed");
      int error = 0;
      socklen_t length = sizeof error;
      getsockopt(client.fd, SOL_SOCKET, SO_ERROR, &error, &length);
      connected += error == 0;
      timed_out += error == ETIMEDOUT;
    }
    if (connected != kQueued || timed_out != kClients - kQueued)
      throw std::runtime_error(fmt::format("{} connected, {} timed out", connected, timed_out));
    kernel_count.send(listen_overflows_here());
  });
  const auto kernel_overflows = kernel_count.receive<std::uint64_t>();
  ASSERT_TRUE(program.succeeded());
  run.poll_until([&] {
    const auto closes = client_closes(run, kPort);
    return std::count_if(closes.begin(), closes.end(), [](const Event& e) {
             return e.reason == Reason::TimedOut;
           }) == kClients - kQueued;
  });

  // Other drops may come as the program's sockets go at its exit: those of
  // the full queue are the ones tcpsight saw for itself.
  std::vector<Event> overflows;
  for (const auto& drop : drops_of_port(run, kPort))
    if (drop.drop && drop.drop->listen_overflow)
      overflows.push_back(drop);
  for (const auto& drop : overflows) {
    EXPECT_EQ(drop.drop->reason, "TCP_LISTEN_OVERFLOW");
    EXPECT_TRUE(drop.drop->outgoing) << "the client's SYN";
    EXPECT_EQ(drop.drop->accept_queue, (AcceptQueue{.length = kQueued, .backlog = 1}));
    EXPECT_EQ(drop.id.netns, ns.inode());
    EXPECT_EQ(drop.id.remote_port, kPort);
    ASSERT_TRUE(drop.owner);
    EXPECT_EQ(drop.owner->pid, static_cast<std::uint32_t>(program.pid()));
  }
  std::uint64_t counted = 0;
  for (const auto& close : client_closes(run, kPort)) {
    if (close.reason != Reason::TimedOut)
      continue;
    const auto again = syns_sent_again(run, close.id.sock_id);
    EXPECT_GE(again, 1u);
    ASSERT_TRUE(close.drops);
    EXPECT_EQ(close.drops->count, again) << "each SYN sent again met the full queue";
    EXPECT_EQ(close.drops->last_reason, "TCP_LISTEN_OVERFLOW");
    EXPECT_EQ(std::count_if(overflows.begin(), overflows.end(),
                            [&](const Event& d) { return d.id.sock_id == close.id.sock_id; }),
              static_cast<std::ptrdiff_t>(again));
    counted += close.drops->count;
  }
  EXPECT_EQ(counted, overflows.size());
  // The kernel counted every SYN it dropped: the first of each client too,
  // which went out before any sign of trouble.
  EXPECT_EQ(kernel_overflows, counted + (kClients - kQueued));
}

} // namespace
} // namespace tcpsight
