#include "tcpsight/model/time_spec.hpp"

#include "model/parse_number.hpp"
#include "tcpsight/model/error.hpp"

#include <cctype>
#include <cstdint>
#include <ctime>
#include <fmt/format.h>
#include <optional>
#include <string>

namespace tcpsight {
namespace {

using detail::parse_number;

// The number before a one-letter unit, and the unit (0 without one).
std::pair<std::optional<std::uint64_t>, char> number_and_unit(std::string_view text) {
  char unit = 0;
  if (!text.empty() && !std::isdigit(static_cast<unsigned char>(text.back()))) {
    unit = static_cast<char>(std::tolower(static_cast<unsigned char>(text.back())));
    text.remove_suffix(1);
  }
  return {parse_number<std::uint64_t>(text, 10), unit};
}

} // namespace

std::uint64_t parse_duration(std::string_view text) {
  const auto [number, unit] = number_and_unit(text);
  std::uint64_t seconds_per_unit = 0;
  switch (unit) {
  case 0:
  case 's':
    seconds_per_unit = 1;
    break;
  case 'm':
    seconds_per_unit = 60;
    break;
  case 'h':
    seconds_per_unit = 3600;
    break;
  case 'd':
    seconds_per_unit = 86400;
    break;
  case 'w':
    seconds_per_unit = 7 * 86400;
    break;
  }
  if (!number || seconds_per_unit == 0 || *number > 100ull * 365 * 86400 / seconds_per_unit)
    throw Error(fmt::format("'{}' is not a duration (90s, 15m, 1h, 7d, 2w)", text));
  return *number * seconds_per_unit * 1'000'000'000;
}

// Seconds since 1970 that fit in nanoseconds since 1970: up to 2262.
constexpr std::uint64_t kLatestSecond = INT64_MAX / 1'000'000'000;

std::int64_t parse_time(std::string_view text, std::int64_t now_ns) {
  if (!text.empty() && text.front() == '@') {
    const auto seconds = parse_number<std::uint64_t>(text.substr(1), 10);
    if (!seconds || *seconds > kLatestSecond)
      throw Error(fmt::format("'{}' is not a time: @ takes seconds since 1970", text));
    return static_cast<std::int64_t>(*seconds) * 1'000'000'000;
  }
  if (text.size() >= 10 && text[4] == '-') {
    std::string copy(text);
    if (copy.size() > 10 && copy[10] == 'T')
      copy[10] = ' ';
    std::tm parts{};
    parts.tm_isdst = -1;
    const char* end = nullptr;
    for (const char* format : {"%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%d"}) {
      parts = std::tm{};
      parts.tm_isdst = -1;
      end = strptime(copy.c_str(), format, &parts);
      if (end && *end == '\0')
        break;
    }
    if (!end || *end != '\0')
      throw Error(
          fmt::format("'{}' is not a time (2026-11-24, 2026-11-24 13:45, 1h, @1700000000)", text));
    const auto seconds = std::mktime(&parts);
    if (seconds < 0 || static_cast<std::uint64_t>(seconds) > kLatestSecond)
      throw Error(fmt::format("'{}' is not a time between 1970 and 2262", text));
    return static_cast<std::int64_t>(seconds) * 1'000'000'000;
  }
  try {
    // An age older than 1970 reaches back to 1970.
    const auto age = parse_duration(text);
    return now_ns > 0 && age < static_cast<std::uint64_t>(now_ns)
               ? now_ns - static_cast<std::int64_t>(age)
               : 0;
  } catch (const Error&) {
    throw Error(fmt::format("'{}' is not a time (an age such as 1h or 7d, 2026-11-24 13:45, "
                            "@1700000000)",
                            text));
  }
}

std::uint64_t parse_size(std::string_view text) {
  const auto [number, unit] = number_and_unit(text);
  int shift = -1;
  switch (unit) {
  case 0:
  case 'b':
    shift = 0;
    break;
  case 'k':
    shift = 10;
    break;
  case 'm':
    shift = 20;
    break;
  case 'g':
    shift = 30;
    break;
  case 't':
    shift = 40;
    break;
  }
  if (!number || shift < 0 || *number == 0 || *number > (std::uint64_t{1} << (62 - shift)))
    throw Error(fmt::format("'{}' is not a size (500M, 1G, 64K)", text));
  return *number << shift;
}

} // namespace tcpsight
