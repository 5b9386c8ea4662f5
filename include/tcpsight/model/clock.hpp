#pragma once

#include "tcpsight/model/time_point.hpp"

#include <cstdint>

namespace tcpsight {

// Now on CLOCK_MONOTONIC, the clock of the kernel's event timestamps.
std::uint64_t monotonic_now_ns();

// Now on CLOCK_REALTIME: nanoseconds since the Unix epoch.
std::int64_t realtime_now_ns();

// Converts the kernel's CLOCK_MONOTONIC timestamps to wall-clock time.
class WallClock {
public:
  // Measures the offset between the two clocks now.
  static WallClock measure();

  explicit WallClock(std::int64_t realtime_minus_monotonic_ns)
      : offset_ns_(realtime_minus_monotonic_ns) {}

  WallTime to_wall(MonotonicTime time) const {
    return {static_cast<std::int64_t>(time.ns) + offset_ns_};
  }

  std::int64_t realtime_minus_monotonic_ns() const { return offset_ns_; }

private:
  std::int64_t offset_ns_;
};

} // namespace tcpsight
