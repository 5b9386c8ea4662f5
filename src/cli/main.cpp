// tcpsight: TCP connection events from the kernel, and a modern netstat.
#include "commands.hpp"

#include "tcpsight/error.hpp"

#include <CLI/CLI.hpp>
#include <charconv>
#include <cstdint>
#include <fmt/core.h>

namespace {

constexpr int kUsageError = 2;
constexpr int kRuntimeError = 1;

// The kernel takes ring buffer sizes that are a power of two and whole pages.
const CLI::Validator kRingBufferSize(
    [](const std::string& text) -> std::string {
      std::uint64_t bytes = 0;
      const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), bytes);
      const bool whole_number = error == std::errc{} && end == text.data() + text.size();
      if (!whole_number || bytes < 4096 || bytes > (std::uint64_t{1} << 30) ||
          (bytes & (bytes - 1)) != 0)
        return "must be a power of two from 4096 to 1073741824";
      return {};
    },
    "POWER_OF_TWO");

} // namespace

int main(int argc, char** argv) {
  using namespace tcpsight::cli;

  CLI::App app{"tcpsight: trace TCP connection events with eBPF", "tcpsight"};
  app.set_version_flag("-V,--version", "tcpsight " TCPSIGHT_VERSION);
  app.require_subcommand(1);

  TraceOptions trace;
  auto* trace_cmd = app.add_subcommand("trace", "Stream every TCP state transition as it happens");
  trace_cmd->add_flag("--json", trace.json, "One JSON object per line");
  trace_cmd
      ->add_option("--ring-buffer-size", trace.ring_buffer_bytes,
                   "Kernel ring buffer size in bytes (a power of two, at least a page)")
      ->check(kRingBufferSize)
      ->capture_default_str();
  trace_cmd->add_flag("-v,--verbose", trace.verbose, "Show libbpf's diagnostics");

  app.add_subcommand("states", "Explain the TCP states and how they follow each other");

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int status = app.exit(e);
    return status == 0 ? 0 : kUsageError;
  }

  try {
    if (*trace_cmd)
      return run_trace(trace);
    return run_states();
  } catch (const tcpsight::Error& e) {
    fmt::print(stderr, "tcpsight: {}\n", e.what());
    return kRuntimeError;
  }
}
