#include "arguments.hpp"
#include "subcommand.hpp"
#include "tcpsight/pipeline/socket_filter.hpp"
#include "tcpsight/pipeline/socket_query.hpp"

#include "tcpsight/kernel/cgroup_directory.hpp"
#include "tcpsight/kernel/filter_file.hpp"
#include "tcpsight/kernel/network_namespace.hpp"
#include "tcpsight/kernel/snapshot.hpp"
#include "tcpsight/kernel/sock_diag.hpp"
#include "tcpsight/kernel/socket_owners.hpp"
#include "tcpsight/kernel/socket_summary.hpp"
#include "tcpsight/kernel/system_filter_names.hpp"
#include "tcpsight/model/error.hpp"
#include "tcpsight/session/repeat.hpp"
#include "tcpsight/session/stop_signals.hpp"
#include "tcpsight/views/output_writer.hpp"
#include "tcpsight/views/socket_summary_view.hpp"
#include "tcpsight/views/socket_table.hpp"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fmt/core.h>
#include <future>
#include <map>
#include <optional>

namespace tcpsight::cli {
namespace {

struct LsOptions {
  bool processes = false;
  bool threads = false; // -T: the threads holding each socket
  bool json = false;
  bool extended = false;               // -e
  bool tcp_info = false;               // -i
  bool timers = false;                 // -o
  bool memory = false;                 // -m
  bool kill = false;                   // -K: close what the filter matches
  bool resolve = false;                // -r: names instead of numbers
  bool numeric = false;                // -n: with -r, port numbers still
  bool cgroup_names = false;           // --show-cgroup
  bool cgroup_paths = false;           // --cgroup
  bool traffic_class = false;          // --tos
  bool inet_options = false;           // --inet-sockopt
  bool continuous = false;             // -c: again every second
  std::vector<std::string> namespaces; // -N: names, paths or "all"; none: the caller's
  SnapshotSource source = SnapshotSource::Automatic;
  SocketQuery query;               // -t -u -w -x -A -f -4 -6 -a -l
  bool header = true;              // -H: none
  bool summary = false;            // -s: ss's counts first
  bool listing = true;             // false: -s alone, the counts only
  std::vector<std::string> filter; // ss's filter language, word by word
};

SnapshotRequest snapshot_request(const LsOptions& options) {
  SnapshotRequest request;
  request.protocols = options.query.protocols();
  request.ipv4 = options.query.wants_ipv4();
  request.ipv6 = options.query.wants_ipv6();
  // The query chooses the states, as ss's do.
  request.selection = SocketSelection::All;
  // JSON carries tcp_info whenever it is known.
  request.tcp_info = options.tcp_info || options.json;
  request.memory = options.memory;
  request.traffic_class = options.traffic_class || options.json;
  request.unix_files = options.extended;
  request.source = options.source;
  return request;
}

std::vector<NetworkNamespace> namespaces_to_list(const LsOptions& options) {
  std::vector<NetworkNamespace> namespaces;
  for (const auto& name : options.namespaces) {
    if (name == "all")
      return all_network_namespaces();
    namespaces.push_back(find_network_namespace(name));
  }
  if (namespaces.empty())
    namespaces.push_back(find_network_namespace("/proc/thread-self/ns/net"));
  return namespaces;
}

// ss -s's counts, of the calling thread's namespace; labelled when there are several.
void append_summary(OutputWriter& out, bool json, bool labelled) {
  const auto summary = read_socket_summary();
  if (summary.malformed_lines > 0)
    fmt::print(stderr,
               "tcpsight: skipped {} lines of /proc/net/sockstat and snmp that did not "
               "parse\n",
               summary.malformed_lines);
  if (json) {
    append_socket_summary_json(out.text(), summary);
  } else {
    if (labelled)
      out.text() += fmt::format("Netns: {}\n", summary.netns);
    out.text() += format_socket_summary(summary);
  }
  out.written();
}

// -K: closes a TCP or UDP socket, as ss -K does; false for another kind, one
// gone meanwhile, or once the kernel refused (the first refusal, in refused,
// ends the closing: it would refuse them all).
bool closed_now(InetSocketDestroyer& destroyer, const SocketRow& row, int& refused) {
  if (refused != 0 || (row.protocol != Protocol::Tcp && row.protocol != Protocol::Udp))
    return false;
  const int error = destroyer.destroy(row);
  if (error != 0 && error != ENOENT)
    refused = error;
  return error == 0;
}

std::string kill_refusal(int error) {
  if (error == EPERM || error == EACCES)
    return "ls -K: closing sockets needs CAP_NET_ADMIN";
  if (error == EOPNOTSUPP)
    return "ls -K: this kernel cannot close sockets (built without CONFIG_INET_DIAG_DESTROY)";
  return fmt::format("ls -K: closing a socket failed: {}", std::strerror(error));
}

void report(const SnapshotStatus& status) {
  for (const auto& note : status.notes)
    fmt::print(stderr, "tcpsight: {}\n", note);
  if (status.malformed > 0)
    fmt::print(stderr, "tcpsight: skipped {} lines of /proc/net that did not parse\n",
               status.malformed);
}

// Whether cgroup ids are named: -e and --cgroup show paths, --show-cgroup names.
bool names_cgroups(const LsOptions& options) {
  return options.cgroup_names || options.cgroup_paths || (options.extended && !options.json);
}

// Returns false once the output is closed. cgroups: where cgroup ids are
// named, kept from one listing to the next (-c).
bool list_once(const LsOptions& options, const SocketFilter& filter,
               std::optional<CgroupDirectory>& cgroup_directory, NameResolver& names) {
  const auto request = snapshot_request(options);
  const auto namespaces = namespaces_to_list(options);

  // Owners come from another source than the sockets: start on them at once.
  std::future<SocketOwners> pending_owners;
  if (options.processes)
    pending_owners = std::async(std::launch::async, [&] {
      return options.threads ? scan_socket_threads() : find_socket_owners();
    });
  std::optional<SocketOwners> owners;
  const auto owners_ready = [&]() -> const SocketOwners* {
    if (!options.processes)
      return nullptr;
    if (!owners) {
      owners = pending_owners.get();
      if (owners->partial)
        fmt::print(stderr, "tcpsight: some processes could not be read; run as root to see the "
                           "owner of every socket\n");
    }
    return &*owners;
  };

  // Each row is printed as it arrives: memory stays flat however many sockets there are.
  OutputWriter out;
  if (options.summary)
    for (const auto& ns : namespaces)
      run_in_network_namespace(ns,
                               [&] { append_summary(out, options.json, namespaces.size() > 1); });
  if (!options.listing) {
    out.finish();
    return out.open();
  }
  if (options.query.protocols().empty()) { // -A '!tcp', say: as in ss, not an error
    out.finish();
    fmt::print(stderr, "tcpsight: ls: no socket tables to show with such a filter\n");
    return out.open();
  }
  const CgroupLookup cgroups = [&](std::uint64_t id) { return cgroup_directory->find(id); };
  SocketTableColumns columns{.netns = namespaces.size() > 1,
                             .extended = options.extended,
                             .tcp_info = options.tcp_info,
                             .timers = options.timers,
                             .memory = options.memory,
                             .traffic_class = options.traffic_class,
                             .inet_options = options.inet_options,
                             .cgroup_paths = options.cgroup_paths,
                             .cgroup_names = options.cgroup_names,
                             .names = options.resolve ? &names : nullptr,
                             .port_names = !options.numeric};
  columns.threads = options.threads;
  if (names_cgroups(options))
    columns.cgroups = cgroups;
  if (!options.json) {
    columns.owners = owners_ready();
    if (options.header)
      out.text() += socket_table_header(columns);
  }
  int refused = 0;                              // with -K, the error that stopped it
  std::optional<InetSocketDestroyer> destroyer; // with -K, of the namespace listed
  const SocketVisitor print_row = [&](const SocketRow& row) {
    if (!options.query.wants(row) || !filter.matches(row))
      return;
    // Closing does not wait on the output: a reader that went away ends the list, not -K.
    if (options.kill && !closed_now(*destroyer, row, refused))
      return;
    if (!out.open())
      return;
    if (options.json)
      append_socket_json(out.text(), row, owners_ready(),
                         options.cgroup_names ? cgroups(row.cgroup_id) : nullptr);
    else
      append_socket_table_row(out.text(), row, columns);
    out.written();
  };
  for (const auto& ns : namespaces)
    run_in_network_namespace(ns, [&] {
      if (options.kill)
        destroyer.emplace(); // made there: it closes that namespace's sockets
      report(visit_snapshot(request, print_row));
    });
  out.finish();
  if (refused != 0)
    throw Error(kill_refusal(refused));
  return out.open();
}

int run_ls(const LsOptions& options, const SocketFilter& filter) {
  // Walked on the first socket with a cgroup, and again only for one it does not know.
  std::optional<CgroupDirectory> cgroups;
  if (names_cgroups(options))
    cgroups.emplace();
  NameResolver names; // each name looked up once, as netstat's
  if (!options.continuous) {
    list_once(options, filter, cgroups, names);
    return 0;
  }
  install_stop_signals();
  repeat_until_stopped(std::chrono::seconds(1),
                       [&] { return list_once(options, filter, cgroups, names); });
  return 0;
}

class LsSubcommand : public Subcommand {
public:
  explicit LsSubcommand(CLI::App& parent)
      : Subcommand(
            parent.add_subcommand("ls", "List the sockets that exist now, like ss and netstat")),
        app_(*parent.get_subcommand("ls")) {
    auto& app = app_;
    // These are read in the order given, through parse_order(): see choose_sockets.
    kinds_.add_to(app);
    app.add_flag("-l,--listening")->description("Only listening (and unconnected) sockets");
    app.add_flag("-a,--all")->description("Listening and connected sockets");
    app.add_flag("-p,--processes", options_.processes, "The processes that hold each socket");
    app.add_flag("-T,--threads", options_.threads,
                 "The threads that hold each socket, as ss -T: PID/TID/Thread");
    app.add_flag("-n,--numeric", options_.numeric,
                 "Numeric addresses and ports (the default); with -r, numeric ports");
    app.add_flag("-r,--resolve", options_.resolve,
                 "Host and service names, each looked up once; a host that takes over a "
                 "second stays a number");
    app.add_flag("-4,--ipv4")->description("IPv4 only");
    app.add_flag("-6,--ipv6")->description("IPv6 only");
    app.add_flag("--json", options_.json, "One JSON object per socket");
    app.add_flag("-e,--extended", options_.extended,
                 "Details, as ss shows them: uid (if not root), inode, socket cookie, mark, cgroup "
                 "path; timers too");
    add_cgroup_column_flag(app, options_.cgroup_names);
    app.add_flag("-i,--info", options_.tcp_info, "TCP internals: rtt, cwnd, retransmissions");
    app.add_flag("-m,--memory", options_.memory,
                 "Socket memory, as ss shows it: skmem:(r0,rb131072,t0,tb2626560,...)");
    app.add_flag("-o,--options", options_.timers,
                 "The pending TCP timer, as ss shows it: timer:(keepalive,119min,0)");
    app.add_flag("--tos", options_.traffic_class,
                 "ToS, traffic class and class id, as ss shows them: tos:0x10 class_id:0");
    app.add_flag("--cgroup", options_.cgroup_paths,
                 "The cgroup each socket was made in, as ss shows it: cgroup:/system.slice/...");
    app.add_flag("--inet-sockopt", options_.inet_options,
                 "The inet socket options set, as ss shows them: inet-sockopt: ( is_icsk mc_loop)");
    app.add_flag("-c,--continuous", options_.continuous, "Again every second, until interrupted");
    app.add_option("-N,--net", options_.namespaces,
                   "Network namespace: a name from /run/netns, a path such as "
                   "/proc/PID/ns/net, or 'all' (repeat for several; needs root)")
        ->type_name("NS")
        ->allow_extra_args(false); // the filter may follow
    app.add_option("--source", source_,
                   "Where TCP and UDP sockets come from: auto (sock_diag, then BPF iterators, "
                   "then /proc/net), netlink, bpf or proc")
        ->check(CLI::IsMember({"auto", "netlink", "bpf", "proc"}))
        ->type_name("SOURCE");
    app.add_option("-A,--query,--socket", tables_,
                   "Socket tables, as ss takes them: tcp, udp, raw, unix, inet, all, "
                   "unix_stream (u_str), unix_dgram (u_dgr), unix_seqpacket (u_seq); "
                   "comma-separate or repeat, ! before one leaves it out (all,!tcp)")
        ->type_name("QUERY")
        ->allow_extra_args(false); // the filter may follow
    app.add_option("-f,--family", families_, "Address family: inet, inet6 or unix (repeat)")
        ->type_name("FAMILY")
        ->allow_extra_args(false);
    app.add_flag("-s,--summary", options_.summary,
                 "ss's counts of sockets per protocol and state; the sockets too when a "
                 "protocol, family or filter is given");
    app.add_flag_callback(
        "-H,--no-header", [this] { options_.header = false; }, "No header line");
    app.add_flag("-O,--oneline", oneline_,
                 "One line per socket (always the case; accepted as ss takes it)");
    app.add_option("-F,--filter", filter_file_,
                   "Read the filter from this file ('-': standard input), as ss does")
        ->check(kNotEmpty)
        ->type_name("FILE");
    app.add_flag("-K,--kill", options_.kill,
                 "Close the TCP and UDP sockets the filter matches, as ss -K (needs "
                 "CAP_NET_ADMIN), and list those closed; trace shows reason=destroyed");
    app.add_flag("-E,--events", events_,
                 "ss's stream of closing sockets: `tcpsight trace` has it, and more");
    app.add_option("-D,--diag", diag_file_, "ss's raw sock_diag dump (not supported)")
        ->type_name("FILE");
    refuse_what_ss_has_and_ls_does_not(app);
    app.add_option("filter", options_.filter,
                   "ss's filter, quoted or word by word: [state|exclude STATE]... "
                   "[sport|dport [OP] PORT] [src|dst ADDR[/N][:PORT]] [dev NAME] [fwmark M[/MASK]] "
                   "[cgroup PATH] with and, or, not, ( ); "
                   "ports by number or service name (:ssh)");
  }
  // ss's options that ls does not take: accepted by the parser, then refused
  // on one line saying what they are, instead of a generic unknown option.
  // Left out of --help.
  void refuse_what_ss_has_and_ls_does_not(CLI::App& app) {
    static const std::pair<const char*, const char*> kNotTaken[] = {
        {"-b,--bpf", "the sockets' classic BPF filters"},
        {"-0,--packet", "packet sockets"},
        {"-S,--sctp", "SCTP sockets"},
        {"-M,--mptcp", "MPTCP sockets"},
        {"-d,--dccp", "DCCP sockets"},
        {"--vsock", "vsock sockets"},
        {"--xdp", "XDP sockets"},
        {"--tipc,--tipcinfo", "TIPC sockets"},
        {"-Z,--context", "SELinux contexts"},
        {"-z,--contexts", "SELinux contexts"},
        {"-B,--bound-inactive", "bound, inactive sockets"},
    };
    for (const auto& [names, what] : kNotTaken)
      app.add_flag_callback(
             names,
             [this, names = std::string(names), what = what] {
               refused_ = fmt::format("ls {}: ss's {}: not supported",
                                      names.substr(0, names.find(',')), what);
             },
             "")
          ->group("");
  }

  void finish_parsing() override {
    if (refused_)
      throw Error(*refused_);
    if (events_)
      throw Error("ls -E: sockets as they close are what `tcpsight trace` streams, with why and "
                  "when; run that instead");
    if (diag_file_)
      throw Error("ls -D: ss's raw sock_diag dump is not supported; --json has every field");
    choose_sockets();
    // As ss: -s alone, or with -a or -l, is the counts only, even with -F.
    options_.listing = !options_.summary || options_.query.chosen() || !options_.filter.empty();
    if (filter_file_) {
      if (!options_.filter.empty())
        throw Error("ls: give the filter in -F FILE or on the command line, not both");
      options_.filter = {read_filter_file(*filter_file_)};
    }
    filter_ = SocketFilter::parse(options_.filter, system_filter_names(), addresses());
    if (options_.kill && filter_.passes_everything())
      throw Error("ls -K: give a filter saying which sockets to close (ss -K with none closes "
                  "every one)");
    // A filter's states choose, whatever -a and -l say.
    if (filter_.chooses_states())
      options_.query.list_every_state();
    if (options_.kill && options_.continuous)
      throw Error("ls -K -c: closing sockets again every second is not supported");
    // A device's name is looked up here, and differs between namespaces.
    if (filter_.names_devices() && !options_.namespaces.empty())
      throw Error("ls -N: give dev conditions the device's index (ip link), not its name: the "
                  "name is looked up in this namespace");
    // As in ss, -T shows the owners (thread by thread), and -e the timers too.
    options_.processes = options_.processes || options_.threads;
    options_.timers = options_.timers || options_.extended;
    options_.source = source_ == "netlink" ? SnapshotSource::SockDiag
                      : source_ == "bpf"   ? SnapshotSource::BpfIterator
                      : source_ == "proc"  ? SnapshotSource::ProcNet
                                           : SnapshotSource::Automatic;
  }
  int run() override { return run_ls(options_, filter_); }

  // As ss: when the last family given is unix (-x, -f unix), src and dst
  // name unix sockets.
  SocketFilter::Addresses addresses() const {
    return last_family_ == "unix" ? SocketFilter::Addresses::UnixNames
                                  : SocketFilter::Addresses::Ip;
  }

  // The tables, families and states asked for, in ss's terms.
  void choose_sockets() {
    auto& query = options_.query;
    // As ss applies them: in the order given (the first -A starts the
    // tables afresh; the last of -a and -l counts).
    std::map<const CLI::Option*, std::size_t> values_taken;
    for (const CLI::Option* option : app_.parse_order()) {
      const auto next_value = [&] { return option->results().at(values_taken[option]++); };
      const auto family = [&](const std::string& name) {
        query.add_family(name);
        last_family_ = name;
      };
      if (option == app_.get_option("-t"))
        query.add_protocol(Protocol::Tcp);
      else if (option == app_.get_option("-u"))
        query.add_protocol(Protocol::Udp);
      else if (option == app_.get_option("-w"))
        query.add_protocol(Protocol::Raw);
      else if (option == app_.get_option("-x")) // ss's -x is -f unix
        family("unix");
      else if (option == app_.get_option("-4"))
        family("inet");
      else if (option == app_.get_option("-6"))
        family("inet6");
      else if (option == app_.get_option("-f"))
        family(next_value());
      else if (option == app_.get_option("-A"))
        query.add_tables(next_value());
      else if (option == app_.get_option("-a"))
        query.list_every_state();
      else if (option == app_.get_option("-l"))
        query.list_listening();
    }
  }

private:
  CLI::App& app_;
  SocketKindArguments kinds_; // -t -u -w -x, shared with netstat; their order is what counts
  LsOptions options_;
  SocketFilter filter_;
  bool oneline_ = false;
  bool events_ = false;
  std::vector<std::string> tables_, families_;
  std::optional<std::string> filter_file_, diag_file_;
  std::optional<std::string> refused_; // an ss option ls does not take
  std::string last_family_;            // of -x, -4, -6 and -f, the last given
  std::string source_ = "auto";
};

} // namespace

std::unique_ptr<Subcommand> add_ls_command(CLI::App& app) {
  return std::make_unique<LsSubcommand>(app);
}

} // namespace tcpsight::cli
