#pragma once

#include <cstdint>
#include <string_view>

namespace tcpsight {

// "90s", "15m", "1h", "7d", "2w" (a bare number is seconds) as nanoseconds.
// Throws tcpsight::Error.
std::uint64_t parse_duration(std::string_view text);

// A point in time as wall-clock nanoseconds since the epoch: an age before
// now_ns ("1h" means an hour ago), "@SECONDS" since the epoch, or local
// "YYYY-MM-DD", "YYYY-MM-DD HH:MM[:SS]" (a 'T' also separates them).
// Throws tcpsight::Error.
std::int64_t parse_time(std::string_view text, std::int64_t now_ns);

// "500M", "1G", "64K", "1000" (bytes); binary units. Throws tcpsight::Error.
std::uint64_t parse_size(std::string_view text);

} // namespace tcpsight
