#pragma once

// Appending numbers and padded text to a string without format-string
// parsing: the formatters run once per traced event.

#include <fmt/format.h>

#include <cstdint>
#include <string>
#include <string_view>

namespace tcpsight::detail {

inline void append_uint(std::string& out, std::uint64_t value) {
  const fmt::format_int digits(value);
  out.append(digits.data(), digits.size());
}

// value with at least width digits, zero-padded on the left.
inline void append_zero_padded(std::string& out, std::uint64_t value, std::size_t width) {
  const fmt::format_int digits(value);
  if (digits.size() < width)
    out.append(width - digits.size(), '0');
  out.append(digits.data(), digits.size());
}

// Nanoseconds as milliseconds with three decimals, rounded: "1.500".
inline void append_ms(std::string& out, std::uint64_t ns) {
  const std::uint64_t micros = (ns + 500) / 1000;
  append_uint(out, micros / 1000);
  out += '.';
  append_zero_padded(out, micros % 1000, 3);
}

// text, then spaces up to width; longer text is kept whole.
inline void append_left(std::string& out, std::string_view text, std::size_t width) {
  out.append(text);
  if (text.size() < width)
    out.append(width - text.size(), ' ');
}

// Spaces up to width, then text.
inline void append_right(std::string& out, std::string_view text, std::size_t width) {
  if (text.size() < width)
    out.append(width - text.size(), ' ');
  out.append(text);
}

} // namespace tcpsight::detail
