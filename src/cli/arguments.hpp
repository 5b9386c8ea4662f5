#pragma once

// Command-line arguments that several subcommands share, as typed, and
// their conversion into options once parsing is done.

#include "tcpsight/model/filter.hpp"
#include "tcpsight/pipeline/record_filter.hpp"
#include "tcpsight/session/event_source.hpp"

#include <CLI/CLI.hpp>
#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace tcpsight::cli {

// Remote endpoints `life --hist` and `history --hist` chart, each with three
// charts, besides all connections.
inline constexpr std::size_t kChartedRemotes = 5;

// Event filters of trace, in the kernel and after: --port, --state, -4 ...
struct FilterArguments {
  std::vector<std::string> ports, local_ports, remote_ports, states;
  bool ipv4 = false, ipv6 = false;
  std::optional<std::uint32_t> pid;
  std::optional<std::string> comm, netns, cgroup;

  void add_to(CLI::App& command);
  // Throws tcpsight::Error for a value that makes no sense.
  Filter to_filter() const;
};

// Which kinds of socket ls and netstat list: -t -u -w -x; none: all of them.
struct SocketKindArguments {
  bool tcp = false, udp = false, raw = false, unix_sockets = false;

  void add_to(CLI::App& command);
};

// Which finished connections to show: life and history.
struct RecordFilterArguments {
  std::vector<std::string> ports, outcomes;
  RecordFilter filter; // pids, comm and durations go straight in

  void add_to(CLI::App& command);
  // Throws tcpsight::Error for a value that makes no sense.
  RecordFilter to_filter() const;
};

// --show-cgroup: a column naming each owner's container, pod or unit.
void add_cgroup_column_flag(CLI::App& command, bool& shown);

// The kernel's side of a live source: --ring-buffer-size, -v.
void add_live_source_options(CLI::App& command, EventSourceOptions& source);
// Where events come from and go: those, --read and --write.
void add_source_options(CLI::App& command, EventSourceOptions& source);

// Values that cannot be empty (a file name, a command name), and counts
// from 1 (a --limit).
extern const CLI::Validator kNotEmpty;
extern const CLI::Validator kCount;

// Checks an option's value with a parser that throws tcpsight::Error.
CLI::Validator parsed_by(std::function<void(const std::string&)> parse, const char* name);

} // namespace tcpsight::cli
