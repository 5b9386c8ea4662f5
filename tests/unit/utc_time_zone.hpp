#pragma once

#include <cstdlib>
#include <ctime>

namespace tcpsight::test {

// Local-time formatting in the tests reads as UTC, whatever the machine's zone.
inline void use_utc_time_zone() {
  setenv("TZ", "UTC", 1);
  tzset();
}

// 2026-11-24T13:45:02.123456789Z
inline constexpr std::int64_t kSampleRealtimeNs = 1795527902123456789;

} // namespace tcpsight::test
