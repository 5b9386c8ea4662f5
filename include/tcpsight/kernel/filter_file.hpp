#pragma once

#include <string>

namespace tcpsight {

// ss's -F FILE: the filter is the file's text ("-": standard input), less
// its comment lines (those whose first word starts with #). Throws
// tcpsight::Error for a file that cannot be read, is a directory, is over
// 1 MiB or holds a NUL byte (not text).
std::string read_filter_file(const std::string& path);

} // namespace tcpsight
