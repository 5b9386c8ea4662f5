#pragma once

#include <fmt/compile.h>
#include <fmt/format.h>

#include <cassert>
#include <concepts>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace tcpsight {

// A member's name as JSON writes it, "name": laid out when the program is
// compiled: JsonWriter::key<"name">() writes it with one append, from the
// template argument's own storage. Names are tcpsight's own; one that
// would need escaping does not compile.
struct JsonKey {
  template <std::size_t N> consteval JsonKey(const char (&name)[N]) {
    static_assert(N + 2 <= sizeof chars, "a JSON key this long needs a larger JsonKey");
    chars[0] = '"';
    for (std::size_t i = 0; i + 1 < N; ++i) {
      if (name[i] < 0x20 || name[i] >= 0x7f || name[i] == '"' || name[i] == '\\')
        throw "a JSON key must need no escaping";
      chars[1 + i] = name[i];
    }
    chars[N] = '"';
    chars[N + 1] = ':';
    size = N + 2;
  }

  char chars[32] = {};
  std::size_t size = 0;
};

// JSON text appended to a string, one token at a time and without
// format-string parsing: the trace view writes an object per event, 100k
// and more a second. One writer writes one value, nested objects and
// arrays included, and puts the commas: each value is followed by one,
// which the end of its object or array, or end() or end_line() after the
// whole value, takes back. That keeps the writer free of state to consult
// on every token.
//
//   JsonWriter json(out);
//   json.begin_object().key<"pid">().number(42).key<"comm">().string(comm).end_object();
//   json.end_line(); // {"pid":42,"comm":"curl"} and a newline
//
// Strings come out in pure ASCII: see json_string().
class JsonWriter {
public:
  explicit JsonWriter(std::string& out) : out_(out) {}

  JsonWriter& begin_object() { return open('{'); }
  JsonWriter& end_object() { return close('}'); }
  JsonWriter& begin_array() { return open('['); }
  JsonWriter& end_array() { return close(']'); }

  // A member's name; its value comes next.
  template <JsonKey Name> JsonWriter& key() {
    out_.append(Name.chars, Name.size);
    return *this;
  }

  // Any text, escaped.
  JsonWriter& string(std::string_view text);
  // Text known to need no escaping (names from tcpsight's tables, numeric
  // addresses, times), written without looking at each character.
  JsonWriter& plain_string(std::string_view text) {
    assert(needs_no_escaping(text));
    out_ += '"';
    out_ += text;
    return literal("\",");
  }

  // The same, for text that append_text appends to the string it is given.
  template <typename AppendText> JsonWriter& plain_string_from(AppendText append_text) {
    out_ += '"';
    append_text(out_);
    return literal("\",");
  }

  template <std::integral T>
  requires(!std::same_as<T, bool>) JsonWriter& number(T value) {
    char digits_and_comma[24];
    const auto* end = fmt::format_to(digits_and_comma, FMT_COMPILE("{},"), value);
    out_.append(digits_and_comma, static_cast<std::size_t>(end - digits_and_comma));
    return *this;
  }
  // Three decimals, as printf's %.3f rounds them: 0.0505 is "0.051" or
  // "0.050" as its binary value falls.
  JsonWriter& three_decimals(double value);
  // Nanoseconds as milliseconds with three decimals, rounded in integers:
  // 1500 ns is "0.002".
  JsonWriter& milliseconds(std::uint64_t ns);
  JsonWriter& boolean(bool value) { return literal(value ? "true," : "false,"); }
  JsonWriter& null() { return literal("null,"); }

  template <std::integral T> JsonWriter& number_or_null(const std::optional<T>& value) {
    return value ? number(*value) : null();
  }
  JsonWriter& milliseconds_or_null(const std::optional<std::uint64_t>& ns) {
    return ns ? milliseconds(*ns) : null();
  }
  JsonWriter& three_decimals_or_null(const std::optional<double>& value) {
    return value ? three_decimals(*value) : null();
  }

  // After the whole value: takes back the comma that follows it.
  void end() {
    assert(out_.back() == ',');
    out_.pop_back();
  }
  // The same, then a newline: the end of a line of JSON Lines.
  void end_line() {
    assert(out_.back() == ',');
    out_.back() = '\n';
  }

  // True for printable ASCII other than '"' and '\\'.
  static bool needs_no_escaping(std::string_view text);

private:
  JsonWriter& separate() {
    out_ += ',';
    return *this;
  }
  JsonWriter& open(char bracket) {
    out_ += bracket;
    return *this;
  }
  // In place of the last value's comma; an empty one has none.
  JsonWriter& close(char bracket) {
    if (out_.back() == ',')
      out_.back() = bracket;
    else
      out_ += bracket;
    return separate();
  }
  JsonWriter& literal(std::string_view text_and_comma) {
    out_ += text_and_comma;
    return *this;
  }

  std::string& out_;
};

// A JSON string literal, quotes included, in pure ASCII: control bytes and
// non-ASCII characters are \u escapes, and bytes that are not valid UTF-8
// (a process name can hold any) become U+FFFD.
std::string json_string(std::string_view text);

} // namespace tcpsight
