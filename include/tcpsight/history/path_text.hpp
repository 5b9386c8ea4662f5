#pragma once

#include "tcpsight/model/connection_record.hpp"

#include <string>
#include <vector>

namespace tcpsight {

// A connection's path as the history keeps it, one text column:
// "SYN_SENT:52000 ESTABLISHED:12100000 TIME_WAIT", states and nanoseconds.
std::string encode_path(const std::vector<StateStep>& path);

// The path back from that text. Throws tcpsight::Error for text no tcpsight
// wrote (a database edited by hand, say).
std::vector<StateStep> decode_path(const std::string& text);

} // namespace tcpsight
