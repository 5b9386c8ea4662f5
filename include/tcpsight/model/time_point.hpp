#pragma once

#include <compare>
#include <cstdint>

namespace tcpsight {

// Points in time that say which clock they are on, so that one is never read
// as the other: WallClock converts, in one place. Each is a plain integer
// underneath, as cheap to copy and compare as one.

// CLOCK_MONOTONIC: the clock of the kernel's event timestamps (since boot,
// without the time suspended).
struct MonotonicTime {
  std::uint64_t ns = 0;

  friend auto operator<=>(MonotonicTime, MonotonicTime) = default;
};

// CLOCK_REALTIME: nanoseconds since the Unix epoch, as stored in the history
// and shown to people.
struct WallTime {
  std::int64_t ns = 0;

  friend auto operator<=>(WallTime, WallTime) = default;
};

} // namespace tcpsight
