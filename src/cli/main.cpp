// tcpsight: TCP connection events from the kernel, and a modern netstat.
#include "subcommands.hpp"

#include "tcpsight/model/error.hpp"

#include <CLI/CLI.hpp>
#include <csignal>
#include <exception>
#include <fmt/core.h>

namespace {

constexpr int kUsageError = 2;
constexpr int kRuntimeError = 1;

} // namespace

int main(int argc, char** argv) {
  // A reader that goes away (`| head`) fails the next write with EPIPE,
  // which ends a command quietly (OutputWriter), rather than killing it.
  std::signal(SIGPIPE, SIG_IGN);
  CLI::App app{"tcpsight: trace TCP connection events with eBPF", "tcpsight"};
  app.set_version_flag("-V,--version", "tcpsight " TCPSIGHT_VERSION);
  app.require_subcommand(1);
  const auto subcommands = tcpsight::cli::add_subcommands(app);

  tcpsight::cli::Subcommand* chosen = nullptr;
  try {
    app.parse(argc, argv);
    for (const auto& subcommand : subcommands)
      if (subcommand->chosen())
        chosen = subcommand.get();
    chosen->finish_parsing();
  } catch (const CLI::ParseError& e) {
    const int status = app.exit(e);
    return status == 0 ? 0 : kUsageError;
  } catch (const tcpsight::Error& e) {
    fmt::print(stderr, "tcpsight: {}\n", e.what());
    return kUsageError;
  }

  try {
    return chosen->run();
  } catch (const tcpsight::Error& e) {
    fmt::print(stderr, "tcpsight: {}\n", e.what());
    return kRuntimeError;
  } catch (const std::exception& e) { // a bug, or the system out of something
    fmt::print(stderr, "tcpsight: internal error: {}\n", e.what());
    return kRuntimeError;
  }
}
