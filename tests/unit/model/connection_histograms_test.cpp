#include "tcpsight/model/connection_histograms.hpp"
#include "tcpsight/model/log2_histogram.hpp"

#include "sample_event.hpp"

#include <gtest/gtest.h>

namespace tcpsight {
namespace {

TEST(Log2Histogram, PowerOfTwoSlotsAsBccDrawsThem) {
  Log2Histogram h;
  EXPECT_EQ(h.slots_used(), 0u);
  for (const std::uint64_t value : {0, 1, 2, 3, 4, 7, 8, 1023, 1024})
    h.add(value);
  h.add(UINT64_MAX);
  EXPECT_EQ(h.count(), 10u);
  EXPECT_EQ(h.in_slot(0), 2u); // 0 and 1
  EXPECT_EQ(h.in_slot(1), 2u); // 2 and 3
  EXPECT_EQ(h.in_slot(2), 2u); // 4 to 7
  EXPECT_EQ(h.in_slot(3), 1u);
  EXPECT_EQ(h.in_slot(9), 1u);
  EXPECT_EQ(h.in_slot(10), 1u);
  EXPECT_EQ(h.in_slot(63), 1u);
  EXPECT_EQ(h.slots_used(), 64u);
  EXPECT_EQ(Log2Histogram::low(0), 0u);
  EXPECT_EQ(Log2Histogram::high(0), 1u);
  EXPECT_EQ(Log2Histogram::low(10), 1024u);
  EXPECT_EQ(Log2Histogram::high(10), 2047u);
  EXPECT_EQ(Log2Histogram::high(63), UINT64_MAX);
}

ConnectionFacts connection(Role role, std::uint16_t remote_port) {
  ConnectionFacts facts;
  facts.id = test::sample_event().id;
  facts.id.remote_port = remote_port;
  facts.role = role;
  facts.handshake_ns = 300'000; // 300 us
  facts.totals = ConnectionTotals{.srtt_us = 40};
  return facts;
}

// Made here: by address and port. A local listener's clients: by address,
// their ports being ephemeral.
TEST(HistogramsByRemote, GroupedAsTheSummaryGroupsThem) {
  HistogramsByRemote histograms;
  histograms.add(connection(Role::Active, 443), 5'000'000);
  histograms.add(connection(Role::Active, 443), 5'000'000);
  histograms.add(connection(Role::Active, 80), 5'000'000);
  histograms.add(connection(Role::Passive, 51000), 5'000'000);
  histograms.add(connection(Role::Passive, 51001), 5'000'000);
  histograms.add(connection(Role::Passive, 51002), 5'000'000);
  EXPECT_EQ(histograms.all().connections, 6u);
  const auto busiest = histograms.busiest(2);
  ASSERT_EQ(busiest.size(), 2u);
  EXPECT_EQ(busiest[0].first, (RemoteEndpoint{.address = "10.1.2.3"}));
  EXPECT_EQ(busiest[0].second->connections, 3u);
  EXPECT_EQ(busiest[1].first, (RemoteEndpoint{.address = "10.1.2.3", .port = 443}));
  EXPECT_EQ(busiest[1].second->handshake_us.in_slot(8), 2u); // 256 to 511
  EXPECT_EQ(busiest[1].second->duration_ms.in_slot(2), 2u);  // 4 to 7
  EXPECT_EQ(busiest[1].second->srtt_us.in_slot(5), 2u);      // 32 to 63
}

// What is not known is not charted: a handshake not seen, the duration of
// a connection seen only from the middle, a close without a sample.
TEST(HistogramsByRemote, OnlyWhatIsKnownIsCharted) {
  HistogramsByRemote histograms;
  auto facts = connection(Role::Active, 443);
  facts.handshake_ns.reset();
  facts.seeded = true;
  facts.totals->srtt_us = 0;
  histograms.add(facts, 5'000'000);
  EXPECT_EQ(histograms.all().connections, 1u);
  EXPECT_EQ(histograms.all().handshake_us.count(), 0u);
  EXPECT_EQ(histograms.all().duration_ms.count(), 0u);
  EXPECT_EQ(histograms.all().srtt_us.count(), 0u);
}

TEST(HistogramsByRemote, PastTheBoundNewEndpointsCountInAllOnly) {
  HistogramsByRemote histograms(2);
  for (const std::uint16_t port : {1, 2, 3, 3, 2})
    histograms.add(connection(Role::Active, port), 1'000'000);
  EXPECT_EQ(histograms.all().connections, 5u);
  const auto busiest = histograms.busiest(10);
  ASSERT_EQ(busiest.size(), 2u);
  EXPECT_EQ(busiest[0].first.port, 2) << "still counted once the bound is reached";
  EXPECT_EQ(busiest[0].second->connections, 2u);
  EXPECT_EQ(busiest[1].first.port, 1);
  EXPECT_EQ(histograms.endpoints_left_out(), 1u);
}

// history charts the endpoints --summary found busiest, and only those.
TEST(HistogramsByRemote, GivenEndpointsOnly) {
  HistogramsByRemote histograms(
      std::vector<RemoteEndpoint>{{.address = "10.1.2.3", .port = 443}, {.address = "10.1.2.3"}});
  histograms.add(connection(Role::Active, 443), 1'000'000);
  histograms.add(connection(Role::Active, 80), 1'000'000);
  histograms.add(connection(Role::Unknown, 80), 1'000'000);
  EXPECT_EQ(histograms.all().connections, 3u);
  const auto busiest = histograms.busiest(10);
  ASSERT_EQ(busiest.size(), 2u);
  EXPECT_EQ(busiest[0].first, (RemoteEndpoint{.address = "10.1.2.3", .port = 443}));
  EXPECT_EQ(busiest[0].second->connections, 1u);
  EXPECT_EQ(busiest[1].second->connections, 0u);
  EXPECT_EQ(histograms.endpoints_left_out(), 0u);
}

} // namespace
} // namespace tcpsight
