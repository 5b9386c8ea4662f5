#include "tcpsight/views/printable.hpp"

#include <algorithm>
#include <array>

namespace tcpsight {
namespace {

bool is_printable_ascii(unsigned char byte) { return byte >= 0x20 && byte < 0x7f; }

// Characters a terminal acts on or that reorder what follows: C1 controls,
// the bidirectional embeddings, overrides and isolates, and the line and
// paragraph separators.
bool is_control(char32_t code) {
  return (code >= 0x80 && code <= 0x9f) || (code >= 0x2028 && code <= 0x202e) ||
         (code >= 0x2066 && code <= 0x2069);
}

// The length of the valid UTF-8 sequence that starts at text[at], and the
// character it encodes in code; 0 when none starts there.
std::size_t utf8_length(std::string_view text, std::size_t at, char32_t& code) {
  const auto byte = [&](std::size_t i) { return static_cast<unsigned char>(text[i]); };
  const unsigned char lead = byte(at);
  std::size_t length = 0;
  if (lead >= 0xc2 && lead <= 0xdf) {
    length = 2;
    code = lead & 0x1f;
  } else if (lead >= 0xe0 && lead <= 0xef) {
    length = 3;
    code = lead & 0x0f;
  } else if (lead >= 0xf0 && lead <= 0xf4) {
    length = 4;
    code = lead & 0x07;
  } else {
    return 0;
  }
  if (at + length > text.size())
    return 0;
  for (std::size_t i = at + 1; i < at + length; ++i) {
    if ((byte(i) & 0xc0) != 0x80)
      return 0;
    code = (code << 6) | (byte(i) & 0x3f);
  }
  // The shortest encoding only; no surrogates; nothing past U+10FFFF.
  constexpr std::array<char32_t, 5> kSmallest{0, 0, 0x80, 0x800, 0x10000};
  if (code < kSmallest[length] || (code >= 0xd800 && code <= 0xdfff) || code > 0x10ffff)
    return 0;
  return length;
}

} // namespace

std::string printable_text(std::string_view text) {
  if (std::all_of(text.begin(), text.end(),
                  [](char c) { return is_printable_ascii(static_cast<unsigned char>(c)); }))
    return std::string(text);
  std::string out;
  out.reserve(text.size());
  for (std::size_t at = 0; at < text.size();) {
    const auto byte = static_cast<unsigned char>(text[at]);
    char32_t code = 0;
    const auto length = is_printable_ascii(byte) ? 1 : utf8_length(text, at, code);
    if (length == 0) {
      out += '?';
      ++at;
    } else {
      // A character a terminal acts on is one '?', however many bytes.
      if (length > 1 && is_control(code))
        out += '?';
      else
        out.append(text.substr(at, length));
      at += length;
    }
  }
  return out;
}

void cut_to(std::string& text, std::size_t bytes) {
  if (text.size() <= bytes)
    return;
  // Back to the start of the character the cut falls in.
  while (bytes > 0 && (static_cast<unsigned char>(text[bytes]) & 0xc0) == 0x80)
    --bytes;
  text.resize(bytes);
}

} // namespace tcpsight
