#pragma once

#include "tcpsight/model/event.hpp"
#include "tcpsight/model/time_point.hpp"

#include <cstdint>
#include <string>
#include <string_view>

namespace tcpsight {

// The column header of `tcpsight trace`, with its trailing newline.
std::string text_header();

// One line of `tcpsight trace` for an interpreted event that happened at
// time, appended to out with its trailing newline. With
// explain, the line ends with what the event means.
void append_text_row(std::string& out, const Event& event, WallTime time, bool explain = false);

// Local time of day with microseconds: "13:45:02.123456".
std::string format_time_of_day(WallTime time);

} // namespace tcpsight
