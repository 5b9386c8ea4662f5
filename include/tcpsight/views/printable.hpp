#pragma once

#include <string>
#include <string_view>

namespace tcpsight {

// Text another user chose (a process name, a unix socket path), made safe
// for a terminal: printable ASCII and valid UTF-8 characters stay; control
// bytes, DEL, C1 controls, bidirectional overrides, line separators and
// bytes that are not valid UTF-8 each become '?', as ps shows them. Every
// text view prints such text through it (JSON has json_string).
std::string printable_text(std::string_view text);

// Cuts text to at most bytes, never inside a UTF-8 character: for columns
// of a fixed width.
void cut_to(std::string& text, std::size_t bytes);

} // namespace tcpsight
