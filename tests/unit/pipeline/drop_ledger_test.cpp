#include "tcpsight/pipeline/drop_ledger.hpp"

#include "sample_event.hpp"

#include <gtest/gtest.h>

namespace tcpsight {
namespace {

constexpr std::uint64_t kMs = 1'000'000;

// A drop of the sample connection (127.0.0.1:40000 -> 10.1.2.3:8080) at ms.
Event drop_at(std::uint64_t ms, std::string reason = "NETFILTER_DROP", std::uint64_t sock_id = 0) {
  auto e = test::sample_event();
  e.type = EventType::Drop;
  e.ts_ns = ms * kMs;
  e.id.sock_id = sock_id;
  e.drop_reason = std::move(reason);
  return e;
}

ConnectionId connection(std::uint64_t sock_id = 7) {
  auto id = test::sample_event().id;
  id.sock_id = sock_id;
  return id;
}

TEST(DropLedger, ConnectionTakesItsDropsWithinItsLife) {
  DropLedger ledger;
  ledger.add(drop_at(5));
  ledger.add(drop_at(20, "TCP_LISTEN_OVERFLOW"));
  ledger.add(drop_at(40)); // a later connection's, on the same ends
  const auto drops = ledger.find(connection(), 1 * kMs, 30 * kMs);
  EXPECT_EQ(drops, (ConnectionDrops{.count = 2, .last_reason = "TCP_LISTEN_OVERFLOW"}));
  ledger.forget(connection(), 30 * kMs);
  EXPECT_EQ(ledger.size(), 1u);
  EXPECT_EQ(ledger.find(connection(), 35 * kMs, 50 * kMs).count, 1u);
}

// A SYN dropped on its way in to a server names the client's connection
// from the server's side, in the server's namespace.
TEST(DropLedger, EndsMatchEitherWayRoundAndInAnyNamespace) {
  DropLedger ledger;
  auto seen_by_server = drop_at(5);
  seen_by_server.id = seen_by_server.id.as_seen_by_peer();
  seen_by_server.id.netns = 1234;
  ledger.add(seen_by_server);
  EXPECT_EQ(ledger.find(connection(), 0, 10 * kMs).count, 1u);
}

TEST(DropLedger, IPv4MappedEndsAreTheIPv4Ones) {
  DropLedger ledger;
  ledger.add(drop_at(5));
  auto id = connection();
  id.local = {.family = AddressFamily::IPv6,
              .bytes = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 127, 0, 0, 1}};
  id.remote = {.family = AddressFamily::IPv6,
               .bytes = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 10, 1, 2, 3}};
  EXPECT_EQ(ledger.find(id, 0, 10 * kMs).count, 1u);
}

// Both sockets of a local connection have its ends: a drop the kernel
// found a socket for is that socket's only.
TEST(DropLedger, ADropOfOneSocketIsNotItsPeers) {
  DropLedger ledger;
  ledger.add(drop_at(5, "TCP_OLD_DATA", /*sock_id=*/7));
  EXPECT_EQ(ledger.find(connection(8), 0, 10 * kMs).count, 0u);
  ledger.forget(connection(8), 10 * kMs);
  EXPECT_EQ(ledger.find(connection(7), 0, 10 * kMs).count, 1u);
}

TEST(DropLedger, BeyondCapacityTheOldestGoAndAreCounted) {
  DropLedger ledger(3);
  for (std::uint64_t ms = 1; ms <= 5; ++ms)
    ledger.add(drop_at(ms));
  EXPECT_EQ(ledger.size(), 3u);
  EXPECT_EQ(ledger.evicted(), 2u);
  EXPECT_EQ(ledger.find(connection(), 0, 2 * kMs).count, 0u);
  EXPECT_EQ(ledger.find(connection(), 3 * kMs, 5 * kMs).count, 3u);
}

TEST(DropLedger, ForgottenDropsLeaveNothingBehind) {
  DropLedger ledger(2);
  for (std::uint64_t ms = 1; ms <= 100; ++ms) {
    ledger.add(drop_at(ms));
    ledger.forget(connection(), ms * kMs);
  }
  EXPECT_EQ(ledger.size(), 0u);
  EXPECT_EQ(ledger.evicted(), 0u);
}

} // namespace
} // namespace tcpsight
