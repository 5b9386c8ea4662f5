#include "tcpsight/model/connection_record.hpp"

#include "sample_event.hpp"

#include <gtest/gtest.h>

namespace tcpsight {
namespace {

ConnectionRecord finished_record() {
  const auto sample = test::sample_event();
  ConnectionRecord record;
  record.id = sample.id;
  record.owner = sample.owner;
  record.role = Role::Active;
  record.start = MonotonicTime{1'000};
  record.end = MonotonicTime{13'000};
  record.handshake_ns = 500;
  record.path = {{TcpState::SynSent, 500}, {TcpState::Established, 11'500}, {TcpState::Close, {}}};
  record.totals = ConnectionTotals{.tx_bytes = 1, .rx_bytes = 2, .retransmits = 3};
  record.outcome = Outcome::ResetReceived;
  record.error = 104;
  return record;
}

TEST(ConnectionRecord, OnTheWallClockOnlyTheTimesChange) {
  const auto record = finished_record();
  const auto wall = on_wall_clock(record, WallClock(1'000'000));
  EXPECT_EQ(wall.start.ns, 1'001'000);
  EXPECT_EQ(wall.end.ns, 1'013'000);
  EXPECT_EQ(static_cast<const ConnectionFacts&>(wall), static_cast<const ConnectionFacts&>(record));
  EXPECT_EQ(wall.duration_ns(), record.duration_ns());
}

TEST(ConnectionRecord, DurationIsNeverNegative) {
  auto record = finished_record();
  EXPECT_EQ(record.duration_ns(), 12'000u);
  record.end = MonotonicTime{500};
  EXPECT_EQ(record.duration_ns(), 0u);
  const auto wall = on_wall_clock(record, WallClock(-2'000));
  EXPECT_EQ(wall.duration_ns(), 0u);
}

} // namespace
} // namespace tcpsight
