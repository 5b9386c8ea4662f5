#include "arguments.hpp"
#include "subcommand.hpp"

#include "tcpsight/kernel/kernel_tables.hpp"
#include "tcpsight/kernel/name_resolver.hpp"
#include "tcpsight/kernel/snapshot.hpp"
#include "tcpsight/model/error.hpp"
#include "tcpsight/session/repeat.hpp"
#include "tcpsight/session/stop_signals.hpp"
#include "tcpsight/views/netstat_view.hpp"
#include "tcpsight/views/output_writer.hpp"

#include <algorithm>
#include <filesystem>
#include <fmt/core.h>
#include <fstream>
#include <future>
#include <optional>

namespace tcpsight::cli {
namespace {

// net-tools netstat's options, as tcpsight netstat takes them.
struct NetstatOptions {
  SocketKindArguments kinds;
  std::vector<std::string> families; // -A inet,inet6,unix; --inet/--ip add "inet"
  bool listening = false, all = false;
  bool numeric = false, processes = false, extend = false, timers = false;
  bool continuous = false, verbose = false;
  // Other tables instead of sockets.
  bool statistics = false, routes = false, interfaces = false, groups = false, masquerade = false;
  bool symbolic = false;    // -N: net-tools' symbolic hardware names; none in these tables
  bool route_cache = false; // -C: the IPv4 route cache, gone since Linux 3.6
};

bool has(const std::vector<std::string>& values, std::string_view value) {
  return std::find(values.begin(), values.end(), value) != values.end();
}

// Which tables and families the options ask for, as netstat reads them.
struct Selection {
  SnapshotRequest inet;
  bool unix_sockets = false;
};

// The families are checked when the options are parsed.
Selection select(const NetstatOptions& o) {
  const bool any_protocol = o.kinds.tcp || o.kinds.udp || o.kinds.raw;
  const bool any_family = !o.families.empty();
  Selection selection;
  auto& inet = selection.inet;
  inet.protocols.clear();
  const bool inet_wanted = any_family ? (has(o.families, "inet") || has(o.families, "inet6"))
                                      : (any_protocol || !o.kinds.unix_sockets);
  if (inet_wanted) {
    if (o.kinds.tcp || !any_protocol)
      inet.protocols.push_back(Protocol::Tcp);
    if (o.kinds.udp || !any_protocol)
      inet.protocols.push_back(Protocol::Udp);
    if (o.kinds.raw || !any_protocol)
      inet.protocols.push_back(Protocol::Raw);
  }
  if (any_family) {
    inet.ipv4 = has(o.families, "inet");
    inet.ipv6 = has(o.families, "inet6");
  }
  selection.unix_sockets =
      o.kinds.unix_sockets || (any_family ? has(o.families, "unix") : !any_protocol);
  inet.selection = o.all         ? SocketSelection::All
                   : o.listening ? SocketSelection::Listening
                                 : SocketSelection::Connected;
  return selection;
}

std::string endpoint_with_names(NameResolver& names, const SocketRow& row, const IpAddress& address,
                                std::uint16_t port) {
  auto host = names.host(address);
  if (host == "::") // netstat brackets only the unspecified IPv6 address
    host = "[::]";
  return host + ":" + names.service(port, row.protocol);
}

void print_tables(OutputWriter& out, const NetstatOptions& o, const Selection& selection,
                  NameResolver& names) {
  // Owners come from another source than the sockets: start on them at once.
  std::future<SocketOwners> pending_owners;
  if (o.processes)
    pending_owners = std::async(std::launch::async, find_socket_owners);

  NetstatColumns columns{
      .listening = o.listening, .all = o.all, .extend = o.extend, .timers = o.timers};
  if (o.numeric) {
    columns.endpoint = [](const SocketRow&, const IpAddress& address, std::uint16_t port) {
      return netstat_numeric_endpoint(address, port);
    };
    columns.user = [](std::uint32_t uid) { return std::to_string(uid); };
  } else {
    columns.endpoint = [&](const SocketRow& row, const IpAddress& address, std::uint16_t port) {
      return endpoint_with_names(names, row, address, port);
    };
    columns.user = [&](std::uint32_t uid) { return names.user(uid); };
  }
  std::optional<SocketOwners> owners;
  if (o.processes) {
    owners = pending_owners.get();
    columns.owners = &*owners;
  }

  // Each row is printed as it arrives: memory stays flat however many sockets there are.
  const auto print_table = [&](const SnapshotRequest& request, std::string header,
                               auto append_row) {
    out.text() += header;
    const auto status = visit_snapshot(request, [&](const SocketRow& row) {
      if (!out.open())
        return;
      append_row(out.text(), row, columns);
      out.written();
    });
    if (o.verbose)
      for (const auto& note : status.notes)
        fmt::print(stderr, "tcpsight: {}\n", note);
  };
  if (!selection.inet.protocols.empty())
    print_table(selection.inet, netstat_inet_header(columns), append_netstat_inet_row);
  if (selection.unix_sockets) {
    auto request = selection.inet;
    request.protocols = {Protocol::Unix};
    request.unix_refcounts = true; // the RefCnt column
    print_table(request, netstat_unix_header(columns), append_netstat_unix_row);
  }
  out.flush();
  if (owners && owners->partial)
    fmt::print(stderr, "(Not all processes could be identified, non-owned process info\n"
                       " will not be shown, you would have to be root to see it all.)\n");
}

template <typename Parse> auto read_table(const char* path, Parse parse) {
  std::ifstream table(path);
  if (!table)
    throw Error(fmt::format("cannot read {}", path));
  std::size_t malformed = 0;
  auto rows = parse(table, malformed);
  if (malformed > 0)
    fmt::print(stderr, "tcpsight: skipped {} lines of {} that did not parse\n", malformed, path);
  return rows;
}

bool wanted_statistics(const NetstatOptions& o, const std::string& protocol) {
  if (!o.kinds.tcp && !o.kinds.udp && !o.kinds.raw)
    return true;
  return (o.kinds.tcp && protocol.rfind("Tcp", 0) == 0) ||
         (o.kinds.udp && protocol.rfind("Udp", 0) == 0) ||
         (o.kinds.raw && (protocol.rfind("Ip", 0) == 0 || protocol.rfind("Icmp", 0) == 0));
}

void print_statistics(OutputWriter& out, const NetstatOptions& o) {
  std::vector<ProtocolCounters> protocols;
  for (const char* path : {"/proc/net/snmp", "/proc/net/netstat"})
    for (auto& protocol : read_table(path, parse_protocol_counters))
      if (wanted_statistics(o, protocol.protocol))
        protocols.push_back(std::move(protocol));
  out.text() += format_netstat_statistics(protocols);
}

void print_routes(OutputWriter& out, const NetstatOptions& o, NameResolver& names) {
  const auto routes = read_table("/proc/net/route", parse_proc_net_route);
  const auto gateway = [&](std::uint32_t word) {
    const auto address = ipv4_from_kernel_word(word);
    return o.numeric ? to_string(address) : names.host(address);
  };
  out.text() += format_netstat_routes(routes, o.numeric, gateway);
}

void print_interfaces(OutputWriter& out, const NetstatOptions& o) {
  auto interfaces = read_table("/proc/net/dev", parse_proc_net_dev);
  read_interface_settings(interfaces);
  std::sort(interfaces.begin(), interfaces.end(),
            [](const auto& a, const auto& b) { return a.name < b.name; }); // as netstat lists them
  out.text() += format_netstat_interfaces(interfaces, o.all);
}

void print_groups(OutputWriter& out, const NetstatOptions& o, NameResolver& names) {
  auto groups = read_table("/proc/net/igmp", parse_proc_net_igmp);
  auto groups6 = read_table("/proc/net/igmp6", parse_proc_net_igmp6);
  groups.insert(groups.end(), groups6.begin(), groups6.end());
  out.text() += format_netstat_groups(groups, [&](const IpAddress& group) {
    return o.numeric ? to_string(group) : names.host(group);
  });
}

void print_masquerade(OutputWriter& out) {
  constexpr const char* kConntrack = "/proc/net/nf_conntrack";
  if (!std::filesystem::exists(kConntrack))
    throw Error(fmt::format("this kernel tracks no connections ({} is missing): load "
                            "nf_conntrack to see masqueraded ones",
                            kConntrack));
  out.text() += format_netstat_masquerade(read_table(kConntrack, parse_nf_conntrack));
}

// Returns false once the output is closed.
bool print_once(const NetstatOptions& o, const Selection& selection, NameResolver& names) {
  OutputWriter out;
  if (o.statistics)
    print_statistics(out, o);
  else if (o.groups)
    print_groups(out, o, names);
  else if (o.masquerade)
    print_masquerade(out);
  else if (o.routes || o.route_cache)
    print_routes(out, o, names);
  else if (o.interfaces)
    print_interfaces(out, o);
  else
    print_tables(out, o, selection, names);
  out.finish();
  return out.open();
}

int run_netstat(const NetstatOptions& options) {
  if (options.route_cache)
    throw Error("this kernel has no IPv4 routing cache (Linux removed it in 3.6): "
                "`tcpsight netstat -r` shows the routing table");
  const auto selection = select(options);
  NameResolver names;
  if (!options.continuous) {
    print_once(options, selection, names);
    return 0;
  }
  install_stop_signals();
  repeat_until_stopped(std::chrono::seconds(1),
                       [&] { return print_once(options, selection, names); });
  return 0;
}

class NetstatSubcommand : public Subcommand {
public:
  explicit NetstatSubcommand(CLI::App& parent)
      : Subcommand(parent.add_subcommand(
            "netstat", "List sockets with the options and columns of net-tools netstat")) {
    auto& app = *parent.get_subcommand("netstat");
    auto& o = options_;
    o.kinds.add_to(app);
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
      OutputWriter out;
      out.text() += "tcpsight netstat " TCPSIGHT_VERSION "\n";
      out.finish();
      return 0;
    }
    return run_netstat(options_);
  }

private:
  NetstatOptions options_;
  bool inet_family_ = false;
  bool version_ = false;
};

} // namespace

std::unique_ptr<Subcommand> add_netstat_command(CLI::App& app) {
  return std::make_unique<NetstatSubcommand>(app);
}

} // namespace tcpsight::cli
