#include "commands.hpp"

#include "tcpsight/views/output_writer.hpp"
#include "tcpsight/views/states_view.hpp"

namespace tcpsight::cli {

int run_states() {
  OutputWriter out;
  out.text() += format_states_table();
  out.finish();
  return 0;
}

} // namespace tcpsight::cli
