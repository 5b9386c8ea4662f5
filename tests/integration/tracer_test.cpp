// Loads the real BPF programs, makes real connections on loopback and
// between network namespaces, and checks exactly what was traced.
#include "tcpsight/kernel/tracer.hpp"

#include "firewalled_peer.hpp"
#include "forked.hpp"
#include "loopback.hpp"
#include "network_namespace.hpp"
#include "privileges.hpp"
#include "traced_run.hpp"

#include <gtest/gtest.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fmt/format.h>
#include <fstream>

namespace tcpsight {

// Names the parameter of the family tests in their names and messages.
void PrintTo(AddressFamily family, std::ostream* out) { *out << family_name(family); }

namespace {

using namespace std::chrono_literals;
using enum TcpState;
using test::States;
using test::TracedRun;

// The client of run_client_closes_first(). Its FIN_WAIT2 ends one of two
// ways, depending on whether the server's FIN came with the ACK of the
// client's: at once in TIME_WAIT, or handed to a timewait socket in
// FIN_WAIT2 (FIN_WAIT2 -> CLOSE) that enters TIME_WAIT on the server's FIN.
const States kActiveClose{{Close, SynSent},
                          {SynSent, Established},
                          {Established, FinWait1},
                          {FinWait1, FinWait2},
                          {FinWait2, TimeWait}};
const States kActiveCloseHandedOver{{Close, SynSent},        {SynSent, Established},
                                    {Established, FinWait1}, {FinWait1, FinWait2},
                                    {FinWait2, Close},       {FinWait2, TimeWait}};

void expect_active_close(const std::vector<Event>& socket) {
  const auto states = test::states_of(socket);
  EXPECT_TRUE(states == kActiveClose || states == kActiveCloseHandedOver)
      << ::testing::PrintToString(states);
  ASSERT_FALSE(socket.empty());
  EXPECT_EQ(socket.back().new_state, TimeWait);
  EXPECT_TRUE(socket.back().inferred);
  if (states == kActiveCloseHandedOver) {
    EXPECT_TRUE(socket[socket.size() - 2].handover);
  }
}
const States kPassiveClose{{Listen, SynRecv},
                           {SynRecv, Established},
                           {Established, CloseWait},
                           {CloseWait, LastAck},
                           {LastAck, Close}};

void expect_increasing_timestamps(const std::vector<Event>& socket) {
  for (std::size_t i = 1; i < socket.size(); ++i)
    EXPECT_GT(socket[i].ts_ns, socket[i - 1].ts_ns) << "event " << i;
}

void expect_owner(const std::vector<Event>& socket, pid_t pid, const std::string& comm) {
  ASSERT_FALSE(socket.empty());
  for (const auto& e : socket) {
    ASSERT_TRUE(e.owner) << tcp_state_name(e.old_state) << " -> " << tcp_state_name(e.new_state);
    EXPECT_EQ(e.owner->pid, static_cast<std::uint32_t>(pid))
        << tcp_state_name(e.old_state) << " -> " << tcp_state_name(e.new_state);
    EXPECT_EQ(e.owner->comm, comm);
  }
}

std::uint32_t own_netns() {
  struct stat status {};
  stat("/proc/self/ns/net", &status);
  return static_cast<std::uint32_t>(status.st_ino);
}

std::string own_comm() {
  std::ifstream in("/proc/self/comm");
  std::string comm;
  std::getline(in, comm);
  return comm;
}

const Event* find_event(const std::vector<Event>& events, EventType type) {
  const auto it =
      std::find_if(events.begin(), events.end(), [&](const Event& e) { return e.type == type; });
  return it == events.end() ? nullptr : &*it;
}

Event last_transition(const std::vector<Event>& socket) {
  const auto it = std::find_if(socket.rbegin(), socket.rend(),
                               [](const Event& e) { return e.type == EventType::Transition; });
  return it == socket.rend() ? Event{} : *it;
}

class TracerLoopback : public ::testing::TestWithParam<AddressFamily> {};

TEST_P(TracerLoopback, ActiveCloseEndsInTimeWaitAndPassiveCloseInLastAck) {
  TCPSIGHT_REQUIRE_TRACING();
  const AddressFamily family = GetParam();
  const IpAddress loopback = test::loopback_address(family);

  TracedRun run;
  const auto ports = test::run_client_closes_first(family);
  run.poll_until([&] {
    return run.socket_reached(ports.client, ports.server, {TimeWait}) &&
           run.socket_reached(ports.server, ports.client, {Close});
  });

  const auto client = run.socket_with_ports(ports.client, ports.server);
  const auto server = run.socket_with_ports(ports.server, ports.client);
  expect_active_close(client);
  EXPECT_EQ(test::states_of(server), kPassiveClose);

  // Every event carries the full 4-tuple, even CLOSE -> SYN_SENT, which the
  // kernel reports before connect() picks the local port.
  for (const auto* socket : {&client, &server})
    for (const auto& e : *socket) {
      EXPECT_EQ(e.family(), family);
      EXPECT_EQ(e.id.local, loopback);
      EXPECT_EQ(e.id.remote, loopback);
      EXPECT_EQ(e.id.netns, own_netns());
    }
  for (const auto& e : client) {
    EXPECT_EQ(e.id.local_port, ports.client);
    EXPECT_EQ(e.id.remote_port, ports.server);
  }
  for (const auto& e : server) {
    EXPECT_EQ(e.id.local_port, ports.server);
    EXPECT_EQ(e.id.remote_port, ports.client);
  }

  ASSERT_GE(client.size(), 5u);
  ASSERT_EQ(server.size(), 5u);
  EXPECT_TRUE(client[1].handshake_ns) << "connect latency on SYN_SENT -> ESTABLISHED";
  EXPECT_TRUE(server[1].handshake_ns) << "server handshake on SYN_RECV -> ESTABLISHED";
  EXPECT_EQ(client.back().reason, Reason::None);
  EXPECT_EQ(server[4].reason, Reason::None);
  EXPECT_FALSE(server[4].inferred);
  EXPECT_NE(client[0].id.sock_id, server[0].id.sock_id);

  // The end of each full socket (the client's hand-over to TIME_WAIT, the
  // server's LAST_ACK -> CLOSE) carries what it sent and received: the
  // client's 6 bytes ("hello" and its NUL), SYNs and FINs not counted.
  // Each also has its round trips, the handshake's at least: kept apart.
  const auto totals_at_end = [](const std::vector<Event>& socket) {
    std::vector<std::pair<std::size_t, ConnectionTotals>> found;
    for (std::size_t i = 0; i < socket.size(); ++i)
      if (socket[i].totals) {
        auto totals = *socket[i].totals;
        EXPECT_GT(totals.srtt_us, 0u);
        EXPECT_GT(totals.min_rtt_us, 0u);
        EXPECT_LT(totals.srtt_us, 1'000'000u) << "over loopback";
        totals.srtt_us = totals.min_rtt_us = 0;
        found.emplace_back(i, totals);
      }
    return found;
  };
  const auto client_totals = totals_at_end(client);
  ASSERT_EQ(client_totals.size(), 1u);
  EXPECT_EQ(client[client_totals[0].first].old_state, FinWait2);
  EXPECT_EQ(client_totals[0].second, (ConnectionTotals{.tx_bytes = 6, .rx_bytes = 0}));
  const auto server_totals = totals_at_end(server);
  ASSERT_EQ(server_totals.size(), 1u);
  EXPECT_EQ(server[server_totals[0].first].new_state, Close);
  EXPECT_EQ(server_totals[0].second, (ConnectionTotals{.tx_bytes = 0, .rx_bytes = 6}));

  expect_increasing_timestamps(client);
  expect_increasing_timestamps(server);
  for (const auto* socket : {&client, &server})
    for (std::size_t i = 1; i < socket->size(); ++i)
      EXPECT_TRUE((*socket)[i].ns_in_old.has_value()) << "transition " << i;

  const auto stats = run.tracer().stats();
  EXPECT_EQ(stats.lost, 0u);
  EXPECT_EQ(stats.malformed, 0u);
}

INSTANTIATE_TEST_SUITE_P(Families, TracerLoopback,
                         ::testing::Values(AddressFamily::IPv4, AddressFamily::IPv6),
                         [](const auto& info) { return std::string(family_name(info.param)); });

// The server side of an IPv4 connection to a dual-stack listener is an IPv6
// socket with IPv4-mapped addresses, born through another path in the
// kernel (tcp_v6_syn_recv_sock handing over to the IPv4 one).
TEST(Tracer, IPv4ConnectionToADualStackListener) {
  TCPSIGHT_REQUIRE_TRACING();
  TracedRun run;
  auto listener = test::listen_dual_stack();
  const auto ports = test::run_client_closes_first(listener, AddressFamily::IPv4);
  run.poll_until([&] { return run.socket_reached(ports.server, ports.client, {Close}); });

  const auto server = run.socket_with_ports(ports.server, ports.client);
  EXPECT_EQ(test::states_of(server), kPassiveClose);
  const auto mapped = parse_ip_address("::ffff:127.0.0.1");
  for (const auto& e : server) {
    EXPECT_EQ(e.family(), AddressFamily::IPv6);
    EXPECT_EQ(e.id.local, mapped);
    EXPECT_EQ(e.id.remote, mapped);
    EXPECT_EQ(e.id.local_port, ports.server);
    EXPECT_EQ(e.id.remote_port, ports.client);
    EXPECT_EQ(e.id.sock_id, server.front().id.sock_id);
  }
  expect_increasing_timestamps(server);
}

TEST(Tracer, EachSocketNamesTheProcessThatOwnsIt) {
  TCPSIGHT_REQUIRE_TRACING();
  TracedRun run;
  test::Pipe port_pipe;
  test::Forked server("ts-server", [&] {
    auto listener = test::listen_on_loopback(AddressFamily::IPv4);
    port_pipe.send(test::local_port(listener));
    auto connection = test::accept_one(listener);
    test::read_to_eof(connection);
  });
  const auto server_port = port_pipe.receive<std::uint16_t>();
  test::Forked client("ts-client", [&] {
    auto connection = test::connect_to_loopback(AddressFamily::IPv4, server_port);
    test::send_all(connection, "ping", 4);
  });
  ASSERT_TRUE(client.succeeded());
  ASSERT_TRUE(server.succeeded());

  std::uint16_t client_port = 0;
  run.poll_until([&] {
    for (const auto& e : run.shown())
      if (e.id.remote_port == server_port && e.new_state == SynSent)
        client_port = e.id.local_port;
    return client_port != 0 && run.socket_reached(server_port, client_port, {Close});
  });

  // On loopback most of the server's transitions run in softirq while the
  // client process is on the CPU: the owner must still be the server.
  const auto server_socket = run.socket_with_ports(server_port, client_port);
  EXPECT_EQ(test::states_of(server_socket), kPassiveClose);
  expect_owner(server_socket, server.pid(), "ts-server");
  const auto client_socket = run.socket_with_ports(client_port, server_port);
  expect_active_close(client_socket);
  expect_owner(client_socket, client.pid(), "ts-client");
  expect_owner(run.socket_with_ports(server_port, 0), server.pid(), "ts-server");
}

TEST(Tracer, TheAcceptingProcessTakesOverWhereItFirstUsesTheSocket) {
  TCPSIGHT_REQUIRE_TRACING();
  TracedRun run;
  auto listener = test::listen_on_loopback(AddressFamily::IPv4);
  const auto server_port = test::local_port(listener);
  test::Pipe accepted;
  test::Forked acceptor("ts-acceptor", [&] {
    auto connection = test::accept_one(listener);
    accepted.send('y');
    test::read_to_eof(connection);
  });
  test::Forked client("ts-client", [&] {
    auto connection = test::connect_to_loopback(AddressFamily::IPv4, server_port);
    accepted.receive<char>(); // close only once the acceptor owns its end
    test::send_all(connection, "ping", 4);
  });
  ASSERT_TRUE(client.succeeded());
  ASSERT_TRUE(acceptor.succeeded());

  run.poll_until([&] {
    return std::count_if(run.shown().begin(), run.shown().end(), [&](const Event& e) {
             return e.id.local_port == server_port && e.old_state == LastAck;
           }) > 0;
  });
  std::vector<Event> server_socket;
  for (const auto& e : run.shown())
    if (e.id.local_port == server_port && e.new_state == SynRecv)
      server_socket = run.socket(e.id.sock_id);
  ASSERT_EQ(test::states_of(server_socket), kPassiveClose);
  // Until accept() the socket belongs to the listener's owner. The acceptor
  // takes over where it first works on the socket in a system call: no
  // tracepoint fires in accept() itself (only the syscall ones, which would
  // slow every system call on the machine). The peer's FIN, in between,
  // names either: the acceptor if it held the socket as the FIN came in.
  const std::vector<Event> before(server_socket.begin(), server_socket.begin() + 2);
  const std::vector<Event> after(server_socket.begin() + 3, server_socket.end());
  expect_owner(before, getpid(), own_comm());
  ASSERT_EQ(server_socket[2].new_state, CloseWait);
  ASSERT_TRUE(server_socket[2].owner);
  EXPECT_TRUE(server_socket[2].owner->pid == static_cast<std::uint32_t>(getpid()) ||
              server_socket[2].owner->pid == static_cast<std::uint32_t>(acceptor.pid()));
  expect_owner(after, acceptor.pid(), "ts-acceptor");
}

TEST(Tracer, ListenerOpensAndCloses) {
  TCPSIGHT_REQUIRE_TRACING();
  TracedRun run;
  auto listener = test::listen_on_loopback(AddressFamily::IPv4);
  const auto port = test::local_port(listener);
  listener.close();
  run.poll_until([&] { return run.socket_reached(port, 0, {Close}); });
  EXPECT_EQ(test::states_of(run.socket_with_ports(port, 0)),
            (States{{Close, Listen}, {Listen, Close}}));
  expect_owner(run.socket_with_ports(port, 0), getpid(), own_comm());
}

TEST_P(TracerLoopback, ConnectToAClosedPortIsRefused) {
  TCPSIGHT_REQUIRE_TRACING();
  const AddressFamily family = GetParam();
  TracedRun run;
  const auto closed_port = test::unused_port(family);
  // UDP to a closed port is dropped too (for NO_SOCKET), but gets no RST.
  test::send_datagram_to_loopback(family, closed_port);
  try {
    test::connect_to_loopback(family, closed_port);
    FAIL() << "connect to a closed port succeeded";
  } catch (const std::system_error& e) {
    EXPECT_EQ(e.code().value(), ECONNREFUSED);
  }
  // The RST came from the kernel, for a port with no socket.
  const auto is_reset_sent = [&](const Event& e) {
    return e.type == EventType::ResetSent && e.id.local_port == closed_port;
  };
  const auto reset_sent = [&]() -> const Event* {
    const auto it = std::find_if(run.shown().begin(), run.shown().end(), is_reset_sent);
    return it == run.shown().end() ? nullptr : &*it;
  };
  std::uint16_t client_port = 0;
  run.poll_until([&] {
    for (const auto& e : run.shown())
      if (e.id.remote_port == closed_port && e.type == EventType::Transition &&
          e.new_state == Close)
        client_port = e.id.local_port;
    return client_port != 0 && reset_sent();
  });

  const auto client = run.socket_with_ports(client_port, closed_port);
  EXPECT_EQ(test::states_of(client), (States{{Close, SynSent}, {SynSent, Close}}));
  EXPECT_EQ(last_transition(client).reason, Reason::Refused);
  EXPECT_EQ(last_transition(client).error, ECONNREFUSED);
  const Event* received = find_event(client, EventType::ResetReceived);
  ASSERT_NE(received, nullptr);
  EXPECT_EQ(received->reason, Reason::Refused);

  const Event* sent = reset_sent();
  ASSERT_NE(sent, nullptr);
  EXPECT_EQ(std::count_if(run.shown().begin(), run.shown().end(), is_reset_sent), 1);
  EXPECT_TRUE(sent->no_socket);
  EXPECT_EQ(sent->id.remote_port, client_port);
  EXPECT_EQ(sent->id.local, test::loopback_address(family));
  EXPECT_EQ(sent->id.remote, test::loopback_address(family));
  EXPECT_EQ(sent->id.netns, own_netns());
  EXPECT_EQ(sent->id.sock_id, 0u);
}

// A loopback connection that the client closes with SO_LINGER 0, traced
// until the server's end has closed.
test::ConnectionPorts reset_by_client(TracedRun& run) {
  auto listener = test::listen_on_loopback(AddressFamily::IPv4);
  test::ConnectionPorts ports{.server = test::local_port(listener)};
  auto client = test::connect_to_loopback(AddressFamily::IPv4, ports.server);
  ports.client = test::local_port(client);
  auto server = test::accept_one(listener);
  test::close_with_reset(client);
  run.poll_until([&] { return run.socket_reached(ports.server, ports.client, {Close}); });
  return ports;
}

TEST(Tracer, LingerZeroSendsAResetTheOtherSideReceives) {
  TCPSIGHT_REQUIRE_TRACING();
  TracedRun run;
  const auto [server_port, client_port] = reset_by_client(run);

  const auto client_socket = run.socket_with_ports(client_port, server_port);
  EXPECT_EQ(test::states_of(client_socket),
            (States{{Close, SynSent}, {SynSent, Established}, {Established, Close}}));
  ASSERT_NE(find_event(client_socket, EventType::ResetSent), nullptr);
  EXPECT_FALSE(find_event(client_socket, EventType::ResetSent)->no_socket);
  EXPECT_EQ(last_transition(client_socket).reason, Reason::ResetSent);
  EXPECT_TRUE(last_transition(client_socket).linger_zero);

  const auto server_socket = run.socket_with_ports(server_port, client_port);
  EXPECT_EQ(test::states_of(server_socket),
            (States{{Listen, SynRecv}, {SynRecv, Established}, {Established, Close}}));
  ASSERT_NE(find_event(server_socket, EventType::ResetReceived), nullptr);
  EXPECT_EQ(last_transition(server_socket).reason, Reason::ResetReceived);
  EXPECT_EQ(last_transition(server_socket).error, ECONNRESET);
}

TEST(Tracer, WithoutResetEventsTransitionsStillSayWhoReset) {
  TCPSIGHT_REQUIRE_TRACING();
  TracedRun run({.reset_events = false});
  const auto [server_port, client_port] = reset_by_client(run);

  for (const auto& e : run.raw())
    EXPECT_EQ(e.type, EventType::Transition);
  const auto client_socket = run.socket_with_ports(client_port, server_port);
  EXPECT_EQ(last_transition(client_socket).reason, Reason::ResetSent);
  const auto server_socket = run.socket_with_ports(server_port, client_port);
  EXPECT_TRUE(last_transition(server_socket).reset_received);
  EXPECT_EQ(last_transition(server_socket).reason, Reason::ResetReceived);
}

using test::connect_from;
using test::FirewalledPeer;
using test::kPureAcks;
using test::kSyns;

TEST(Tracer, ConnectIntoANamespaceThatDropsSynsRetransmitsAndTimesOut) {
  TCPSIGHT_REQUIRE_TRACING();
  FirewalledPeer peer(kSyns);
  TracedRun run;
  constexpr std::uint16_t kPort = 8080;
  test::Forked client("ts-timeout", [&] {
    peer.client().enter();
    // One retry: SYN, SYN again after 1 s, give up 2 s later.
    std::ofstream("/proc/sys/net/ipv4/tcp_syn_retries") << "1\n";
    if (!connect_from(peer.client(), peer.server_address(), kPort, ETIMEDOUT))
      throw std::runtime_error("connect did not time out");
  });
  ASSERT_TRUE(client.succeeded());
  run.poll_until([&] {
    return std::any_of(run.shown().begin(), run.shown().end(), [](const Event& e) {
      return e.id.remote_port == kPort && e.new_state == Close;
    });
  });

  std::vector<Event> socket;
  for (const auto& e : run.shown())
    if (e.id.remote_port == kPort && e.new_state == SynSent)
      socket = run.socket(e.id.sock_id);
  EXPECT_EQ(test::states_of(socket), (States{{Close, SynSent}, {SynSent, Close}}));
  EXPECT_GE(std::count_if(socket.begin(), socket.end(),
                          [](const Event& e) { return e.type == EventType::SynRetransmit; }),
            1);
  EXPECT_EQ(last_transition(socket).reason, Reason::TimedOut);
  EXPECT_EQ(last_transition(socket).error, ETIMEDOUT);
  EXPECT_NE(socket.front().id.local_port, 0); // filled from the retransmission
  expect_owner(socket, client.pid(), "ts-timeout");
  for (const auto& e : socket)
    EXPECT_EQ(e.id.netns, peer.client().inode());
}

TEST(Tracer, ListenerWhoseFinalAckIsLostRetransmitsItsSynAck) {
  TCPSIGHT_REQUIRE_TRACING();
  FirewalledPeer peer(kPureAcks);
  TracedRun run;
  constexpr std::uint16_t kPort = 8081;
  test::Pipe listening;
  test::Forked server("ts-synack", [&] {
    test::listen_in(peer.server(), kPort, 8);
    listening.send('y');
    sleep(2); // long enough for a SYN-ACK retransmission (after 1 s)
  });
  listening.receive<char>();
  // The SYN-ACK arrives, so connect() succeeds; its ACK never reaches the server.
  test::Forked client("ts-client", [&] {
    if (!connect_from(peer.client(), peer.server_address(), kPort, 0))
      throw std::runtime_error("connect failed");
    sleep(2);
  });
  const auto retransmitted = [&] {
    return std::any_of(run.shown().begin(), run.shown().end(), [&](const Event& e) {
      return e.type == EventType::SynAckRetransmit && e.id.local_port == kPort;
    });
  };
  run.poll_until(retransmitted, std::chrono::seconds(6));
  ASSERT_TRUE(client.succeeded());
  ASSERT_TRUE(server.succeeded());

  const auto it = std::find_if(run.shown().begin(), run.shown().end(), [&](const Event& e) {
    return e.type == EventType::SynAckRetransmit && e.id.local_port == kPort;
  });
  ASSERT_NE(it, run.shown().end());
  EXPECT_EQ(to_string(it->id.local), peer.server_address());
  EXPECT_NE(it->id.remote_port, 0);
  EXPECT_EQ(it->id.netns, peer.server().inode());
  ASSERT_TRUE(it->owner);
  EXPECT_EQ(it->owner->pid, static_cast<std::uint32_t>(server.pid()));
}

TEST(Tracer, ConnectionsInAnotherNetworkNamespaceCarryItsInode) {
  TCPSIGHT_REQUIRE_TRACING();
  test::NetworkNamespace other(fmt::format("tso{}", getpid()));
  ASSERT_NE(other.inode(), own_netns());
  TracedRun run;
  test::Pipe ports_pipe;
  test::Forked child("ts-netns", [&] {
    other.enter();
    ports_pipe.send(test::run_client_closes_first(AddressFamily::IPv4));
  });
  const auto ports = ports_pipe.receive<test::ConnectionPorts>();
  ASSERT_TRUE(child.succeeded());
  run.poll_until([&] { return run.socket_reached(ports.client, ports.server, {TimeWait}); });

  const auto client = run.socket_with_ports(ports.client, ports.server);
  expect_active_close(client);
  for (const auto& e : client)
    EXPECT_EQ(e.id.netns, other.inode());
}

TEST(Tracer, SocketAddressesServeAsIdsWhereCookiesAreMissing) {
  TCPSIGHT_REQUIRE_TRACING();
  TracedRun run({.socket_addresses_as_ids = true});
  for (const auto& notice : run.tracer().notices())
    EXPECT_EQ(notice.find("socket cookies"), std::string::npos) << notice;
  const auto ports = test::run_client_closes_first(AddressFamily::IPv4);
  run.poll_until([&] { return run.socket_reached(ports.client, ports.server, {TimeWait}); });
  const auto client = run.socket_with_ports(ports.client, ports.server);
  expect_active_close(client);
  // Kernel addresses are in the upper half: from 0xffff800000000000 with
  // 4-level paging, from 0xff00000000000000 with 5-level paging.
  for (const auto& e : client)
    EXPECT_GE(e.id.sock_id, 0xff00000000000000u) << "not a kernel address";
}

TEST(Tracer, FullRingBufferCountsLostEvents) {
  TCPSIGHT_REQUIRE_TRACING();
  const auto page = static_cast<std::size_t>(sysconf(_SC_PAGESIZE));
  // One page holds a few dozen records; nothing is read until all are made.
  TracedRun run({.ring_buffer_bytes = page});
  const std::size_t connections = page / 100; // about 10 events each: ten times what fits
  for (std::size_t i = 0; i < connections; ++i)
    test::run_client_closes_first(AddressFamily::IPv4);

  const auto lost = run.tracer().stats().lost;
  EXPECT_GT(lost, 0u);
  run.tracer().drain(); // outside a run: held for the next
  const auto delivered = run.tracer().stats().delivered;
  EXPECT_GT(delivered, 0u);
  EXPECT_LT(delivered, page / 120);
  // The tracer keeps working once the buffer has room again.
  const auto ports = test::run_client_closes_first(AddressFamily::IPv4);
  run.poll_until([&] { return run.socket_reached(ports.server, ports.client, {Close}); });
  EXPECT_TRUE(run.socket_reached(ports.server, ports.client, {Close}));
}

} // namespace
} // namespace tcpsight
