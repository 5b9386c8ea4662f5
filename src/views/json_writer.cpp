#include "tcpsight/views/json_writer.hpp"

#include "views/append.hpp"

#include <algorithm>
#include <fmt/compile.h>
#include <iterator>
#include <nlohmann/json.hpp>

namespace tcpsight {

bool JsonWriter::needs_no_escaping(std::string_view text) {
  return std::all_of(text.begin(), text.end(),
                     [](char c) { return c >= 0x20 && c < 0x7f && c != '"' && c != '\\'; });
}

JsonWriter& JsonWriter::string(std::string_view text) {
  if (needs_no_escaping(text)) // the usual process name
    return plain_string(text);
  // nlohmann's serializer does the escaping, told to replace invalid UTF-8
  // rather than throw. Rare enough that its allocations do not matter.
  out_ += nlohmann::json(std::string(text))
              .dump(-1, ' ', /*ensure_ascii=*/true, nlohmann::json::error_handler_t::replace);
  return separate();
}

JsonWriter& JsonWriter::three_decimals(double value) {
  fmt::format_to(std::back_inserter(out_), FMT_COMPILE("{:.3f}"), value);
  return separate();
}

JsonWriter& JsonWriter::milliseconds(std::uint64_t ns) {
  detail::append_ms(out_, ns);
  return separate();
}

std::string json_string(std::string_view text) {
  std::string out;
  JsonWriter(out).string(text).end();
  return out;
}

} // namespace tcpsight
