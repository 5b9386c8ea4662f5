#include "tcpsight/history/path_text.hpp"

#include "model/parse_number.hpp"
#include "tcpsight/model/error.hpp"
#include "tcpsight/model/filter.hpp"
#include "tcpsight/model/tcp_state.hpp"

#include <fmt/format.h>
#include <iterator>
#include <sstream>

namespace tcpsight {

std::string encode_path(const std::vector<StateStep>& path) {
  std::string text;
  for (const auto& step : path) {
    if (!text.empty())
      text += ' ';
    text += tcp_state_name(step.state);
    if (step.ns)
      fmt::format_to(std::back_inserter(text), ":{}", *step.ns);
  }
  return text;
}

std::vector<StateStep> decode_path(const std::string& text) {
  std::vector<StateStep> path;
  std::istringstream in(text);
  for (std::string word; in >> word;) {
    const auto colon = word.find(':');
    StateStep step{.state = parse_state(word.substr(0, colon))};
    if (colon != std::string::npos) {
      step.ns = detail::parse_number<std::uint64_t>(word.substr(colon + 1), 10);
      if (!step.ns)
        throw Error(fmt::format("a connection's path '{}' is damaged", text));
    }
    path.push_back(step);
  }
  return path;
}

} // namespace tcpsight
