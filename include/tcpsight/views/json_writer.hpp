#pragma once

#include <fmt/format.h>

#include <cassert>
#include <concepts>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace tcpsight {

// JSON text appended to a string, one token at a time and without
// format-string parsing: the trace view writes an object per event, 100k
// and more a second. The writer puts the commas; one writer writes one
// value (a line of JSON Lines), nested objects and arrays included.
//
//   JsonWriter json(out);
//   json.begin_object().key("pid").number(42).key("comm").string(comm).end_object();
//
// Strings come out in pure ASCII: see json_string().
class JsonWriter {
public:
  explicit JsonWriter(std::string& out) : out_(out) {}

  JsonWriter& begin_object() { return open('{'); }
  JsonWriter& end_object() { return close('}'); }
  JsonWriter& begin_array() { return open('['); }
  JsonWriter& end_array() { return close(']'); }

  // A member's name; the value comes next. Names are tcpsight's own and
  // need no escaping.
  JsonWriter& key(std::string_view name) {
    assert(needs_no_escaping(name));
    separate();
    out_ += '"';
    out_ += name;
    out_ += "\":";
    comma_ = false;
    return *this;
  }

  // Any text, escaped.
  JsonWriter& string(std::string_view text);
  // Text known to need no escaping (names from tcpsight's tables, numeric
  // addresses, times), written without looking at each character.
  JsonWriter& plain_string(std::string_view text) {
    assert(needs_no_escaping(text));
    separate();
    out_ += '"';
    out_ += text;
    out_ += '"';
    return *this;
  }

  template <std::integral T>
  requires(!std::same_as<T, bool>) JsonWriter& number(T value) {
    separate();
    const fmt::format_int digits(value);
    out_.append(digits.data(), digits.size());
    return *this;
  }
  // Three decimals, as printf's %.3f rounds them: 0.0505 is "0.051" or
  // "0.050" as its binary value falls.
  JsonWriter& three_decimals(double value);
  // Nanoseconds as milliseconds with three decimals, rounded in integers:
  // 1500 ns is "0.002".
  JsonWriter& milliseconds(std::uint64_t ns);
  JsonWriter& boolean(bool value) { return literal(value ? "true" : "false"); }
  JsonWriter& null() { return literal("null"); }

  template <std::integral T> JsonWriter& number_or_null(const std::optional<T>& value) {
    return value ? number(*value) : null();
  }
  JsonWriter& milliseconds_or_null(const std::optional<std::uint64_t>& ns) {
    return ns ? milliseconds(*ns) : null();
  }
  JsonWriter& three_decimals_or_null(const std::optional<double>& value) {
    return value ? three_decimals(*value) : null();
  }

  // True for printable ASCII other than '"' and '\\'.
  static bool needs_no_escaping(std::string_view text);

private:
  void separate() {
    if (comma_)
      out_ += ',';
    comma_ = true;
  }
  JsonWriter& open(char bracket) {
    separate();
    out_ += bracket;
    comma_ = false;
    return *this;
  }
  JsonWriter& close(char bracket) {
    out_ += bracket;
    comma_ = true;
    return *this;
  }
  JsonWriter& literal(std::string_view text) {
    separate();
    out_ += text;
    return *this;
  }

  std::string& out_;
  bool comma_ = false; // a value came before at this level: the next one needs a comma
};

// A JSON string literal, quotes included, in pure ASCII: control bytes and
// non-ASCII characters are \u escapes, and bytes that are not valid UTF-8
// (a process name can hold any) become U+FFFD.
std::string json_string(std::string_view text);

} // namespace tcpsight
