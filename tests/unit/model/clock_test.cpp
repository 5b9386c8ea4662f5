#include "tcpsight/model/clock.hpp"

#include <gtest/gtest.h>

#include <type_traits>

namespace tcpsight {
namespace {

static_assert(sizeof(MonotonicTime) == sizeof(std::uint64_t));
static_assert(sizeof(WallTime) == sizeof(std::int64_t));
static_assert(std::is_trivially_copyable_v<MonotonicTime>);
static_assert(std::is_trivially_copyable_v<WallTime>);
// Neither clock's time passes for the other's.
static_assert(!std::is_convertible_v<MonotonicTime, WallTime>);
static_assert(!std::is_convertible_v<WallTime, MonotonicTime>);

TEST(WallClock, AddsTheOffsetBetweenTheClocks) {
  const WallClock clock(1'700'000'000'000'000'000);
  EXPECT_EQ(clock.to_wall(MonotonicTime{0}).ns, 1'700'000'000'000'000'000);
  EXPECT_EQ(clock.to_wall(MonotonicTime{5'000}).ns, 1'700'000'000'000'005'000);
  EXPECT_EQ(clock.realtime_minus_monotonic_ns(), 1'700'000'000'000'000'000);
}

TEST(WallClock, ANegativeOffsetGoesBeforeTheEpoch) {
  EXPECT_EQ(WallClock(-10).to_wall(MonotonicTime{4}).ns, -6);
}

TEST(WallClock, KeepsTheOrderOfTimes) {
  const WallClock clock(123);
  EXPECT_LT(clock.to_wall(MonotonicTime{1}), clock.to_wall(MonotonicTime{2}));
  EXPECT_EQ(clock.to_wall(MonotonicTime{7}), clock.to_wall(MonotonicTime{7}));
}

TEST(WallClock, MeasuredItMatchesTheClocksNow) {
  const auto clock = WallClock::measure();
  const auto wall_now = clock.to_wall(MonotonicTime{monotonic_now_ns()});
  EXPECT_NEAR(static_cast<double>(wall_now.ns), static_cast<double>(realtime_now_ns()), 1e9);
}

} // namespace
} // namespace tcpsight
