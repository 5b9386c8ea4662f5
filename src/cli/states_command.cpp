#include "subcommand.hpp"

#include "tcpsight/views/output_writer.hpp"
#include "tcpsight/views/states_view.hpp"

namespace tcpsight::cli {
namespace {

int run_states() {
  OutputWriter out;
  out.text() += format_states_table();
  out.finish();
  return 0;
}

class StatesSubcommand : public Subcommand {
public:
  explicit StatesSubcommand(CLI::App& parent)
      : Subcommand(parent.add_subcommand("states",
                                         "Explain the TCP states and how they follow each other")) {
  }
  int run() override { return run_states(); }
};

} // namespace

std::unique_ptr<Subcommand> add_states_command(CLI::App& app) {
  return std::make_unique<StatesSubcommand>(app);
}

} // namespace tcpsight::cli
