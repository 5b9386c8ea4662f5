#include "tcpsight/model/time_spec.hpp"

#include "tcpsight/model/error.hpp"

#include <gtest/gtest.h>

#include <ctime>

namespace tcpsight {
namespace {

constexpr std::int64_t kSecond = 1'000'000'000;

TEST(TimeSpec, Durations) {
  EXPECT_EQ(parse_duration("90"), 90u * kSecond);
  EXPECT_EQ(parse_duration("90s"), 90u * kSecond);
  EXPECT_EQ(parse_duration("15m"), 900u * kSecond);
  EXPECT_EQ(parse_duration("1H"), 3600u * kSecond);
  EXPECT_EQ(parse_duration("7d"), 7u * 86400 * kSecond);
  EXPECT_EQ(parse_duration("2w"), 14u * 86400 * kSecond);
  for (const char* bad : {"", "h", "1x", "-1h", "1.5h", "99999999999w"})
    EXPECT_THROW(parse_duration(bad), Error) << bad;
}

TEST(TimeSpec, Times) {
  const std::int64_t now = 1'800'000'000 * kSecond;
  EXPECT_EQ(parse_time("1h", now), now - 3600 * kSecond);
  EXPECT_EQ(parse_time("@1700000000", now), 1'700'000'000 * kSecond);
  std::tm parts{};
  parts.tm_year = 126;
  parts.tm_mon = 10;
  parts.tm_mday = 24;
  parts.tm_hour = 13;
  parts.tm_min = 45;
  parts.tm_isdst = -1;
  const auto local = static_cast<std::int64_t>(std::mktime(&parts)) * kSecond;
  EXPECT_EQ(parse_time("2026-11-24 13:45", now), local);
  EXPECT_EQ(parse_time("2026-11-24T13:45:00", now), local);
  EXPECT_EQ(parse_time("2026-11-24", now), local - (13 * 3600 + 45 * 60) * kSecond);
  for (const char* bad : {"yesterday", "2026-13-01", "2026-11-24 25:00", "@x", "2026-11-24X",
                          "@99999999999", "0026-11-24 13:45", "9999-01-01"})
    EXPECT_THROW(parse_time(bad, now), Error) << bad;
  // Found by tests/fuzz: years outside 1970-2262 overflowed; ages older than
  // 1970 reach back to it.
  EXPECT_EQ(parse_time("3000w", now), 0);
}

TEST(TimeSpec, Sizes) {
  EXPECT_EQ(parse_size("1000"), 1000u);
  EXPECT_EQ(parse_size("64K"), 64u << 10);
  EXPECT_EQ(parse_size("500M"), 500u << 20);
  EXPECT_EQ(parse_size("1g"), 1u << 30);
  for (const char* bad : {"", "0", "1Q", "M", "-5M"})
    EXPECT_THROW(parse_size(bad), Error) << bad;
}

} // namespace
} // namespace tcpsight
