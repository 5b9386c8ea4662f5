#include "tcpsight/model/clock.hpp"

#include <ctime>

namespace tcpsight {
namespace {

std::int64_t clock_ns(clockid_t clock) {
  timespec ts{};
  clock_gettime(clock, &ts);
  return std::int64_t{ts.tv_sec} * 1'000'000'000 + ts.tv_nsec;
}

} // namespace

std::uint64_t monotonic_now_ns() { return static_cast<std::uint64_t>(clock_ns(CLOCK_MONOTONIC)); }

std::int64_t realtime_now_ns() { return clock_ns(CLOCK_REALTIME); }

WallClock WallClock::measure() {
  // Read monotonic on both sides of realtime so the offset is off by at
  // most half the time between the reads.
  const std::int64_t before = clock_ns(CLOCK_MONOTONIC);
  const std::int64_t realtime = clock_ns(CLOCK_REALTIME);
  const std::int64_t after = clock_ns(CLOCK_MONOTONIC);
  return WallClock(realtime - (before + (after - before) / 2));
}

} // namespace tcpsight
