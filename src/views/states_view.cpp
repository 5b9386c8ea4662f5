#include "tcpsight/views/states_view.hpp"

#include "tcpsight/model/tcp_state.hpp"

#include <fmt/format.h>

namespace tcpsight {

std::string format_states_table() {
  std::string out;
  auto it = std::back_inserter(out);
  fmt::format_to(it, "{:<15} {:<19} {:<73} {}\n", "STATE", "KERNEL", "MEANING", "USUALLY NEXT");
  for (const auto& state : tcp_states())
    fmt::format_to(it, "{:<15} {:<19} {:<73} {}\n", state.name, state.kernel_name, state.meaning,
                   state.next_states);
  out += "\nThe kernel never reports a change to TIME_WAIT: when a connection reaches it, the "
         "full socket\ngoes to CLOSE (FIN_WAIT2 -> CLOSE, CLOSING -> CLOSE) and a small "
         "timewait socket takes over.\n";
  return out;
}

} // namespace tcpsight
