#include "tcpsight/kernel/filter_file.hpp"

#include "tcpsight/model/error.hpp"

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fmt/format.h>
#include <fstream>
#include <iostream>
#include <sstream>

namespace tcpsight {

std::string read_filter_file(const std::string& path) {
  constexpr std::size_t kMost = 1 << 20;
  std::ifstream file;
  if (path != "-") {
    std::error_code error;
    if (std::filesystem::is_directory(path, error))
      throw Error(fmt::format("filter file {}: is a directory", path));
    file.open(path, std::ios::binary);
    if (!file)
      throw Error(fmt::format("filter file {}: {}", path, std::strerror(errno)));
  }
  std::istream& in = path == "-" ? std::cin : file;
  std::string text(kMost + 1, '\0');
  in.read(text.data(), static_cast<std::streamsize>(text.size()));
  if (in.bad())
    throw Error(fmt::format("filter file {}: could not be read", path));
  text.resize(static_cast<std::size_t>(in.gcount()));
  if (text.size() > kMost)
    throw Error(fmt::format("filter file {}: over 1 MiB, not a filter", path));
  if (text.find('\0') != std::string::npos)
    throw Error(fmt::format("filter file {}: not text (it holds a NUL byte)", path));
  // As ss: a line whose first word starts with # is a comment.
  std::string filter;
  std::istringstream lines(text);
  for (std::string line; std::getline(lines, line);)
    if (const auto first = line.find_first_not_of(" \t");
        first == std::string::npos || line[first] != '#')
      filter += line + "\n";
  return filter;
}

} // namespace tcpsight
