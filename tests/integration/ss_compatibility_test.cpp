// `tcpsight ls` against ss, invocation by invocation: the examples of
// ss(8), the options and filters ss users type, on a known set of sockets
// in a network namespace of the test's own (listeners, both ends of
// connections, CLOSE_WAIT, TIME_WAIT, UDP, raw and unix sockets).
//
// Rows are compared field for field: Netid, State, Recv-Q, Send-Q, both
// ends, the processes' pids (-p) and the timer (-o). Allowed differences,
// each for a reason:
// - States are spelled out (ESTABLISHED, TIME_WAIT, FIN_WAIT1 for ss's
//   ESTAB, TIME-WAIT, FIN-WAIT-1), as netstat and tcpsight trace do.
// - IPv6 inet sockets are tcp6, udp6 and raw6 where ss says tcp, udp, raw.
// - An unspecified port is 0 where ss writes *.
// - ls always shows the Netid and State columns; ss drops Netid when it
//   lists one table and State when it lists one state. Those columns are
//   compared only where ss shows them.
// - ls lists TCP, UDP, raw and unix sockets: ss's netlink, packet and other
//   tables are left out of its rows.
// - Processes read "pid/name" (with -T "pid/tid/name") where ss writes
//   users:(("name",pid=N,tid=N,fd=N)): the pids and tids are compared.
// - Timers' times to expiry tick on between the two runs: their names and
//   retransmission counts are compared.
// - -e shows no uid for root's sockets, as ss; what -e, -m, --tos, --cgroup
//   and --inet-sockopt add is compared, in order, but ls keeps it on the
//   socket's line where ss starts another (-O puts it there too). -i's
//   TCP internals differ: ls shows rtt, cwnd and retransmissions only.
// - Service names: every invocation but one is run with -n, as ls shows
//   numbers unless -r is given.
// - ss's options for what ls does not list (SELinux, SCTP, ...) are refused
//   with one line saying so, exit 2.
#include "child_process.hpp"
#include "loopback.hpp"
#include "network_namespace.hpp"
#include "privileges.hpp"

#include <gtest/gtest.h>

#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fmt/format.h>
#include <fmt/ranges.h>
#include <fstream>
#include <regex>
#include <set>
#include <sstream>
#include <thread>

namespace tcpsight {
namespace {

using test::ChildProcess;
using test::Fd;

// One row as both tools show it, after the allowed differences.
struct Row {
  std::string netid, state, recv_q, send_q, local, peer;
  std::set<std::string> pids;
  std::set<std::string> tids; // -T
  std::string timer;
  std::string details; // -e, -m, --tos, --cgroup, --inet-sockopt

  auto operator<=>(const Row&) const = default;
};

std::ostream& operator<<(std::ostream& out, const Row& row) {
  return out << fmt::format("{} {} {} {} {} {} pids:{} {} {}", row.netid, row.state, row.recv_q,
                            row.send_q, row.local, row.peer, fmt::join(row.pids, ","), row.timer,
                            row.details)
             << " tids:" << fmt::format("{}", fmt::join(row.tids, ","));
}

using Rows = std::multiset<Row>;

std::string normal_state(std::string state) {
  std::replace(state.begin(), state.end(), '-', '_');
  if (state == "ESTAB")
    return "ESTABLISHED";
  if (state.starts_with("FIN_WAIT_")) // FIN-WAIT-1: FIN_WAIT1
    state.erase(8, 1);
  return state;
}

std::string normal_netid(std::string netid) {
  if (netid.ends_with('6'))
    netid.pop_back();
  return netid;
}

std::string normal_endpoint(std::string endpoint) {
  if (endpoint.ends_with(":*"))
    endpoint.back() = '0';
  return endpoint;
}

// "timer:(keepalive,119min,0)": the name and the retransmissions.
std::string normal_timer(const std::string& text) {
  static const std::regex kTimer(R"(timer:\((\w+),[^,]*,(\d+)\))");
  std::smatch found;
  if (!std::regex_search(text, found, kTimer))
    return "";
  return found[1].str() + "," + found[2].str();
}

// What -e, -m, --tos, --cgroup and --inet-sockopt add, in order (for unix
// sockets: memory, the directions open, the bound file, pending peers).
std::string details_in(const std::string& text) {
  static const std::regex kDetail(
      R"((?:^| )((?:uid|ino|sk|fwmark|cgroup|v6only|tos|tclass|class_id|dev):\S+|[<-]-[->]|)"
      R"(skmem:\S+|inet-sockopt: \([^)]*\)|peers:(?: \d+)*))");
  std::string details;
  for (std::sregex_iterator at(text.begin(), text.end(), kDetail), end; at != end; ++at) {
    if (!details.empty())
      details += ' ';
    details += (*at)[1].str();
  }
  return details;
}

// What the pattern's first group matches, each time it matches.
std::set<std::string> numbers_in(const std::string& text, const std::regex& number) {
  std::set<std::string> numbers;
  for (std::sregex_iterator at(text.begin(), text.end(), number), end; at != end; ++at)
    numbers.insert((*at)[1].str());
  return numbers;
}

// Which columns a listing has, from its header.
struct Columns {
  bool netid = true;
  bool state = true;
};

Columns columns_of(const std::string& header) {
  std::istringstream words(header);
  std::string first, second;
  words >> first >> second;
  return {.netid = first == "Netid", .state = first == "State" || second == "State"};
}

// The lines of a listing after its header, each with those that continue
// it (ss -m, --inet-sockopt: they start with a tab).
std::vector<std::string> joined_lines(const std::string& text) {
  std::vector<std::string> joined;
  std::istringstream lines(text);
  std::string line;
  std::getline(lines, line); // the header
  while (std::getline(lines, line)) {
    if (!line.empty() && std::isspace(static_cast<unsigned char>(line[0])) && !joined.empty()) {
      joined.back() += ' ';
      joined.back() += line.substr(line.find_first_not_of(" \t"));
    } else if (!line.empty()) {
      joined.push_back(line);
    }
  }
  return joined;
}

// A listing's rows. Unix sockets' ends are two words (name and inode).
// How each tool names the processes and threads holding a socket.
struct Holders {
  std::regex pid, tid;
};

Rows rows_of(const std::string& text, const Columns& shown, const Holders& holders) {
  Rows rows;
  for (const auto& line : joined_lines(text)) {
    std::istringstream fields(line);
    std::vector<std::string> words{std::istream_iterator<std::string>(fields), {}};
    Row row;
    std::size_t at = 0;
    const auto next = [&] { return at < words.size() ? words[at++] : std::string(); };
    if (shown.netid)
      row.netid = normal_netid(next());
    if (shown.state)
      row.state = normal_state(next());
    row.recv_q = next();
    row.send_q = next();
    row.local = next();
    const bool unix_socket = row.local.find(':') == std::string::npos;
    // A unix socket's end is two words: its name and inode.
    const auto second_word = [&](std::string& end) {
      if (unix_socket) {
        end += ' ';
        end += next();
      }
    };
    second_word(row.local);
    row.peer = next();
    second_word(row.peer);
    row.local = normal_endpoint(row.local);
    row.peer = normal_endpoint(row.peer);
    row.pids = numbers_in(line, holders.pid);
    row.tids = numbers_in(line, holders.tid);
    row.timer = normal_timer(line);
    row.details = details_in(line);
    rows.insert(row);
  }
  return rows;
}

// Rows of tables ls does not list (netlink, packet, ...) are left out.
Rows listable(Rows rows) {
  static const std::set<std::string> kListed{"", "tcp", "udp", "raw", "u_str", "u_dgr", "u_seq"};
  std::erase_if(rows, [](const Row& row) { return !kListed.count(row.netid); });
  return rows;
}

// The sockets the listings are compared on, made inside the namespace.
class KnownSocketSet {
public:
  explicit KnownSocketSet(const test::NetworkNamespace& ns) {
    std::filesystem::create_directories(directory_);
    // ss(8)'s network of the example, 193.233.7/24, on loopback.
    ns.exec("ip address add 193.233.7.1/24 dev lo");
    std::thread([&] {
      ns.enter();
      make();
    }).join();
    if (!made_)
      throw std::runtime_error("the known sockets could not be made");
  }
  ~KnownSocketSet() { std::filesystem::remove_all(directory_); }

  // The directory of the unix listener, as ss(8)'s /tmp/.X11-unix.
  const std::filesystem::path& directory() const { return directory_; }

private:
  void make() {
    ASSERT_TRUE(test::bring_loopback_up());
    // Listeners on the ports of ss(8)'s examples: ssh, http and https.
    const auto& ssh = hold(test::listen_on_loopback(AddressFamily::IPv4, 22));
    const auto& http = hold(test::listen_on_loopback(AddressFamily::IPv4, 80));
    const auto& https = hold(test::listen_on_loopback(AddressFamily::IPv6, 443));
    // An ssh connection, both ends, with keepalive on the client's (-o).
    const auto& client = hold(test::connect_to_loopback(AddressFamily::IPv4, 22));
    const int on = 1;
    ASSERT_EQ(setsockopt(client.get(), SOL_SOCKET, SO_KEEPALIVE, &on, sizeof on), 0);
    hold(test::accept_one(ssh));
    // One the client half-closed: FIN_WAIT2 and CLOSE_WAIT.
    const auto& half_closed = hold(test::connect_to_loopback(AddressFamily::IPv4, 80));
    hold(test::accept_one(http));
    ASSERT_EQ(shutdown(half_closed.get(), SHUT_WR), 0);
    // One the client closed first: its end waits in TIME_WAIT.
    test::run_client_closes_first(https, AddressFamily::IPv6);
    // UDP: bound, and connected.
    const auto& dns = hold(Fd(socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0)));
    sockaddr_in any{.sin_family = AF_INET, .sin_port = htons(53), .sin_addr = {}};
    ASSERT_EQ(bind(dns.get(), reinterpret_cast<sockaddr*>(&any), sizeof any), 0);
    const auto& connected = hold(Fd(socket(AF_INET6, SOCK_DGRAM | SOCK_CLOEXEC, 0)));
    sockaddr_in6 peer{.sin6_family = AF_INET6, .sin6_port = htons(53)};
    peer.sin6_addr = in6addr_loopback;
    ASSERT_EQ(connect(connected.get(), reinterpret_cast<sockaddr*>(&peer), sizeof peer), 0);
    const auto& remote = hold(Fd(socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0)));
    sockaddr_in far{.sin_family = AF_INET, .sin_port = htons(53), .sin_addr = {htonl(0xc1e90709)}};
    ASSERT_EQ(connect(remote.get(), reinterpret_cast<sockaddr*>(&far), sizeof far), 0);
    // A dual-stack listener on [::], which ss writes as *.
    const auto& dual = hold(Fd(socket(AF_INET6, SOCK_STREAM | SOCK_CLOEXEC, 0)));
    const int off = 0;
    ASSERT_EQ(setsockopt(dual.get(), IPPROTO_IPV6, IPV6_V6ONLY, &off, sizeof off), 0);
    sockaddr_in6 any6{.sin6_family = AF_INET6, .sin6_port = htons(8443)};
    ASSERT_EQ(bind(dual.get(), reinterpret_cast<sockaddr*>(&any6), sizeof any6), 0);
    ASSERT_EQ(listen(dual.get(), 8), 0);
    // Raw, on an unassigned protocol.
    hold(Fd(socket(AF_INET, SOCK_RAW | SOCK_CLOEXEC, 253)));
    // Unix: a stream listener with a connection, a datagram socket and one
    // connected to it, a seqpacket listener and an unconnected stream socket.
    const auto& display = hold(unix_socket(SOCK_STREAM, (directory_ / "X0").string()));
    ASSERT_EQ(listen(display.get(), 8), 0);
    const auto& viewer = hold(Fd(socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)));
    ASSERT_EQ(connect(viewer.get(), address_of(directory_ / "X0").first,
                      address_of(directory_ / "X0").second),
              0);
    hold(test::accept_one(display));
    const auto prefix = fmt::format("@tcpsight-ss-{}", getpid());
    hold(unix_socket(SOCK_DGRAM, prefix + "-log"));
    const auto& logger = hold(Fd(socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0)));
    ASSERT_EQ(connect(logger.get(), address_of(prefix + "-log").first,
                      address_of(prefix + "-log").second),
              0);
    ASSERT_EQ(listen(hold(unix_socket(SOCK_SEQPACKET, prefix + "-seq")).get(), 8), 0);
    hold(unix_socket(SOCK_STREAM, prefix + "-idle"));
    made_ = true;
  }

  const Fd& hold(Fd fd) {
    if (fd.get() < 0)
      throw std::runtime_error(fmt::format("socket: {}", std::strerror(errno)));
    held_.push_back(std::make_unique<Fd>(std::move(fd)));
    return *held_.back();
  }

  // A unix address: a path, or @name in the abstract namespace.
  std::pair<const sockaddr*, socklen_t> address_of(const std::string& name) {
    address_ = sockaddr_un{.sun_family = AF_UNIX};
    std::copy(name.begin(), name.end(), address_.sun_path);
    if (name.starts_with('@'))
      address_.sun_path[0] = '\0';
    const auto length = offsetof(sockaddr_un, sun_path) + name.size() + (name[0] == '@' ? 0 : 1);
    return {reinterpret_cast<const sockaddr*>(&address_), static_cast<socklen_t>(length)};
  }

  Fd unix_socket(int type, const std::string& name) {
    Fd fd(socket(AF_UNIX, type | SOCK_CLOEXEC, 0));
    const auto [address, length] = address_of(name);
    if (bind(fd.get(), address, length) != 0)
      throw std::runtime_error(fmt::format("bind {}: {}", name, std::strerror(errno)));
    return fd;
  }

  std::filesystem::path directory_ =
      std::filesystem::temp_directory_path() / fmt::format("tcpsight-ss-{}", getpid());
  std::vector<std::unique_ptr<Fd>> held_;
  sockaddr_un address_{};
  bool made_ = false;
};

class SsCompatibility : public ::testing::Test {
protected:
  void SetUp() override {
    TCPSIGHT_REQUIRE_ROOT(); // a namespace of its own
    ns_ = std::make_unique<test::NetworkNamespace>(fmt::format("tcpsight-ss-{}", getpid()));
    sockets_ = std::make_unique<KnownSocketSet>(*ns_);
  }

  ChildProcess inside(const std::string& program, const std::vector<std::string>& arguments) {
    // ss reads raw sockets from /proc/net/raw, as ls does: Debian 6.1's
    // sock_diag answers its dump of them with none.
    std::vector<std::string> argv{"nsenter", "--net=/run/netns/" + ns_->name(), "env",
                                  "PROC_NET_RAW=/proc/net/raw", program};
    argv.insert(argv.end(), arguments.begin(), arguments.end());
    return ChildProcess(argv);
  }

  std::string listing(const std::string& program, const std::vector<std::string>& arguments) {
    auto child = inside(program, arguments);
    EXPECT_EQ(child.wait(), 0) << program << " " << fmt::format("{}", fmt::join(arguments, " "))
                               << ": " << child.stderr_text();
    return child.stdout_text();
  }

  // ss and ls on the same invocation; ss's rows are read before and after
  // ls's, and compared once both agree (a TIME_WAIT may end meanwhile).
  // Returns ls's rows.
  Rows expect_same_rows(std::vector<std::string> arguments) {
    if (std::find(arguments.begin(), arguments.end(), "-r") == arguments.end())
      arguments.insert(arguments.begin(), "-n");
    std::vector<std::string> ls_arguments{"ls"};
    ls_arguments.insert(ls_arguments.end(), arguments.begin(), arguments.end());
    // ss: users:(("name",pid=1,tid=2,fd=3)); ls: 1/name, or 1/2/name with -T.
    static const Holders kSs{std::regex(R"(pid=(\d+))"), std::regex(R"(tid=(\d+))")};
    static const Holders kLs{std::regex(R"((?:^| |,)(\d+)/)"),
                             std::regex(R"((?:^| |,)\d+/(\d+)/)")};
    Rows before, ours, after;
    Columns shown;
    for (int attempt = 0; attempt < 5; ++attempt) {
      const auto ss_text = listing("/usr/bin/ss", arguments);
      shown = columns_of(ss_text.substr(0, ss_text.find('\n')));
      before = listable(rows_of(ss_text, shown, kSs));
      ours = rows_of(listing(TCPSIGHT_BINARY, ls_arguments), {}, kLs);
      after = listable(rows_of(listing("/usr/bin/ss", arguments), shown, kSs));
      if (before == after)
        break;
    }
    // The columns ss left out are not compared.
    Rows compared;
    for (auto row : ours) {
      if (!shown.netid)
        row.netid.clear();
      if (!shown.state)
        row.state.clear();
      compared.insert(row);
    }
    EXPECT_EQ(before, after) << "ss's rows kept changing";
    EXPECT_EQ(compared, before) << "ss " << fmt::format("{}", fmt::join(arguments, " "));
    return compared;
  }

  std::unique_ptr<test::NetworkNamespace> ns_;
  std::unique_ptr<KnownSocketSet> sockets_;
};

std::size_t count_state(const Rows& rows, const std::string& state) {
  return static_cast<std::size_t>(
      std::count_if(rows.begin(), rows.end(), [&](const Row& row) { return row.state == state; }));
}

// The examples of ss(8), as its USAGE EXAMPLES give them.
TEST_F(SsCompatibility, ManPageExamples) {
  EXPECT_EQ(expect_same_rows({"-t", "-a"}).size(), 9u); // 4 listeners, 5 ends
  EXPECT_EQ(expect_same_rows({"-u", "-a"}).size(), 3u);
  EXPECT_EQ(
      expect_same_rows({"-o", "state", "established", "( dport = :ssh or sport = :ssh )"}).size(),
      2u);
  const auto x11 = expect_same_rows({"-x", "src", (sockets_->directory() / "*").string()});
  EXPECT_EQ(x11.size(), 1u); // the display's end of the connection
  expect_same_rows(
      {"-o", "state", "fin-wait-1", "( sport = :http or sport = :https )", "dst", "193.233.7/24"});
  const auto but_tcp = expect_same_rows({"-a", "-A", "all,!tcp"});
  EXPECT_EQ(but_tcp.size(), 11u); // 3 UDP, 1 raw, 7 unix
  // -Z: SELinux is not supported.
  auto contexts = inside(TCPSIGHT_BINARY, {"ls", "-t", "-a", "-Z"});
  EXPECT_EQ(contexts.wait(), 2);
  EXPECT_EQ(contexts.stderr_text(), "tcpsight: ls -Z: ss's SELinux contexts: not supported\n");
}

// What ss users type: the filters of the issue that asked for ls to speak
// ss, and its options for tables, families and states.
TEST_F(SsCompatibility, FiltersAndOptions) {
  // First, while the TIME_WAIT socket is young (it lasts a minute).
  const auto everything = expect_same_rows({"-a"});
  EXPECT_EQ(count_state(everything, "TIME_WAIT"), 1u);
  EXPECT_EQ(count_state(everything, "CLOSE_WAIT"), 1u);
  EXPECT_GE(count_state(everything, "UNCONN"), 3u); // UDP and raw bound, an idle unix socket

  const std::vector<std::vector<std::string>> invocations{
      {"-t", "sport = :22"},
      {"-ta", "dport", "=", ":ssh"},
      {"-tap", "exclude", "listening"},
      {"-ta", "state", "bucket"},
      {"-ta", "state", "big"},
      {"-a", "state", "close-wait", "state", "fin-wait-2"},
      {"-to"},
      {"-tao", "exclude", "established"},
      {"-tO"},
      {"-a", "-f", "inet6"},
      {"-A", "tcp,udp"},
      {"-a", "-A", "u_str,u_seq"},
      {"-x"},
      {"-xa"},
      {"-xl"},
      {"-xp"},
      {"-tapT"},
      {"-T"},
      {"-x", "-4"},
      {"-x", "-A", "u_str"},
      {"-x", "-A", "!u_dgr"},
      {"-t", "-A", "udp"},
      {"-a", "-l"},
      {"-l", "-a"},
      {"-A", "!tcp"},
      {"-a", "-f", "unix"},
      {"-wa"},
      {"-l"},
      {"-a"},
      {"-4a"},
      {"-6a"},
      {"-ua", "dst", "[::1]"},
      {"-a", "src", fmt::format("unix:{}/*", sockets_->directory().string())},
      {"-xa", "src", fmt::format("@tcpsight-ss-{}-*", getpid())},
      {"-xa", "src", fmt::format("@TCPSIGHT-SS-{}-I*", getpid())}, // either case
      // The last family given says how src and dst read.
      {"-4", "-xa", "src", fmt::format("{}/*", sockets_->directory().string())},
      {"-x", "-4a", "src", "127/8"},
      {"-ta", "dst", "127/8", "and", "not", "dport", "<", ":1024"},
      {"-tae"},
      {"-ue", "--tos", "--cgroup"},
      {"-ta", "--tos", "--inet-sockopt"},
      {"-ua", "--inet-sockopt", "-O"},
      {"-tlm"},
      {"-xae"},
      {"-xam"},
      {"-tar"},      // -n added: host names, port numbers
      {"-ta", "-r"}, // both names
  };
  for (const auto& arguments : invocations)
    expect_same_rows(arguments);
  const auto processes = expect_same_rows({"-tp"});
  for (const auto& row : processes)
    EXPECT_EQ(row.pids, std::set<std::string>{std::to_string(getpid())}) << row;
  const auto threads = expect_same_rows({"-tpT"});
  for (const auto& row : threads)
    EXPECT_TRUE(row.tids.contains(std::to_string(getpid()))) << row; // the main thread
  const auto timers = expect_same_rows({"-tao"});
  EXPECT_EQ(std::count_if(timers.begin(), timers.end(),
                          [](const Row& row) { return row.timer == "keepalive,0"; }),
            1);
}

// -F FILE reads the same filter as on the command line.
TEST_F(SsCompatibility, FilterFromAFile) {
  const auto file = sockets_->directory() / "filter";
  std::ofstream(file) << "# ssh, either end\n( sport = :ssh\n or dport = :ssh )\n";
  EXPECT_EQ(expect_same_rows({"-ta", "-F", file.string()}).size(), 3u);
}

} // namespace
} // namespace tcpsight
