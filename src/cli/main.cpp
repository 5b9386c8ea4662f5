// tcpsight: TCP connection events from the kernel, and a modern netstat.
#include "commands.hpp"

#include "tcpsight/error.hpp"
#include "tcpsight/socket_filter.hpp"
#include "tcpsight/time_spec.hpp"

#include <CLI/CLI.hpp>
#include <charconv>
#include <cstdint>
#include <fmt/core.h>
#include <map>

namespace {

using namespace tcpsight;

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

// Filter values as typed; turned into a Filter after parsing, so that a bad
// value is a usage error with a message that says what is wrong.
struct FilterArguments {
  std::vector<std::string> ports, local_ports, remote_ports, states;
  bool ipv4 = false, ipv6 = false;
  std::optional<std::uint32_t> pid;
  std::optional<std::string> comm, netns, cgroup;

  void add_to(CLI::App& command) {
    command.add_option("--port", ports, "Local or remote port (repeat or comma-separate)")
        ->delimiter(',');
    command.add_option("--sport", local_ports, "Local port")->delimiter(',');
    command.add_option("--dport", remote_ports, "Remote port")->delimiter(',');
    command.add_option("--state", states, "Old or new state, e.g. SYN_SENT or time-wait")
        ->delimiter(',');
    command.add_flag("-4,--ipv4", ipv4, "IPv4 only");
    command.add_flag("-6,--ipv6", ipv6, "IPv6 only");
    command.add_option("--pid", pid, "Owning process id")->check(CLI::PositiveNumber);
    command.add_option("--comm", comm, "Owning command name, exactly (at most 15 bytes)");
    command.add_option("--netns", netns,
                       "Network namespace: inode, or a file such as /run/netns/NAME");
    command.add_option("--cgroup", cgroup,
                       "Owner's cgroup v2: id, or its /sys/fs/cgroup directory");
  }

  // Throws tcpsight::Error for a value that makes no sense.
  Filter to_filter() const {
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
};

// Which finished connections to show, as typed: life and history.
struct RecordFilterArguments {
  std::vector<std::string> ports, outcomes;
  RecordFilter filter; // pids, comm and durations go straight in

  void add_to(CLI::App& command) {
    command.add_option("--port", ports, "Local or remote port (repeat or comma-separate)")
        ->delimiter(',');
    command.add_option("--pid", filter.pids, "Owning process id (repeat or comma-separate)")
        ->delimiter(',')
        ->check(CLI::PositiveNumber);
    command.add_option("--comm", filter.comm, "Owning command name, exactly");
    command.add_option("--min-ms", filter.min_ms, "Lasted at least this many ms")
        ->check(CLI::NonNegativeNumber);
    command.add_option("--max-ms", filter.max_ms, "Lasted at most this many ms")
        ->check(CLI::NonNegativeNumber);
    command
        .add_option("--outcome", outcomes,
                    "normal_active, normal_passive, simultaneous, reset_sent, reset_received, "
                    "refused, timed_out, aborted or failed (repeat or comma-separate)")
        ->delimiter(',');
  }

  // Throws tcpsight::Error for a value that makes no sense.
  RecordFilter to_filter() const {
    auto result = filter;
    for (const auto& port : ports)
      result.ports.push_back(parse_port(port));
    for (const auto& name : outcomes) {
      const auto outcome = parse_outcome(name);
      if (!outcome || *outcome == Outcome::StillOpen)
        throw Error(
            fmt::format("--outcome: '{}' is not an outcome of a finished connection", name));
      result.outcomes.push_back(*outcome);
    }
    return result;
  }
};

// A duration or size option, checked when parsed: "7d", "500M".
template <typename Parse> CLI::Validator parsed_by(Parse parse, const char* name) {
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

// Where events come from and go: ring buffer, libbpf's voice, recordings.
void add_source_options(CLI::App& command, cli::EventSourceOptions& source) {
  command
      .add_option("--ring-buffer-size", source.ring_buffer_bytes,
                  "Kernel ring buffer size in bytes (a power of two, at least a page)")
      ->check(kRingBufferSize)
      ->capture_default_str();
  command.add_flag("-v,--verbose", source.verbose, "Show libbpf's diagnostics");
  auto* read = command.add_option("--read", source.read_path,
                                  "Replay events recorded with `trace --write` (no root needed)");
  command
      .add_option("--write", source.write_path,
                  "Also record every event to this file, for --read later")
      ->excludes(read);
}

} // namespace

int main(int argc, char** argv) {
  using namespace tcpsight::cli;

  CLI::App app{"tcpsight: trace TCP connection events with eBPF", "tcpsight"};
  app.set_version_flag("-V,--version", "tcpsight " TCPSIGHT_VERSION);
  app.require_subcommand(1);

  TraceOptions trace;
  SocketFilter ls_filter;
  FilterArguments filter;
  auto* trace_cmd = app.add_subcommand(
      "trace", "Stream every TCP state transition, reset and handshake retransmission");
  trace_cmd->add_flag("--json", trace.json, "One JSON object per line");
  trace_cmd->add_flag("--explain", trace.explain, "Say what each event means in TCP terms");
  filter.add_to(*trace_cmd);
  add_source_options(*trace_cmd, trace.source);

  LifeOptions life;
  RecordFilterArguments life_records;
  auto* life_cmd = app.add_subcommand(
      "life", "One line per finished connection: owner, bytes, duration, handshake, outcome, path");
  life_cmd->add_flag("--json", life.json, "One JSON object per connection");
  life_records.add_to(*life_cmd);
  add_source_options(*life_cmd, life.source);

  RecordOptions record;
  RecordFilterArguments record_filter; // only its ports apply: they are filtered in the kernel
  std::string retain = "7d", max_size = "1G";
  auto* record_cmd = app.add_subcommand(
      "record", "Record finished connections (and transitions) into a history database");
  record_cmd->add_option("--db", record.db_path,
                         "Database file (default: /var/lib/tcpsight/history.db as root, else "
                         "$XDG_STATE_HOME/tcpsight/history.db)");
  record_cmd->add_flag("--transitions", record.transitions, "Also record every transition");
  record_cmd->add_option("--retain", retain, "Delete connections older than this ('0': keep all)")
      ->check(
          parsed_by([](const std::string& t) { return t == "0" ? 0 : parse_duration(t); }, "AGE"))
      ->capture_default_str();
  record_cmd
      ->add_option("--max-size", max_size, "Delete the oldest beyond this size ('0': no limit)")
      ->check(parsed_by([](const std::string& t) { return t == "0" ? 0 : parse_size(t); }, "SIZE"))
      ->capture_default_str();
  record_cmd
      ->add_option("--port", record_filter.ports,
                   "Only connections on these ports (repeat or comma-separate)")
      ->delimiter(',');
  add_source_options(*record_cmd, record.source);

  HistoryOptions history;
  RecordFilterArguments history_records;
  auto* history_cmd = app.add_subcommand("history", "Query the connections `tcpsight record` kept");
  history_cmd->add_option("--db", history.db_path, "Database file (as for record)");
  history_cmd->add_option("--since", history.since,
                          "Ended at or after: an age (1h, 30m, 7d), a local time (2026-11-24 "
                          "13:45) or @epoch-seconds");
  history_cmd->add_option("--until", history.until, "Ended at or before (as --since)");
  history_cmd->add_option("--addr", history.address, "Local or remote address, e.g. 10.0.0.7");
  history_records.add_to(*history_cmd);
  history_cmd->add_option("--limit", history.limit, "Only the latest N");
  history_cmd->add_flag("--json", history.json, "One JSON object per connection");
  history_cmd->add_flag("--summary", history.summary,
                        "Counts per outcome and per remote endpoint instead");

  LsOptions ls;
  bool numeric = false;
  auto* ls_cmd = app.add_subcommand("ls", "List the sockets that exist now, like ss and netstat");
  ls_cmd->add_flag("-t,--tcp", ls.tcp, "TCP sockets");
  ls_cmd->add_flag("-u,--udp", ls.udp, "UDP sockets");
  ls_cmd->add_flag("-w,--raw", ls.raw, "Raw sockets");
  ls_cmd->add_flag("-x,--unix", ls.unix_sockets, "Unix sockets");
  ls_cmd->add_flag("-l,--listening", ls.listening, "Only listening (and unconnected) sockets");
  ls_cmd->add_flag("-a,--all", ls.all, "Listening and connected sockets");
  ls_cmd->add_flag("-p,--processes", ls.processes, "The processes that hold each socket");
  ls_cmd->add_flag("-n,--numeric", numeric, "Numeric addresses and ports (always the case)");
  ls_cmd->add_flag("-4,--ipv4", ls.ipv4, "IPv4 only");
  ls_cmd->add_flag("-6,--ipv6", ls.ipv6, "IPv6 only");
  ls_cmd->add_flag("--json", ls.json, "One JSON object per socket");
  ls_cmd->add_flag("-e,--extended", ls.extended, "uid, inode, socket cookie and cgroup");
  ls_cmd->add_flag("-i,--info", ls.tcp_info, "TCP internals: rtt, cwnd, retransmissions");
  ls_cmd->add_flag("-c,--continuous", ls.continuous, "Again every second, until interrupted");
  ls_cmd
      ->add_option("-N,--net", ls.namespaces,
                   "Network namespace: a name from /run/netns, a path such as "
                   "/proc/PID/ns/net, or 'all' (repeat for several; needs root)")
      ->type_name("NS");
  std::string source = "auto";
  ls_cmd
      ->add_option("--source", source,
                   "Where TCP and UDP sockets come from: auto (sock_diag, then BPF iterators, "
                   "then /proc/net), netlink, bpf or proc")
      ->check(CLI::IsMember({"auto", "netlink", "bpf", "proc"}))
      ->type_name("SOURCE");
  ls_cmd->add_option(
      "filter", ls.filter,
      "ss's filter: [state STATE]... [sport|dport OP :PORT] [src|dst ADDR[/N][:PORT]] "
      "with and, or, not, ( )");

  NetstatOptions netstat;
  bool inet_family = false;
  bool netstat_version = false;
  auto* netstat_cmd = app.add_subcommand(
      "netstat", "List sockets with the options and columns of net-tools netstat");
  netstat_cmd->add_flag("-t,--tcp", netstat.tcp, "TCP sockets");
  netstat_cmd->add_flag("-u,--udp", netstat.udp, "UDP sockets");
  netstat_cmd->add_flag("-w,--raw", netstat.raw, "Raw sockets");
  netstat_cmd->add_flag("-x,--unix", netstat.unix_sockets, "Unix sockets");
  netstat_cmd->add_option("-A,--protocol", netstat.families, "Address families: inet, inet6, unix")
      ->delimiter(',')
      ->check(CLI::IsMember({"inet", "inet6", "unix"}));
  netstat_cmd->add_flag("--inet,--ip", inet_family, "Same as -A inet");
  netstat_cmd->add_flag("-l,--listening", netstat.listening, "Only listening sockets");
  netstat_cmd->add_flag("-a,--all", netstat.all, "Listening and connected sockets");
  netstat_cmd->add_flag("-n,--numeric", netstat.numeric, "Numbers instead of names");
  netstat_cmd->add_flag("-p,--program", netstat.processes, "PID and name of each socket's program");
  netstat_cmd->add_flag("-e,--extend", netstat.extend, "User and inode columns");
  netstat_cmd->add_flag("-o,--timers", netstat.timers, "TCP timer column");
  netstat_cmd->add_flag("-c,--continuous", netstat.continuous, "Again every second");
  netstat_cmd->add_flag("-v,--verbose", netstat.verbose, "Say which sources were used");
  netstat_cmd->add_flag("-V,--version", netstat_version, "Print the version");
  netstat_cmd->add_flag("-s,--statistics", netstat.statistics, "Per-protocol counters");
  netstat_cmd->add_flag("-r,--route", netstat.routes, "The IPv4 routing table");
  netstat_cmd->add_flag("-F,--fib", netstat.routes, "With -r: the forwarding table (the default)");
  netstat_cmd->add_flag("-C,--cache", netstat.route_cache, "With -r: the routing cache");
  netstat_cmd->add_flag("-i,--interfaces", netstat.interfaces, "Interface counters");
  netstat_cmd->add_flag("-g,--groups", netstat.groups, "Multicast group memberships");
  netstat_cmd->add_flag("-M,--masquerade", netstat.masquerade,
                        "Masqueraded (translated) connections, from conntrack");
  netstat_cmd->add_flag("-N,--symbolic", netstat.symbolic,
                        "Symbolic hardware names (net-tools; changes none of these tables)");

  app.add_subcommand("states", "Explain the TCP states and how they follow each other");

  try {
    app.parse(argc, argv);
    if (*trace_cmd)
      trace.source.filter = filter.to_filter();
    life.records = life_records.to_filter();
    life.source.filter.ports = life.records.ports; // in the kernel too
    for (const auto& port : record_filter.ports)
      record.source.filter.ports.push_back(parse_port(port));
    record.retain_ns = retain == "0" ? std::nullopt : std::optional(parse_duration(retain));
    record.max_bytes = max_size == "0" ? std::nullopt : std::optional(parse_size(max_size));
    history.records = history_records.to_filter();
    if (history.since)
      parse_time(*history.since, 0);
    if (history.until)
      parse_time(*history.until, 0);
    if (inet_family)
      netstat.families.push_back("inet");
    if (*ls_cmd) {
      ls_filter = SocketFilter::parse(ls.filter);
      ls.source = source == "netlink" ? SnapshotSource::SockDiag
                  : source == "bpf"   ? SnapshotSource::BpfIterator
                  : source == "proc"  ? SnapshotSource::ProcNet
                                      : SnapshotSource::Automatic;
    }
  } catch (const CLI::ParseError& e) {
    const int status = app.exit(e);
    return status == 0 ? 0 : kUsageError;
  } catch (const tcpsight::Error& e) {
    fmt::print(stderr, "tcpsight: {}\n", e.what());
    return kUsageError;
  }

  try {
    if (*trace_cmd)
      return run_trace(trace);
    if (*life_cmd)
      return run_life(life);
    if (*record_cmd)
      return run_record(record);
    if (*history_cmd)
      return run_history(history);
    if (*ls_cmd)
      return run_ls(ls, ls_filter);
    if (*netstat_cmd) {
      if (netstat_version) {
        fmt::print("tcpsight netstat " TCPSIGHT_VERSION "\n");
        return 0;
      }
      return run_netstat(netstat);
    }
    return run_states();
  } catch (const tcpsight::Error& e) {
    fmt::print(stderr, "tcpsight: {}\n", e.what());
    return kRuntimeError;
  }
}
