#pragma once

// Whole-string number parsing for the parsers of kernel text and of options.

#include <charconv>
#include <optional>
#include <string_view>

namespace tcpsight::detail {

// The number text spells in base, or nothing if any of text is not part of it.
template <typename Number>
std::optional<Number> parse_number(std::string_view text, int base = 10) {
  Number value{};
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value, base);
  if (text.empty() || error != std::errc{} || end != text.data() + text.size())
    return std::nullopt;
  return value;
}

} // namespace tcpsight::detail
