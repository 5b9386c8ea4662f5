#pragma once

// Reading the bar charts of `life --hist` and `history --hist`.

#include <cstdint>
#include <sstream>
#include <string>

namespace tcpsight::test {

// The counts of one chart added up: the chart of unit ("handshake usecs")
// in the section titled section ("all connections"); 0 for a chart that
// reads "none", -1 if there is none.
inline std::int64_t chart_total(const std::string& text, const std::string& section,
                                const std::string& unit) {
  std::istringstream in(text);
  std::string line;
  bool in_section = false;
  std::int64_t total = -1;
  while (std::getline(in, line)) {
    if (!in_section) {
      in_section = line.starts_with(section + " (");
      continue;
    }
    if (line.ends_with(" connections)") || line.ends_with(" connection)"))
      return total; // the next section
    if (total < 0) {
      if (line.find(unit + " : none") != std::string::npos)
        return 0;
      if (line.find(unit + " : count") != std::string::npos)
        total = 0;
      continue;
    }
    if (line.find(" |") == std::string::npos)
      return total;
    total += std::stoll(line.substr(line.find(" : ") + 3));
  }
  return total;
}

} // namespace tcpsight::test
