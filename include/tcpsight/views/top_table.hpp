#pragma once

#include "tcpsight/model/connection_record.hpp"
#include "tcpsight/views/top_model.hpp"

#include <cstdint>
#include <string>
#include <string_view>

namespace tcpsight {

// The text `tcpsight top` shows for its model, shared by the screen and
// the tests; the screen fits it into columns.

// "PROTO", "LOCAL", ...: a column's title.
std::string_view top_column_title(TopColumn column);

// A row's text in one column; the age counts up to now_ns.
std::string top_column_text(const TopRow& row, TopColumn column, std::uint64_t now_ns);

// A line of the "Recently closed" pane: endpoints, process, duration, outcome.
std::string top_closed_line(const ConnectionRecord& record);

} // namespace tcpsight
