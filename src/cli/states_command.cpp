#include "commands.hpp"

#include "tcpsight/views/states_view.hpp"

#include <fmt/core.h>

namespace tcpsight::cli {

int run_states() {
  fmt::print("{}", format_states_table());
  return 0;
}

} // namespace tcpsight::cli
