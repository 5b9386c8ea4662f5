#include "tcpsight/pipeline/drop_ledger.hpp"

#include "sample_event.hpp"

#include <gtest/gtest.h>

#include <fmt/format.h>

namespace tcpsight {
namespace {

constexpr std::uint64_t kMs = 1'000'000;

// A drop of the sample connection (127.0.0.1:40000 -> 10.1.2.3:8080) at ms.
Event drop_at(std::uint64_t ms, std::string reason = "NETFILTER_DROP", std::uint64_t sock_id = 0) {
  auto e = test::sample_event();
  e.type = EventType::Drop;
  e.ts_ns = ms * kMs;
  e.id.sock_id = sock_id;
  e.drop = DropDetails{.reason = std::move(reason)};
  return e;
}

ConnectionId connection(std::uint64_t sock_id = 7) {
  auto id = test::sample_event().id;
  id.sock_id = sock_id;
  return id;
}

TEST(DropLedger, ACloseTakesTheDropsOfItsEndsUpToIt) {
  DropLedger ledger;
  ledger.add(drop_at(5));
  ledger.add(drop_at(20, "TCP_LISTEN_OVERFLOW"));
  ledger.add(drop_at(40)); // after the close: the next connection's, on the same ends
  EXPECT_EQ(ledger.take(connection(), 30 * kMs),
            (ConnectionDrops{.count = 2, .last_reason = "TCP_LISTEN_OVERFLOW"}));
  EXPECT_EQ(ledger.size(), 1u);
  EXPECT_EQ(ledger.take(connection(), 30 * kMs).count, 0u);
  EXPECT_EQ(ledger.take(connection(), 50 * kMs).count, 1u);
  EXPECT_EQ(ledger.size(), 0u);
}

// A SYN dropped on its way in to a server names the client's connection
// from the server's side, in the server's namespace.
TEST(DropLedger, EndsMatchEitherWayRoundAndInAnyNamespace) {
  DropLedger ledger;
  auto seen_by_server = drop_at(5);
  seen_by_server.id = seen_by_server.id.as_seen_by_peer();
  seen_by_server.id.netns = 1234;
  ledger.add(seen_by_server);
  EXPECT_EQ(ledger.take(connection(), 10 * kMs).count, 1u);
}

// Loopback never leaves its namespace: two containers' loopback
// connections with the same ends are two connections.
TEST(DropLedger, LoopbackEndsMatchOnlyInTheirNamespace) {
  DropLedger ledger;
  auto loopback = drop_at(5);
  loopback.id.remote = loopback.id.local; // 127.0.0.1 both
  loopback.id.netns = 1234;
  ledger.add(loopback);
  auto elsewhere = loopback.id;
  elsewhere.netns = 5678;
  EXPECT_EQ(ledger.take(elsewhere, 10 * kMs).count, 0u);
  EXPECT_EQ(ledger.take(loopback.id, 10 * kMs).count, 1u);
}

TEST(DropLedger, IPv4MappedEndsAreTheIPv4Ones) {
  DropLedger ledger;
  ledger.add(drop_at(5));
  auto id = connection();
  id.local = {.family = AddressFamily::IPv6,
              .bytes = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 127, 0, 0, 1}};
  id.remote = {.family = AddressFamily::IPv6,
               .bytes = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 10, 1, 2, 3}};
  EXPECT_EQ(ledger.take(id, 10 * kMs).count, 1u);
}

// Both sockets of a local connection have its ends: a drop the kernel
// found a socket for is that socket's only.
TEST(DropLedger, ADropOfOneSocketIsNotItsPeers) {
  DropLedger ledger;
  ledger.add(drop_at(5, "TCP_OLD_DATA", /*sock_id=*/7));
  EXPECT_EQ(ledger.take(connection(8), 10 * kMs).count, 0u);
  EXPECT_EQ(ledger.take(connection(7), 10 * kMs).count, 1u);
}

TEST(DropLedger, BeyondCapacityTheOldestGoAndAreCounted) {
  DropLedger ledger(3);
  for (std::uint64_t ms = 1; ms <= 5; ++ms)
    ledger.add(drop_at(ms, fmt::format("R{}", ms)));
  EXPECT_EQ(ledger.size(), 3u);
  EXPECT_EQ(ledger.evicted(), 2u);
  EXPECT_EQ(ledger.take(connection(), 5 * kMs), (ConnectionDrops{.count = 3, .last_reason = "R5"}));
}

// Eviction takes the oldest drop left, not the first of ends whose older
// drops were taken.
TEST(DropLedger, EvictionSkipsWhatWasTaken) {
  DropLedger ledger(2);
  ledger.add(drop_at(1, "OLD"));
  EXPECT_EQ(ledger.take(connection(), 1 * kMs).count, 1u);
  ledger.add(drop_at(2, "A"));
  auto other = drop_at(3, "B");
  other.id.remote_port = 9999;
  ledger.add(other);
  ledger.add(drop_at(4, "C")); // evicts A, the oldest left
  EXPECT_EQ(ledger.evicted(), 1u);
  EXPECT_EQ(ledger.take(connection(), 10 * kMs), (ConnectionDrops{.count = 1, .last_reason = "C"}));
  EXPECT_EQ(ledger.take(other.id, 10 * kMs).count, 1u);
}

TEST(DropLedger, TakenDropsLeaveNothingBehind) {
  DropLedger ledger(2);
  for (std::uint64_t ms = 1; ms <= 100; ++ms) {
    ledger.add(drop_at(ms));
    EXPECT_EQ(ledger.take(connection(), ms * kMs).count, 1u);
  }
  EXPECT_EQ(ledger.size(), 0u);
  EXPECT_EQ(ledger.evicted(), 0u);
}

} // namespace
} // namespace tcpsight
