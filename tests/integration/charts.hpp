#pragma once

// Reading the bar charts of `life --hist` and `history --hist`.

#include <cstdint>
#include <sstream>
#include <string>

namespace tcpsight::test {

// The counts of one chart added up: the chart of unit ("handshake usecs")
// in the section whose title starts with section ("all connections"); -1 if
// there is none.
inline std::int64_t chart_total(const std::string& text, const std::string& section,
                                const std::string& unit) {
  std::istringstream in(text);
  std::string line;
  bool in_section = false;
  bool in_chart = false;
  std::int64_t total = -1;
  while (std::getline(in, line)) {
    if (!in_section) {
      in_section = line.starts_with(section);
      continue;
    }
    if (!in_chart) {
      in_chart = line.find(unit + " : count") != std::string::npos;
      if (in_chart)
        total = 0;
      continue;
    }
    const auto bar = line.find(" |");
    if (line.empty() || bar == std::string::npos)
      return total;
    total += std::stoll(line.substr(line.find(" : ") + 3));
  }
  return total;
}

} // namespace tcpsight::test
