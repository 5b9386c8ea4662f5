// tcpsight: TCP connection events from the kernel, and a modern netstat.
#include "subcommand.hpp"

#include "tcpsight/kernel/libbpf_diagnostics.hpp"
#include "tcpsight/model/error.hpp"
#include "tcpsight/session/standard_fds.hpp"
#include "tcpsight/session/stop_signals.hpp"
#include "tcpsight/views/printable.hpp"

#include "git_revision.h"

#include <CLI/CLI.hpp>
#include <cerrno>
#include <cstring>
#include <exception>
#include <fmt/core.h>
#include <iostream>
#include <memory>
#include <string>
#include <vector>

namespace {

constexpr int kUsageError = 2;
constexpr int kRuntimeError = 1;

std::vector<std::unique_ptr<tcpsight::cli::Subcommand>> add_subcommands(CLI::App& app) {
  using namespace tcpsight::cli;
  std::vector<std::unique_ptr<Subcommand>> subcommands;
  for (const auto add : {add_trace_command, add_life_command, add_record_command,
                         add_history_command, add_export_command, add_top_command, add_ls_command,
                         add_netstat_command, add_states_command})
    subcommands.push_back(add(app));
  return subcommands;
}

// One line on stderr. Errors quote what was typed (a file's path, a filter's
// word), which may hold control characters: escaped, as all output is.
void print_error(std::string_view message) {
  fmt::print(stderr, "tcpsight: {}\n", tcpsight::printable_text(message));
}

// --help and --version, which CLI11 writes to std::cout: a failed write is
// an error, as for every other output.
int help_or_version_written() {
  // A reader that went away (`tcpsight --help | head`) ends it quietly.
  if (std::cout.flush() || errno == EPIPE)
    return 0;
  // errno is the failed write's: nothing else ran since.
  fmt::print(stderr, "tcpsight: writing the output failed: {}\n",
             errno == EBADF ? "standard output is closed" : std::strerror(errno));
  return kRuntimeError;
}

// "tcpsight 0.1.0", and the git revision when built from a checkout.
std::string version_text() {
  const std::string revision = TCPSIGHT_GIT_REVISION;
  return fmt::format("tcpsight {}{}", TCPSIGHT_VERSION,
                     revision.empty() ? "" : fmt::format(" (git {})", revision));
}

} // namespace

int main(int argc, char** argv) {
  tcpsight::occupy_closed_standard_fds();
  tcpsight::ignore_sigpipe();
  tcpsight::show_libbpf_diagnostics(false);
  CLI::App app{"tcpsight: trace TCP connection events with eBPF", "tcpsight"};
  app.set_version_flag("-V,--version", version_text());
  app.require_subcommand(1);
  const auto subcommands = add_subcommands(app);

  tcpsight::cli::Subcommand* chosen = nullptr;
  try {
    app.parse(argc, argv);
    for (const auto& subcommand : subcommands)
      if (subcommand->chosen())
        chosen = subcommand.get();
    chosen->finish_parsing();
  } catch (const CLI::ParseError& e) {
    if (e.get_exit_code() == static_cast<int>(CLI::ExitCodes::Success)) { // --help, --version
      app.exit(e);
      return help_or_version_written();
    }
    // One line, as for every other error.
    print_error(fmt::format("{}; see --help", e.what()));
    return kUsageError;
  } catch (const tcpsight::Error& e) {
    print_error(e.what());
    return kUsageError;
  }

  try {
    return chosen->run();
  } catch (const tcpsight::Error& e) {
    print_error(e.what());
    return kRuntimeError;
  } catch (const std::exception& e) { // a bug, or the system out of something
    print_error(fmt::format("internal error: {}", e.what()));
    return kRuntimeError;
  }
}
