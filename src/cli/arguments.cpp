#include "arguments.hpp"

#include "tcpsight/model/error.hpp"

#include <charconv>
#include <cmath>
#include <cstdint>
#include <fmt/core.h>
#include <optional>

namespace tcpsight::cli {
namespace {

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

// Linux numbers processes from 1 to PID_MAX_LIMIT.
constexpr std::uint64_t kMaxPid = 4'194'304;

std::optional<std::uint64_t> whole_number(const std::string& text) {
  std::uint64_t value = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc{} || end != text.data() + text.size() || text.empty())
    return std::nullopt;
  return value;
}

const CLI::Validator kProcessId(
    [](const std::string& text) -> std::string {
      const auto pid = whole_number(text);
      if (!pid || *pid < 1 || *pid > kMaxPid)
        return fmt::format("'{}' is not a process id (1 to {})", text, kMaxPid);
      return {};
    },
    "PID");

const CLI::Validator kMilliseconds(
    [](const std::string& text) -> std::string {
      double value = 0;
      const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
      if (error != std::errc{} || end != text.data() + text.size() || !std::isfinite(value) ||
          value < 0)
        return fmt::format("'{}' is not a number of milliseconds (0 or more, e.g. 2.5)", text);
      return {};
    },
    "MS");

} // namespace

const CLI::Validator kNotEmpty(
    [](const std::string& text) -> std::string { return text.empty() ? "must not be empty" : ""; },
    "");

const CLI::Validator kCount(
    [](const std::string& text) -> std::string {
      const auto count = whole_number(text);
      if (!count || *count < 1)
        return fmt::format("'{}' is not a count (1 or more)", text);
      return {};
    },
    "N");

void FilterArguments::add_to(CLI::App& command) {
  command.add_option("--port", ports, "Local or remote port (repeat or comma-separate)")
      ->delimiter(',');
  command.add_option("--sport", local_ports, "Local port")->delimiter(',');
  command.add_option("--dport", remote_ports, "Remote port")->delimiter(',');
  command.add_option("--state", states, "Old or new state, e.g. SYN_SENT or time-wait")
      ->delimiter(',');
  command.add_flag("-4,--ipv4", ipv4, "IPv4 only");
  command.add_flag("-6,--ipv6", ipv6, "IPv6 only");
  command.add_option("--pid", pid, "Owning process id")->check(kProcessId);
  command.add_option("--comm", comm, "Owning command name, exactly (at most 15 bytes)")
      ->check(kNotEmpty)
      ->type_name("NAME");
  command.add_option("--netns", netns,
                     "Network namespace: inode, or a file such as /run/netns/NAME");
  command.add_option("--cgroup", cgroup, "Owner's cgroup v2: id, or its /sys/fs/cgroup directory");
}

Filter FilterArguments::to_filter() const {
  Filter filter;
  for (const auto& port : ports)
    filter.ports.push_back(parse_port(port));
  for (const auto& port : local_ports)
    filter.local_ports.push_back(parse_port(port));
  for (const auto& port : remote_ports)
    filter.remote_ports.push_back(parse_port(port));
  for (const auto& state : states)
    filter.states.push_back(parse_state(state));
  if (ipv4 != ipv6)
    filter.family = ipv4 ? AddressFamily::IPv4 : AddressFamily::IPv6;
  filter.pid = pid;
  if (comm && comm->size() > 15)
    throw Error(
        fmt::format("--comm '{}' is longer than the kernel's 15-byte command names", *comm));
  filter.comm = comm;
  if (netns)
    filter.netns = resolve_netns(*netns);
  if (cgroup)
    filter.cgroup = resolve_cgroup(*cgroup);
  return filter;
}

void RecordFilterArguments::add_to(CLI::App& command) {
  command.add_option("--port", ports, "Local or remote port (repeat or comma-separate)")
      ->delimiter(',');
  command.add_option("--pid", filter.pids, "Owning process id (repeat or comma-separate)")
      ->delimiter(',')
      ->check(kProcessId);
  command.add_option("--comm", filter.comm, "Owning command name, exactly")
      ->check(kNotEmpty)
      ->type_name("NAME");
  command.add_option("--min-ms", filter.min_ms, "Lasted at least this many ms")
      ->check(kMilliseconds);
  command.add_option("--max-ms", filter.max_ms, "Lasted at most this many ms")
      ->check(kMilliseconds);
  command
      .add_option("--outcome", outcomes,
                  "normal_active, normal_passive, simultaneous, reset_sent, reset_received, "
                  "refused, timed_out, aborted or failed (repeat or comma-separate)")
      ->delimiter(',');
}

RecordFilter RecordFilterArguments::to_filter() const {
  auto result = filter;
  for (const auto& port : ports)
    result.ports.push_back(parse_port(port));
  for (const auto& name : outcomes) {
    const auto outcome = parse_outcome(name);
    if (!outcome || *outcome == Outcome::StillOpen)
      throw Error(fmt::format("--outcome: '{}' is not an outcome of a finished connection", name));
    result.outcomes.push_back(*outcome);
  }
  return result;
}

void add_cgroup_column_flag(CLI::App& command, bool& shown) {
  command.add_flag("--show-cgroup", shown,
                   "Name each cgroup: its container, pod, systemd unit, or else its path");
}

void add_live_source_options(CLI::App& command, EventSourceOptions& source) {
  command
      .add_option("--ring-buffer-size", source.ring_buffer_bytes,
                  "Kernel ring buffer size in bytes (a power of two, at least a page)")
      ->check(kRingBufferSize)
      ->capture_default_str();
  command.add_flag("-v,--verbose", source.verbose, "Show libbpf's diagnostics");
  command.add_flag_callback(
      "--no-drops", [&source] { source.drop_events = false; },
      "Do not trace the segments the kernel drops (skb:kfree_skb)");
}

void add_source_options(CLI::App& command, EventSourceOptions& source) {
  add_live_source_options(command, source);
  auto* read = command
                   .add_option("--read", source.read_path,
                               "Replay events recorded with `trace --write` (no root needed)")
                   ->check(kNotEmpty)
                   ->type_name("FILE");
  command
      .add_option("--write", source.write_path,
                  "Also record every event to this file, for --read later")
      ->check(kNotEmpty)
      ->type_name("FILE")
      ->excludes(read);
}

void SocketKindArguments::add_to(CLI::App& command) {
  command.add_flag("-t,--tcp", tcp, "TCP sockets");
  command.add_flag("-u,--udp", udp, "UDP sockets");
  command.add_flag("-w,--raw", raw, "Raw sockets");
  command.add_flag("-x,--unix", unix_sockets, "Unix sockets");
}

CLI::Validator parsed_by(std::function<void(const std::string&)> parse, const char* name) {
  return CLI::Validator(
      [parse](const std::string& text) -> std::string {
        try {
          parse(text);
          return {};
        } catch (const Error& e) {
          return e.what();
        }
      },
      name);
}

} // namespace tcpsight::cli
