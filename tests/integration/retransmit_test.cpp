// Segments sent again past the handshake, as they are sent, against the
// kernel's own count: a firewall that drops every 5th data segment.
#include "tcpsight/kernel/tracer.hpp"

#include "firewalled_peer.hpp"
#include "forked.hpp"
#include "loopback.hpp"
#include "privileges.hpp"
#include "traced_run.hpp"

#include <gtest/gtest.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <stdexcept>
#include <vector>

namespace tcpsight {
namespace {

constexpr std::uint16_t kPort = 8092;
constexpr std::size_t kBytes = 2 << 20;

// The server's side: accepts one connection and reads it to the end.
void serve_one(const test::NetworkNamespace& ns, const test::Pipe& listening) {
  const int listener = test::listen_in(ns, kPort, 1);
  listening.send('y');
  const int connection = accept(listener, nullptr, nullptr);
  std::vector<char> buffer(1 << 16);
  std::size_t total = 0;
  for (ssize_t got; (got = read(connection, buffer.data(), buffer.size())) > 0;)
    total += static_cast<std::size_t>(got);
  if (total != kBytes)
    throw std::runtime_error("the transfer came short");
  close(connection);
}

// The client's side: sends kBytes, then closes and waits for the server's FIN.
void send_all_from(const test::FirewalledPeer& peer) {
  const int fd = test::connect_to_server(peer, kPort);
  const std::vector<char> data(kBytes, 'x');
  for (std::size_t sent = 0; sent < data.size();) {
    const auto wrote = write(fd, data.data() + sent, data.size() - sent);
    if (wrote <= 0)
      throw std::runtime_error("write failed");
    sent += static_cast<std::size_t>(wrote);
  }
  shutdown(fd, SHUT_WR);
  char byte;
  if (read(fd, &byte, 1) != 0)
    throw std::runtime_error("no FIN from the server");
  close(fd);
}

TEST(Retransmits, EverySegmentSentAgainIsAnEventAndTheyAddUpToTheKernelsCount) {
  TCPSIGHT_REQUIRE_TRACING();
  test::FirewalledPeer peer("tcp dport 8092 ip length > 100 numgen inc mod 5 == 0");
  test::TracedRun run({.retransmit_events = true});
  test::Pipe listening;
  test::Forked server("ts-sink", [&] { serve_one(peer.server(), listening); });
  listening.receive<char>();
  test::Forked client("ts-source", [&] { send_all_from(peer); });
  ASSERT_TRUE(client.succeeded());
  ASSERT_TRUE(server.succeeded());
  const auto close_of = [&](bool client) -> const Event* {
    for (const auto& e : run.shown())
      if (e.closes_socket && (client ? e.id.remote_port : e.id.local_port) == kPort)
        return &e;
    return nullptr;
  };
  const auto client_close = [&] { return close_of(true); };
  // Both: the server's socket may carry the drops (below).
  run.poll_until([&] { return close_of(true) && close_of(false); }, std::chrono::seconds(10));

  const auto* close = client_close();
  ASSERT_NE(close, nullptr);
  ASSERT_TRUE(close->totals);
  std::uint64_t segments = 0;
  std::size_t while_established = 0;
  for (const auto& e : run.socket(close->id.sock_id)) {
    if (e.type != EventType::Retransmit)
      continue;
    EXPECT_GE(e.segments, 1u);
    segments += e.segments;
    while_established += e.new_state == TcpState::Established;
    ASSERT_TRUE(e.owner);
    EXPECT_EQ(e.owner->pid, static_cast<std::uint32_t>(client.pid()));
  }
  EXPECT_GT(close->totals->retransmits, 0u) << "the firewall dropped nothing";
  EXPECT_NEAR(static_cast<double>(segments), close->totals->retransmits, 1);
  EXPECT_GT(while_established, 0u) << "seen as they were sent, not at the close";
  // What the firewall dropped is counted too: on the server's socket where
  // the kernel had found it for the segment (early demux), else on the
  // connection's first close.
  std::uint32_t dropped = 0;
  std::size_t drop_events = 0;
  for (const auto& e : run.shown()) {
    if (e.type == EventType::Drop && e.id.local_port == kPort)
      ++drop_events;
    if (e.closes_socket && (e.id.local_port == kPort || e.id.remote_port == kPort) && e.drops) {
      dropped += e.drops->count;
      EXPECT_EQ(e.drops->last_reason, "NETFILTER_DROP");
    }
  }
  EXPECT_GT(drop_events, 0u);
  EXPECT_EQ(dropped, drop_events);
}

} // namespace
} // namespace tcpsight
