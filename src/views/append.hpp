#pragma once

// Appending numbers and padded text to a string without format-string
// parsing: the formatters run once per traced event.

#include <fmt/format.h>

#include <cstdint>
#include <ctime>
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

// " drops=COUNT:LATEST_REASON", if there were drops; the reason is one
// DropReasons kept, an enumerator's name.
inline void append_drops(std::string& out, std::uint32_t count, std::string_view last_reason) {
  if (count == 0)
    return;
  out += " drops=";
  append_uint(out, count);
  out += ':';
  out += last_reason;
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

// The strftime text of a whole second, local or UTC. Events come in bursts
// within the same second, so each second is converted once.
class SecondText {
public:
  SecondText(const char* format, bool utc) : format_(format), utc_(utc) {}

  std::string_view of(std::time_t second) {
    if (second != cached_) {
      std::tm parts{};
      if (utc_)
        gmtime_r(&second, &parts);
      else
        localtime_r(&second, &parts);
      size_ = std::strftime(text_, sizeof text_, format_, &parts);
      cached_ = second;
    }
    return {text_, size_};
  }

private:
  const char* format_;
  bool utc_;
  std::time_t cached_ = -1;
  char text_[32] = {};
  std::size_t size_ = 0;
};

} // namespace tcpsight::detail
