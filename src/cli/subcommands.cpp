#include "subcommands.hpp"

#include "arguments.hpp"
#include "commands.hpp"
#include "tcpsight/model/time_spec.hpp"
#include "tcpsight/views/top_controls.hpp"

#include <fmt/core.h>

namespace tcpsight::cli {
namespace {

class TraceSubcommand : public Subcommand {
public:
  explicit TraceSubcommand(CLI::App& parent)
      : Subcommand(parent.add_subcommand(
            "trace", "Stream every TCP state transition, reset and handshake retransmission")) {
    auto& app = *parent.get_subcommand("trace");
    app.add_flag("--json", options_.json, "One JSON object per line");
    app.add_flag("--explain", options_.explain, "Say what each event means in TCP terms");
    filter_.add_to(app);
    add_source_options(app, options_.source);
  }
  void finish_parsing() override { options_.source.filter = filter_.to_filter(); }
  int run() override { return run_trace(options_); }

private:
  TraceOptions options_;
  FilterArguments filter_;
};

class LifeSubcommand : public Subcommand {
public:
  explicit LifeSubcommand(CLI::App& parent)
      : Subcommand(parent.add_subcommand("life", "One line per finished connection: owner, "
                                                 "bytes, duration, handshake, outcome, path")) {
    auto& app = *parent.get_subcommand("life");
    app.add_flag("--json", options_.json, "One JSON object per connection");
    records_.add_to(app);
    add_source_options(app, options_.source);
  }
  void finish_parsing() override {
    options_.records = records_.to_filter();
    options_.source.filter.ports = options_.records.ports; // in the kernel too
  }
  int run() override { return run_life(options_); }

private:
  LifeOptions options_;
  RecordFilterArguments records_;
};

class RecordSubcommand : public Subcommand {
public:
  explicit RecordSubcommand(CLI::App& parent)
      : Subcommand(parent.add_subcommand(
            "record", "Record finished connections (and transitions) into a history database")) {
    auto& app = *parent.get_subcommand("record");
    app.add_option("--db", options_.db_path,
                   "Database file (default: /var/lib/tcpsight/history.db as root, else "
                   "$XDG_STATE_HOME/tcpsight/history.db)");
    app.add_flag("--transitions", options_.transitions, "Also record every transition");
    app.add_option("--retain", retain_, "Delete connections older than this ('0': keep all)")
        ->check(parsed_by(
            [](const std::string& t) {
              if (t != "0")
                parse_duration(t);
            },
            "AGE"))
        ->capture_default_str();
    app.add_option("--max-size", max_size_, "Delete the oldest beyond this size ('0': no limit)")
        ->check(parsed_by(
            [](const std::string& t) {
              if (t != "0")
                parse_size(t);
            },
            "SIZE"))
        ->capture_default_str();
    app.add_option("--port", ports_, "Only connections on these ports (repeat or comma-separate)")
        ->delimiter(',');
    add_source_options(app, options_.source);
  }
  void finish_parsing() override {
    for (const auto& port : ports_)
      options_.source.filter.ports.push_back(parse_port(port));
    // Any zero ("0", "0s", "0d") keeps everything, rather than deleting it all.
    const auto age = retain_ == "0" ? 0 : parse_duration(retain_);
    options_.retain_ns = age == 0 ? std::nullopt : std::optional(age);
    options_.max_bytes = max_size_ == "0" ? std::nullopt : std::optional(parse_size(max_size_));
  }
  int run() override { return run_record(options_); }

private:
  RecordOptions options_;
  std::vector<std::string> ports_;
  std::string retain_ = "7d", max_size_ = "1G";
};

class HistorySubcommand : public Subcommand {
public:
  explicit HistorySubcommand(CLI::App& parent)
      : Subcommand(
            parent.add_subcommand("history", "Query the connections `tcpsight record` kept")) {
    auto& app = *parent.get_subcommand("history");
    app.add_option("--db", options_.db_path, "Database file (as for record)");
    app.add_option("--since", options_.since,
                   "Ended at or after: an age (1h, 30m, 7d), a local time (2026-11-24 13:45) "
                   "or @epoch-seconds")
        ->check(parsed_by([](const std::string& t) { parse_time(t, 0); }, "TIME"));
    app.add_option("--until", options_.until, "Ended at or before (as --since)")
        ->check(parsed_by([](const std::string& t) { parse_time(t, 0); }, "TIME"));
    app.add_option("--addr", options_.address, "Local or remote address, e.g. 10.0.0.7");
    records_.add_to(app);
    app.add_option("--limit", options_.limit, "Only the latest N");
    app.add_flag("--json", options_.json, "One JSON object per connection");
    app.add_flag("--summary", options_.summary,
                 "Counts per outcome and per remote endpoint instead");
  }
  void finish_parsing() override { options_.records = records_.to_filter(); }
  int run() override { return run_history(options_); }

private:
  HistoryOptions options_;
  RecordFilterArguments records_;
};

class TopSubcommand : public Subcommand {
public:
  explicit TopSubcommand(CLI::App& parent)
      : Subcommand(parent.add_subcommand(
            "top", "A live table of every TCP connection, highlighting what opens, changes and "
                   "closes")) {
    auto& app = *parent.get_subcommand("top");
    add_source_options(app, options_.source);
    app.add_option("filter", words_, "A filter to start with, as ls takes it (sport = :443 ...)");
  }
  void finish_parsing() override {
    for (const auto& word : words_) // one quoted argument or many words, as typed
      options_.filter += (options_.filter.empty() ? "" : " ") + word;
    TopControls().set_filter(options_.filter); // a usage error now rather than on the screen
  }
  int run() override { return run_top(options_); }

private:
  TopOptions options_;
  std::vector<std::string> words_;
};

class LsSubcommand : public Subcommand {
public:
  explicit LsSubcommand(CLI::App& parent)
      : Subcommand(
            parent.add_subcommand("ls", "List the sockets that exist now, like ss and netstat")) {
    auto& app = *parent.get_subcommand("ls");
    app.add_flag("-t,--tcp", options_.tcp, "TCP sockets");
    app.add_flag("-u,--udp", options_.udp, "UDP sockets");
    app.add_flag("-w,--raw", options_.raw, "Raw sockets");
    app.add_flag("-x,--unix", options_.unix_sockets, "Unix sockets");
    app.add_flag("-l,--listening", options_.listening, "Only listening (and unconnected) sockets");
    app.add_flag("-a,--all", options_.all, "Listening and connected sockets");
    app.add_flag("-p,--processes", options_.processes, "The processes that hold each socket");
    app.add_flag("-n,--numeric", numeric_, "Numeric addresses and ports (always the case)");
    app.add_flag("-4,--ipv4", options_.ipv4, "IPv4 only");
    app.add_flag("-6,--ipv6", options_.ipv6, "IPv6 only");
    app.add_flag("--json", options_.json, "One JSON object per socket");
    app.add_flag("-e,--extended", options_.extended, "uid, inode, socket cookie and cgroup");
    app.add_flag("-i,--info", options_.tcp_info, "TCP internals: rtt, cwnd, retransmissions");
    app.add_flag("-c,--continuous", options_.continuous, "Again every second, until interrupted");
    app.add_option("-N,--net", options_.namespaces,
                   "Network namespace: a name from /run/netns, a path such as "
                   "/proc/PID/ns/net, or 'all' (repeat for several; needs root)")
        ->type_name("NS");
    app.add_option("--source", source_,
                   "Where TCP and UDP sockets come from: auto (sock_diag, then BPF iterators, "
                   "then /proc/net), netlink, bpf or proc")
        ->check(CLI::IsMember({"auto", "netlink", "bpf", "proc"}))
        ->type_name("SOURCE");
    app.add_option("filter", options_.filter,
                   "ss's filter: [state STATE]... [sport|dport OP :PORT] [src|dst ADDR[/N][:PORT]] "
                   "with and, or, not, ( )");
  }
  void finish_parsing() override {
    filter_ = SocketFilter::parse(options_.filter);
    options_.source = source_ == "netlink" ? SnapshotSource::SockDiag
                      : source_ == "bpf"   ? SnapshotSource::BpfIterator
                      : source_ == "proc"  ? SnapshotSource::ProcNet
                                           : SnapshotSource::Automatic;
  }
  int run() override { return run_ls(options_, filter_); }

private:
  LsOptions options_;
  SocketFilter filter_;
  bool numeric_ = false;
  std::string source_ = "auto";
};

class NetstatSubcommand : public Subcommand {
public:
  explicit NetstatSubcommand(CLI::App& parent)
      : Subcommand(parent.add_subcommand(
            "netstat", "List sockets with the options and columns of net-tools netstat")) {
    auto& app = *parent.get_subcommand("netstat");
    auto& o = options_;
    app.add_flag("-t,--tcp", o.tcp, "TCP sockets");
    app.add_flag("-u,--udp", o.udp, "UDP sockets");
    app.add_flag("-w,--raw", o.raw, "Raw sockets");
    app.add_flag("-x,--unix", o.unix_sockets, "Unix sockets");
    app.add_option("-A,--protocol", o.families, "Address families: inet, inet6, unix")
        ->delimiter(',')
        ->check(CLI::IsMember({"inet", "inet6", "unix"}));
    app.add_flag("--inet,--ip", inet_family_, "Same as -A inet");
    app.add_flag("-l,--listening", o.listening, "Only listening sockets");
    app.add_flag("-a,--all", o.all, "Listening and connected sockets");
    app.add_flag("-n,--numeric", o.numeric, "Numbers instead of names");
    app.add_flag("-p,--program", o.processes, "PID and name of each socket's program");
    app.add_flag("-e,--extend", o.extend, "User and inode columns");
    app.add_flag("-o,--timers", o.timers, "TCP timer column");
    app.add_flag("-c,--continuous", o.continuous, "Again every second");
    app.add_flag("-v,--verbose", o.verbose, "Say which sources were used");
    app.add_flag("-V,--version", version_, "Print the version");
    app.add_flag("-s,--statistics", o.statistics, "Per-protocol counters");
    app.add_flag("-r,--route", o.routes, "The IPv4 routing table");
    app.add_flag("-F,--fib", o.routes, "With -r: the forwarding table (the default)");
    app.add_flag("-C,--cache", o.route_cache, "With -r: the routing cache");
    app.add_flag("-i,--interfaces", o.interfaces, "Interface counters");
    app.add_flag("-g,--groups", o.groups, "Multicast group memberships");
    app.add_flag("-M,--masquerade", o.masquerade,
                 "Masqueraded (translated) connections, from conntrack");
    app.add_flag("-N,--symbolic", o.symbolic,
                 "Symbolic hardware names (net-tools; changes none of these tables)");
  }
  void finish_parsing() override {
    if (inet_family_)
      options_.families.push_back("inet");
  }
  int run() override {
    if (version_) {
      fmt::print("tcpsight netstat " TCPSIGHT_VERSION "\n");
      return 0;
    }
    return run_netstat(options_);
  }

private:
  NetstatOptions options_;
  bool inet_family_ = false;
  bool version_ = false;
};

class StatesSubcommand : public Subcommand {
public:
  explicit StatesSubcommand(CLI::App& parent)
      : Subcommand(parent.add_subcommand("states",
                                         "Explain the TCP states and how they follow each other")) {
  }
  int run() override { return run_states(); }
};

} // namespace

std::vector<std::unique_ptr<Subcommand>> add_subcommands(CLI::App& app) {
  std::vector<std::unique_ptr<Subcommand>> subcommands;
  subcommands.push_back(std::make_unique<TraceSubcommand>(app));
  subcommands.push_back(std::make_unique<LifeSubcommand>(app));
  subcommands.push_back(std::make_unique<RecordSubcommand>(app));
  subcommands.push_back(std::make_unique<HistorySubcommand>(app));
  subcommands.push_back(std::make_unique<TopSubcommand>(app));
  subcommands.push_back(std::make_unique<LsSubcommand>(app));
  subcommands.push_back(std::make_unique<NetstatSubcommand>(app));
  subcommands.push_back(std::make_unique<StatesSubcommand>(app));
  return subcommands;
}

} // namespace tcpsight::cli
