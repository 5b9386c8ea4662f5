// `tcpsight ls` against ss and net-tools netstat, on sockets the test makes.
#include "child_process.hpp"
#include "forked.hpp"
#include "loopback.hpp"
#include "usage_errors.hpp"

#include "privileges.hpp"
#include "tcpsight/kernel/proc_net.hpp"
#include "tcpsight/kernel/sock_diag.hpp"
#include "tcpsight/kernel/socket_owners.hpp"
#include "test_cgroup.hpp"
#include "world_executable.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <chrono>
#include <filesystem>
#include <fmt/format.h>
#include <fmt/ranges.h>
#include <fstream>
#include <iterator>
#include <memory>
#include <set>
#include <sstream>

namespace tcpsight {
namespace {

using namespace std::chrono_literals;
using nlohmann::json;
using test::ChildProcess;
// protocol, state, local endpoint, remote endpoint: how the tools' rows compare.
using Tuple = std::tuple<std::string, std::string, std::string, std::string>;

std::string run(const std::vector<std::string>& argv) {
  ChildProcess child(argv);
  EXPECT_EQ(child.wait(), 0) << argv[0] << ": " << child.stderr_text();
  return child.stdout_text();
}

// Splits "addr:port" at its last colon; drops IPv6 brackets.
std::pair<std::string, std::string> split_endpoint(std::string endpoint) {
  const auto colon = endpoint.rfind(':');
  auto host = endpoint.substr(0, colon);
  auto port = endpoint.substr(colon + 1);
  if (host.size() > 1 && host.front() == '[')
    host = host.substr(1, host.size() - 2);
  const auto percent = host.find('%'); // ss: "[::]%lo"
  if (percent != std::string::npos)
    host = host.substr(0, percent);
  return {host, port == "*" ? "0" : port};
}

std::string normal_endpoint(const std::string& endpoint) {
  auto [host, port] = split_endpoint(endpoint);
  if (host == "*")
    host = "0.0.0.0";
  return host + " " + port;
}

std::string normal_state(std::string state) {
  std::replace(state.begin(), state.end(), '-', '_');
  if (state == "ESTAB")
    return "ESTABLISHED";
  return state;
}

// (local port, remote port): which sockets are the test's. Sockets left by
// other tests (TIME_WAIT, for a minute) may share one of these port numbers,
// never both.
using PortPair = std::pair<int, int>;

int port_of(const std::string& endpoint) {
  return std::stoi(endpoint.substr(endpoint.rfind(' ') + 1));
}

std::set<Tuple> ours(const std::set<Tuple>& rows, const std::set<PortPair>& ends) {
  std::set<Tuple> selected;
  for (const auto& row : rows)
    if (ends.count({port_of(std::get<2>(row)), port_of(std::get<3>(row))}))
      selected.insert(row);
  return selected;
}

std::set<Tuple> tcpsight_rows(const std::string& text) {
  std::set<Tuple> rows;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) {
    const auto row = json::parse(line);
    if (row["protocol"] != "tcp")
      continue;
    rows.emplace("tcp", row["state"],
                 fmt::format("{} {}", row["saddr"].get<std::string>(), row["sport"].get<int>()),
                 fmt::format("{} {}", row["daddr"].get<std::string>(), row["dport"].get<int>()));
  }
  return rows;
}

// ss -tanH: State Recv-Q Send-Q Local Peer
std::set<Tuple> ss_rows(const std::string& text) {
  std::set<Tuple> rows;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) {
    std::istringstream fields(line);
    std::string state, recv_q, send_q, local, peer;
    if (fields >> state >> recv_q >> send_q >> local >> peer)
      rows.emplace("tcp", normal_state(state), normal_endpoint(local), normal_endpoint(peer));
  }
  return rows;
}

// netstat -tan: Proto Recv-Q Send-Q Local Foreign State
std::set<Tuple> netstat_rows(const std::string& text) {
  std::set<Tuple> rows;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) {
    std::istringstream fields(line);
    std::string proto, recv_q, send_q, local, foreign, state;
    if (!(fields >> proto >> recv_q >> send_q >> local >> foreign >> state) ||
        proto.rfind("tcp", 0) != 0)
      continue;
    rows.emplace("tcp", normal_state(state), normal_endpoint(local), normal_endpoint(foreign));
  }
  return rows;
}

// A listener's unspecified peer, whichever way a tool spells it ("::", "*",
// "0.0.0.0"), compares as 0.0.0.0.
std::set<Tuple> unspecified_peers_as_ipv4(std::set<Tuple> rows) {
  std::set<Tuple> out;
  for (auto row : rows) {
    if (std::get<3>(row) == ":: 0")
      std::get<3>(row) = "0.0.0.0 0";
    out.insert(row);
  }
  return out;
}

class LsAgainstPeers : public ::testing::Test {
protected:
  test::KnownSockets sockets_;
  std::uint16_t port4_ = sockets_.port4;
  std::uint16_t port6_ = sockets_.port6;
  int client_port_ = test::local_port(sockets_.client);
  std::set<PortPair> ports_{
      {port4_, 0}, {port6_, 0}, {client_port_, port4_}, {port4_, client_port_}};
};

TEST_F(LsAgainstPeers, TcpRowsEqualThoseOfSsAndNetstat) {
  const auto normal = [&](const std::set<Tuple>& rows) {
    return unspecified_peers_as_ipv4(ours(rows, ports_));
  };
  const auto mine = normal(tcpsight_rows(run({TCPSIGHT_BINARY, "ls", "-tan", "--json"})));
  EXPECT_EQ(mine.size(), 4u); // two listeners, both ends of the connection
  EXPECT_EQ(mine, normal(ss_rows(run({"/usr/bin/ss", "-tanH"}))));
  EXPECT_EQ(mine, normal(netstat_rows(run({"/usr/bin/netstat", "-tan"}))));
}

TEST_F(LsAgainstPeers, ListeningAndConnectedSelections) {
  const auto listening = ours(tcpsight_rows(run({TCPSIGHT_BINARY, "ls", "-tl", "--json"})), ports_);
  const auto connected = ours(tcpsight_rows(run({TCPSIGHT_BINARY, "ls", "-t", "--json"})), ports_);
  EXPECT_EQ(listening.size(), 2u);
  EXPECT_EQ(connected.size(), 2u);
  for (const auto& row : listening)
    EXPECT_EQ(std::get<1>(row), "LISTEN");
  for (const auto& row : connected)
    EXPECT_EQ(std::get<1>(row), "ESTABLISHED");
}

TEST_F(LsAgainstPeers, ProcessesHoldingEachSocket) {
  const auto text = run({TCPSIGHT_BINARY, "ls", "-tlp", "--json"});
  bool found = false;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) {
    const auto row = json::parse(line);
    if (row["sport"] != port4_)
      continue;
    found = true;
    ASSERT_EQ(row["processes"].size(), 1u) << line;
    EXPECT_EQ(row["processes"][0]["pid"], getpid());
  }
  EXPECT_TRUE(found) << text;
}

// The fallback sees what netlink sees.
TEST_F(LsAgainstPeers, SockDiagAndProcNetAgree) {
  const auto key = [](const SocketRow& row) {
    return std::tuple(row.state, to_string(row.id.local), row.id.local_port,
                      to_string(row.id.remote), row.id.remote_port, row.inode);
  };
  std::set<decltype(key(SocketRow{}))> netlink, proc;
  for (const auto& row : inet_diag_dump(Protocol::Tcp, AddressFamily::IPv4))
    if (ports_.count({row.id.local_port, row.id.remote_port}))
      netlink.insert(key(row));
  std::ifstream table("/proc/net/tcp");
  const auto parsed = parse_proc_net_inet(table, Protocol::Tcp, AddressFamily::IPv4);
  EXPECT_EQ(parsed.malformed, 0u);
  for (const auto& row : parsed.rows)
    if (ports_.count({row.id.local_port, row.id.remote_port}))
      proc.insert(key(row));
  EXPECT_EQ(netlink.size(), 3u);
  EXPECT_EQ(netlink, proc);
}

// The BPF iterator and the /proc walk name the same processes.
TEST_F(LsAgainstPeers, IteratorAndProcWalkAgree) {
  TCPSIGHT_REQUIRE_TRACING();
  const auto iterated = iterate_socket_owners();
  const auto walked = scan_socket_owners();
  // Other processes may open and close sockets between the two passes:
  // compare this process's, which stay put.
  const auto holders = [](const SocketOwners& owners, std::uint64_t inode) {
    std::vector<ProcessRef> list;
    for (const auto& process : owners.holders(inode))
      list.push_back(process);
    return list;
  };
  const auto mine = [](const std::vector<ProcessRef>& list) {
    return std::any_of(list.begin(), list.end(), [](const ProcessRef& p) {
      return p.pid == static_cast<std::uint32_t>(getpid());
    });
  };
  std::size_t compared = 0;
  for (const auto inode : walked.inodes()) {
    const auto walked_holders = holders(walked, inode);
    if (!mine(walked_holders))
      continue;
    EXPECT_EQ(holders(iterated, inode), walked_holders) << "inode " << inode;
    ++compared;
  }
  EXPECT_GE(compared, 4u); // two listeners and both ends of the connection
  // This process's listener is among them.
  bool found = false;
  for (const auto& row : inet_diag_dump(Protocol::Tcp, AddressFamily::IPv4))
    if (row.id.local_port == port4_ && row.state == TcpState::Listen) {
      const auto listener_holders = holders(iterated, row.inode);
      found = !listener_holders.empty() &&
              listener_holders.front().pid == static_cast<std::uint32_t>(getpid());
    }
  EXPECT_TRUE(found);
}

TEST_F(LsAgainstPeers, FilterLanguage) {
  const auto port = std::to_string(port4_);
  const auto listening = ours(
      tcpsight_rows(run({TCPSIGHT_BINARY, "ls", "-t", "--json", "state", "listening"})), ports_);
  EXPECT_EQ(listening.size(), 2u);
  const auto server_end = ours(tcpsight_rows(run({TCPSIGHT_BINARY, "ls", "-t", "--json", "state",
                                                  "established", "sport", "=", ":" + port})),
                               ports_);
  ASSERT_EQ(server_end.size(), 1u);
  EXPECT_EQ(std::get<2>(*server_end.begin()), "127.0.0.1 " + port);
  const auto either =
      ours(tcpsight_rows(run({TCPSIGHT_BINARY, "ls", "-ta", "--json", "(", "sport", "=", ":" + port,
                              "or", "dport", "=", ":" + port, ")", "and", "dst", "127.0.0.0/8"})),
           ports_);
  EXPECT_EQ(either.size(), 2u); // both ends of the connection; the listener's peer is 0.0.0.0
  ChildProcess bad({TCPSIGHT_BINARY, "ls", "state", "open"});
  EXPECT_EQ(bad.wait(), 2);
  EXPECT_NE(bad.stderr_text().find("'open' is not a state"), std::string::npos);
}

// Filters typed as ss's users type them (quoted as one argument, services
// by name, exclude, ss's state classes) select what ss selects.
TEST_F(LsAgainstPeers, FiltersSelectWhatSsSelects) {
  const auto port = std::to_string(port4_);
  const std::vector<std::vector<std::string>> filters{
      {"( sport = :" + port + " or dport = :" + port + " )"},
      {"exclude", "listening"},
      {"state", "connected", "exclude", "syn-sent"},
      {"state", "big"},
      {"state", "bucket"},
      {"dport :" + port},
      {"sport", port},
      {"sport geq :" + port + " & sport leq :" + port},
      {"dport = :ssh | sport = :" + port},
      {"!", "sport = :" + port},
      {"sport = :" + port + " or dport = :" + port + " and dst 10.0.0.1"},
      {"dst 10.0.0.1 and sport = :" + port + " or dport = :" + port},
      {"dev", "lo"},
      {"!", "dev = lo"},
      {"fwmark", "0x0/0xff"},
  };
  const auto normal = [&](const std::set<Tuple>& rows) {
    return unspecified_peers_as_ipv4(ours(rows, ports_));
  };
  for (const auto& filter : filters) {
    std::vector<std::string> mine{TCPSIGHT_BINARY, "ls", "-tan", "--json"};
    std::vector<std::string> theirs{"/usr/bin/ss", "-tanH"};
    mine.insert(mine.end(), filter.begin(), filter.end());
    theirs.insert(theirs.end(), filter.begin(), filter.end());
    EXPECT_EQ(normal(tcpsight_rows(run(mine))), normal(ss_rows(run(theirs))))
        << fmt::format("{}", fmt::join(filter, " "));
  }
}

// ss's options for families and tables (-f, -A, -4, -6) select what ss
// selects; -H drops the header; -F reads the filter from a file.
TEST_F(LsAgainstPeers, OptionsAsSsTakesThem) {
  const auto normal = [&](const std::set<Tuple>& rows) {
    return unspecified_peers_as_ipv4(ours(rows, ports_));
  };
  const std::vector<std::vector<std::string>> variants{
      {"-f", "inet"}, {"-f", "inet6"}, {"-4"}, {"-6"}, {"-A", "tcp"}};
  for (const auto& options : variants) {
    std::vector<std::string> mine{TCPSIGHT_BINARY, "ls", "-tan", "--json"};
    std::vector<std::string> theirs{"/usr/bin/ss", "-tanH"};
    mine.insert(mine.end(), options.begin(), options.end());
    theirs.insert(theirs.end(), options.begin(), options.end());
    const auto selected = normal(tcpsight_rows(run(mine)));
    EXPECT_FALSE(selected.empty()) << fmt::format("{}", fmt::join(options, " "));
    EXPECT_EQ(selected, normal(ss_rows(run(theirs)))) << fmt::format("{}", fmt::join(options, " "));
  }
  EXPECT_EQ(run({TCPSIGHT_BINARY, "ls", "-tanH"}).find("Netid"), std::string::npos);
  EXPECT_NE(run({TCPSIGHT_BINARY, "ls", "-tan"}).find("Netid"), std::string::npos);

  const auto port = std::to_string(port4_);
  const auto file =
      std::filesystem::temp_directory_path() / fmt::format("tcpsight-filter-{}", getpid());
  std::ofstream(file) << "( sport = :" << port << "\n or dport = :" << port << " )\n";
  EXPECT_EQ(normal(tcpsight_rows(run({TCPSIGHT_BINARY, "ls", "-tan", "--json", "-F", file}))),
            normal(ss_rows(run({"/usr/bin/ss", "-tanH", "-F", file}))));
  std::filesystem::remove(file);

  test::expect_usage_errors("ls",
                            {{"-A", "packet"},
                             {"-A", "tcp,nope"},
                             {"-f", "link"},
                             {"-E"},
                             {"-D", "/dev/null"},
                             {"-F", "/nonexistent"},
                             {"-F", "/"},
                             {"-F", TCPSIGHT_BINARY},
                             {"-F", "/dev/null", "sport", "=", ":1"},
                             {"-M"},
                             {"-Z"},
                             {"-A", "!nope"},
                             {"-0"}},
                            false);
}

// The timer column of -o reads as ss's: a keepalive and a TIME_WAIT.
TEST_F(LsAgainstPeers, TimersAsSsShowsThem) {
  const int on = 1;
  ASSERT_EQ(setsockopt(sockets_.client.get(), SOL_SOCKET, SO_KEEPALIVE, &on, sizeof on), 0);
  auto closing = test::connect_to_loopback(AddressFamily::IPv4, port4_);
  auto accepted = test::accept_one(sockets_.listener4);
  const auto closing_port = test::local_port(closing);
  closing = {}; // the client closes first: its end waits in TIME_WAIT
  accepted = {};
  // The "timer:(...)" of each line, sorted.
  const auto timers = [](const std::string& text) {
    std::vector<std::string> found;
    for (std::size_t at = 0; (at = text.find("timer:(", at)) != std::string::npos; ++at)
      found.push_back(text.substr(at, text.find(')', at) + 1 - at));
    std::sort(found.begin(), found.end()); // keepalive before timewait
    return found;
  };
  // Both ends: an earlier test's TIME_WAIT may have had one of these ports.
  const auto filter = fmt::format("dport = :{} and ( sport = :{} or sport = :{} )", port4_,
                                  client_port_, closing_port);
  std::vector<std::string> ours, theirs;
  // Times to expiry tick on: equal in one of a few tries.
  for (int attempt = 0; attempt < 10 && (ours.size() != 2 || ours != theirs); ++attempt) {
    ours = timers(run({TCPSIGHT_BINARY, "ls", "-tano", filter}));
    theirs = timers(run({"/usr/bin/ss", "-tanoH", filter}));
  }
  ASSERT_EQ(ours.size(), 2u) << ::testing::PrintToString(ours);
  EXPECT_EQ(ours, theirs);
  EXPECT_EQ(ours[0].rfind("timer:(keepalive,", 0), 0u) << ours[0];
  EXPECT_EQ(ours[1].rfind("timer:(timewait,", 0), 0u) << ours[1];
}

// -m's skmem of a listener, whose memory stands still, reads as ss -m's.
TEST_F(LsAgainstPeers, MemoryAsSsShowsIt) {
  const auto filter = fmt::format("sport = :{}", port4_);
  const auto skmem = [](const std::string& text) {
    const auto at = text.find("skmem:(");
    return at == std::string::npos ? std::string() : text.substr(at, text.find(')', at) + 1 - at);
  };
  const auto ours = skmem(run({TCPSIGHT_BINARY, "ls", "-tlm", filter}));
  EXPECT_EQ(ours.rfind("skmem:(r0,rb", 0), 0u) << ours;
  EXPECT_EQ(ours, skmem(run({"/usr/bin/ss", "-tlmH", filter})));
}

// -r names hosts and services as ss -r does (loopback is localhost).
TEST_F(LsAgainstPeers, ResolvedNamesAsSsShowsThem) {
  const auto filter = fmt::format("sport = :{} or dport = :{}", port4_, port4_);
  // The two ends of each row, as printed.
  const auto ends = [](const std::string& text, std::size_t first) {
    std::vector<std::string> found;
    std::istringstream lines(text);
    for (std::string line; std::getline(lines, line);) {
      std::istringstream fields(line);
      std::vector<std::string> words{std::istream_iterator<std::string>(fields), {}};
      if (words.size() > first + 1 && words[0] != "Netid")
        found.push_back(words[first] + " " + words[first + 1]);
    }
    std::sort(found.begin(), found.end());
    return found;
  };
  const auto ours = ends(run({TCPSIGHT_BINARY, "ls", "-tar", filter}), 4);
  // The listener and both ends of the connection, and any earlier TIME_WAIT
  // whose port was the listener's.
  EXPECT_GE(ours.size(), 3u);
  EXPECT_EQ(ours, ends(run({"/usr/bin/ss", "-tarH", filter}), 3));
  EXPECT_NE(ours.front().find("localhost:"), std::string::npos) << ours.front();
}

// ss -tei and tcpsight ls --json agree on inode, socket cookie and cwnd.
TEST_F(LsAgainstPeers, ExtendedAndTcpInfoAgreeWithSs) {
  const auto client_port = std::to_string(test::local_port(sockets_.client));
  const auto ss = run({"/usr/bin/ss", "-teniH", "sport", "=", ":" + client_port});
  const auto field = [&](const std::string& name) {
    const auto at = ss.find(" " + name + ":");
    EXPECT_NE(at, std::string::npos) << name << " in " << ss;
    const auto start = at + name.size() + 2;
    return ss.substr(start, ss.find_first_of(" \n", start) - start);
  };
  std::istringstream in(
      run({TCPSIGHT_BINARY, "ls", "-t", "--json", "sport", "=", ":" + client_port}));
  std::string line;
  ASSERT_TRUE(std::getline(in, line));
  const auto row = json::parse(line);
  EXPECT_EQ(std::to_string(row["inode"].get<std::uint64_t>()), field("ino"));
  EXPECT_EQ(fmt::format("{:x}", row["cookie"].get<std::uint64_t>()), field("sk"));
  EXPECT_EQ(std::to_string(row["tcp_info"]["cwnd"].get<int>()), field("cwnd"));
}

// -s is ss -s, line for line. Sockets come and go (TIME_WAITs end), so
// ours must equal ss's taken just before or just after, in one of a few tries.
TEST(LsCli, SummaryIsSsSummary) {
  // In a namespace of its own, whose sockets stand still; the TCP line's
  // counts are the whole kernel's, which other work changes: not compared.
  const auto summary = [](const std::vector<std::string>& command) {
    std::vector<std::string> argv{"unshare", "-n"};
    argv.insert(argv.end(), command.begin(), command.end());
    auto text = run(argv);
    const auto tcp = text.find("\nTCP:");
    const auto end = text.find('\n', tcp + 1);
    if (tcp != std::string::npos)
      std::replace_if(
          text.begin() + tcp, text.begin() + end, [](char c) { return std::isdigit(c); }, '#');
    return text;
  };
  std::string before, ours, after;
  for (int attempt = 0; attempt < 10; ++attempt) {
    before = summary({"/usr/bin/ss", "-s"});
    ours = summary({TCPSIGHT_BINARY, "ls", "-s"});
    after = summary({"/usr/bin/ss", "-s"});
    if (ours == before || ours == after)
      break;
  }
  EXPECT_TRUE(ours == before || ours == after) << ours << "ss:\n" << before;
  EXPECT_NE(ours.find("Transport Total     IP        IPv6\n"), std::string::npos) << ours;
  // Alone or with -a, the counts only; with a protocol, the sockets follow.
  EXPECT_EQ(run({TCPSIGHT_BINARY, "ls", "-s", "-a"}).find("Netid"), std::string::npos);
  EXPECT_NE(run({TCPSIGHT_BINARY, "ls", "-s", "-t"}).find("Netid"), std::string::npos);
  // -F's filter too, as in ss: only one on the command line lists sockets.
  const auto file =
      std::filesystem::temp_directory_path() / fmt::format("tcpsight-summary-{}", getpid());
  std::ofstream(file) << "sport = :22\n";
  EXPECT_EQ(run({TCPSIGHT_BINARY, "ls", "-s", "-F", file}).find("Netid"), std::string::npos);
  EXPECT_NE(run({TCPSIGHT_BINARY, "ls", "-s", "sport = :22"}).find("Netid"), std::string::npos);
  std::filesystem::remove(file);
  const auto json = nlohmann::json::parse(run({TCPSIGHT_BINARY, "ls", "-s", "--json"}));
  EXPECT_EQ(json["type"], "summary");
  for (const char* key : {"total", "established", "closed", "orphaned", "time_wait"})
    EXPECT_TRUE(json["tcp"].contains(key)) << key;
  for (const char* table : {"raw", "udp", "tcp_in_tables", "inet", "fragments"})
    EXPECT_TRUE(json[table].contains("ipv6")) << table;
}

// -K closes the connection the filter names and no other: its peer sees the
// reset, and trace shows the close with a reason of its own.
TEST(LsCli, KillClosesTheMatchedConnectionOnly) {
  TCPSIGHT_REQUIRE_TRACING();
  auto listener = test::listen_on_loopback(AddressFamily::IPv4);
  const auto port = test::local_port(listener);
  auto client = test::connect_to_loopback(AddressFamily::IPv4, port);
  auto server = test::accept_one(listener);
  auto other = test::connect_to_loopback(AddressFamily::IPv4, port);
  auto other_server = test::accept_one(listener);
  ChildProcess trace({TCPSIGHT_BINARY, "trace", "--json", "--port", std::to_string(port)});
  ASSERT_TRUE(trace.wait_for_stderr("tracing TCP connections", 20s)) << trace.stderr_text();

  const auto client_port = std::to_string(test::local_port(client));
  // Both ports: an ephemeral port may also serve a connection elsewhere.
  ChildProcess kill({TCPSIGHT_BINARY, "ls", "-tnK",
                     fmt::format("sport = :{} and dport = :{}", client_port, port)});
  ASSERT_EQ(kill.wait(), 0) << kill.stderr_text();
  const auto closed = kill.stdout_text();
  EXPECT_NE(closed.find(":" + client_port + " "), std::string::npos) << closed;
  EXPECT_EQ(std::count(closed.begin(), closed.end(), '\n'), 2)
      << closed; // the header and the one socket closed

  char byte = 0;
  EXPECT_EQ(recv(server.get(), &byte, 1, 0), -1);
  EXPECT_EQ(errno, ECONNRESET); // the peer saw the reset
  EXPECT_EQ(recv(client.get(), &byte, 1, 0), -1);
  EXPECT_EQ(errno, ECONNABORTED);             // its own process is told so
  ASSERT_EQ(send(other.get(), "x", 1, 0), 1); // the other connection carries on
  EXPECT_EQ(recv(other_server.get(), &byte, 1, 0), 1);

  EXPECT_TRUE(trace.wait_for_stdout(
      [&](const std::string& out) {
        return out.find("\"sport\":" + client_port + ",") != std::string::npos &&
               out.find("\"reason\":\"destroyed\"") != std::string::npos;
      },
      10s))
      << trace.stdout_text();
  trace.send_signal(SIGINT);
  EXPECT_EQ(trace.wait(), 0);
}

// Without CAP_NET_ADMIN, -K says so and closes nothing; without a filter it
// refuses to close everything.
TEST(LsCli, KillSaysWhatItNeeds) {
  TCPSIGHT_REQUIRE_TRACING(); // root, to become nobody
  auto listener = test::listen_on_loopback(AddressFamily::IPv4);
  const auto port = test::local_port(listener);
  auto client = test::connect_to_loopback(AddressFamily::IPv4, port);
  auto server = test::accept_one(listener);
  const test::WorldExecutableCopy binary;
  ChildProcess kill({"setpriv", "--reuid=65534", "--regid=65534", "--clear-groups",
                     "--inh-caps=-all", "--bounding-set=-all", binary.path(), "ls", "-tK",
                     fmt::format("dport = :{}", port)});
  EXPECT_EQ(kill.wait(), 1);
  EXPECT_EQ(kill.stderr_text(), "tcpsight: ls -K: closing sockets needs CAP_NET_ADMIN\n");
  ASSERT_EQ(send(client.get(), "x", 1, 0), 1); // still open
  char byte = 0;
  EXPECT_EQ(recv(server.get(), &byte, 1, 0), 1);
  // In a namespace of their own, where a regression could close nothing that matters.
  for (const std::vector<std::string>& arguments : {std::vector<std::string>{"-K"},
                                                    {"-tK"},
                                                    {"-K", " "},
                                                    {"-K", "-F", "/dev/null"},
                                                    {"-K", "-c", "sport = :1"},
                                                    {"-N", "all", "dev", "lo"}}) {
    std::vector<std::string> argv{"unshare", "-n", TCPSIGHT_BINARY, "ls"};
    argv.insert(argv.end(), arguments.begin(), arguments.end());
    ChildProcess refused(argv);
    EXPECT_EQ(refused.wait(), 2) << ::testing::PrintToString(arguments);
    EXPECT_EQ(refused.stderr_text().rfind("tcpsight: ls", 0), 0u) << refused.stderr_text();
  }
}

TEST(LsCli, UdpAndUnixSockets) {
  const int udp = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  sockaddr_in address{.sin_family = AF_INET, .sin_port = 0, .sin_addr = {htonl(INADDR_LOOPBACK)}};
  socklen_t length = sizeof address;
  ASSERT_EQ(bind(udp, reinterpret_cast<sockaddr*>(&address), sizeof address), 0);
  getsockname(udp, reinterpret_cast<sockaddr*>(&address), &length);
  const int unix_listener = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_un path{.sun_family = AF_UNIX};
  const auto name = fmt::format("tcpsight-test-{}", getpid());
  std::copy(name.begin(), name.end(), path.sun_path + 1); // abstract namespace
  ASSERT_EQ(bind(unix_listener, reinterpret_cast<sockaddr*>(&path),
                 static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) + 1 + name.size())),
            0);
  ASSERT_EQ(listen(unix_listener, 1), 0);

  bool udp_seen = false, unix_seen = false;
  std::istringstream in(run({TCPSIGHT_BINARY, "ls", "-uxl", "--json"}));
  for (std::string line; std::getline(in, line);) {
    const auto row = json::parse(line);
    if (row["protocol"] == "udp" && row["sport"] == ntohs(address.sin_port)) {
      udp_seen = true;
      EXPECT_EQ(row["state"], "UNCONN");
    }
    if (row["protocol"] == "unix" && row["path"] == "@" + name) {
      unix_seen = true;
      EXPECT_EQ(row["state"], "LISTEN");
    }
  }
  EXPECT_TRUE(udp_seen);
  EXPECT_TRUE(unix_seen);
  close(udp);
  close(unix_listener);
}

// What other users chose (a command name, a unix socket path) reaches root's
// terminal escaped, in every table; JSON carries it exactly, and a path
// without the NUL the kernel counts in its length.
TEST(LsCli, OtherUsersTextIsEscaped) {
  const auto path =
      std::filesystem::temp_directory_path() / fmt::format("tcpsight-\x1b[2J-{}.sock", getpid());
  const int unix_listener = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_un address{.sun_family = AF_UNIX};
  std::copy_n(path.c_str(), path.string().size(), address.sun_path);
  ASSERT_EQ(bind(unix_listener, reinterpret_cast<sockaddr*>(&address), sizeof address), 0);
  ASSERT_EQ(listen(unix_listener, 1), 0);
  const auto escaped_path = fmt::format("tcpsight-?[2J-{}.sock", getpid());

  test::Pipe ready;
  test::Forked holder("evil\x1b[2J", [&] {
    auto own = test::listen_on_loopback(AddressFamily::IPv4);
    const std::uint16_t own_port = test::local_port(own);
    ready.send(&own_port, sizeof own_port);
    pause();
  });
  std::uint16_t holder_port = 0;
  ready.receive(&holder_port, sizeof holder_port);

  for (const std::vector<std::string>& command : {std::vector<std::string>{"ls", "-tlp"},
                                                  {"ls", "-tlpe"},
                                                  {"ls", "-xl"},
                                                  {"ls", "-xlp"},
                                                  {"netstat", "-tlnp"},
                                                  {"netstat", "-xlp"}}) {
    std::vector<std::string> argv{TCPSIGHT_BINARY};
    argv.insert(argv.end(), command.begin(), command.end());
    const auto out = run(argv);
    const auto label = ::testing::PrintToString(command);
    EXPECT_EQ(out.find('\x1b'), std::string::npos) << label;
    EXPECT_EQ(out.find('\0'), std::string::npos) << label;
    if (command[1].find('x') != std::string::npos) {
      EXPECT_NE(out.find(escaped_path), std::string::npos) << label << "\n" << out;
    } else if (command[0] == "ls") { // netstat shows argv[0], which the test cannot set
      EXPECT_NE(out.find(fmt::format("{}/evil?[2J", holder.pid())), std::string::npos)
          << label << "\n"
          << out;
    }
  }
  bool path_seen = false;
  std::istringstream rows(run({TCPSIGHT_BINARY, "ls", "-xl", "--json"}));
  for (std::string line; std::getline(rows, line);)
    path_seen = path_seen || json::parse(line)["path"] == path.string();
  EXPECT_TRUE(path_seen) << "the exact path, without a trailing NUL";
  kill(holder.pid(), SIGKILL);
  close(unix_listener);
  std::filesystem::remove(path);
}

// Without every privilege: a user who may open other users' fd directories
// (CAP_DAC_OVERRIDE) but not read their links (CAP_SYS_PTRACE) is told the
// owners are partial; one who may not load BPF gets one line, not libbpf's.
TEST(LsCli, WithoutPrivilegesItSaysWhatIsMissing) {
  TCPSIGHT_REQUIRE_ROOT();
  test::WorldExecutableCopy binary;
  const auto as_nobody = [&](const std::vector<std::string>& capabilities,
                             const std::vector<std::string>& arguments) {
    std::vector<std::string> argv{"/usr/bin/setpriv", fmt::format("--reuid={}", test::kNobody),
                                  fmt::format("--regid={}", test::kNobody), "--clear-groups"};
    argv.insert(argv.end(), capabilities.begin(), capabilities.end());
    argv.push_back(binary.path());
    argv.insert(argv.end(), arguments.begin(), arguments.end());
    return std::make_unique<ChildProcess>(argv);
  };
  auto listener = test::listen_on_loopback(AddressFamily::IPv4); // a socket root holds
  auto partial =
      as_nobody({"--inh-caps=+dac_override", "--ambient-caps=+dac_override"}, {"ls", "-tp"});
  EXPECT_EQ(partial->wait(), 0) << partial->stderr_text();
  EXPECT_NE(partial->stderr_text().find("some processes could not be read"), std::string::npos)
      << partial->stderr_text();

  auto no_bpf = as_nobody({}, {"ls", "-t", "--source", "bpf"});
  EXPECT_EQ(no_bpf->wait(), 1);
  const auto error = no_bpf->stderr_text();
  EXPECT_EQ(error.rfind("tcpsight: ", 0), 0u) << error;
  EXPECT_EQ(std::count(error.begin(), error.end(), '\n'), 1) << error;
  EXPECT_EQ(error.find("libbpf"), std::string::npos) << error;
}

// A listener in a systemd service's cgroup is named by its unit.
TEST(LsCli, ShowCgroupNamesTheUnit) {
  TCPSIGHT_REQUIRE_ROOT();
  const auto unit = fmt::format("tcpsight-ls-{}.service", getpid());
  test::TestCgroup cgroup(fmt::format("tcpsight-test-{}.slice/{}", getpid(), unit));
  test::Pipe ports, done;
  test::Forked child("ts-unit", [&] {
    cgroup.enter();
    auto listener = test::listen_on_loopback(AddressFamily::IPv4);
    ports.send(test::local_port(listener));
    done.receive<char>();
  });
  const auto port = std::to_string(ports.receive<std::uint16_t>());
  const auto text = run({TCPSIGHT_BINARY, "ls", "-tln", "--show-cgroup", "sport", "=", ":" + port});
  const auto json_text =
      run({TCPSIGHT_BINARY, "ls", "-tl", "--json", "--show-cgroup", "sport", "=", ":" + port});
  const auto plain_json = run({TCPSIGHT_BINARY, "ls", "-tl", "--json", "sport", "=", ":" + port});
  done.send('d');
  ASSERT_TRUE(child.succeeded());
  EXPECT_NE(text.find(" cgroup:" + unit + "\n"), std::string::npos) << text;
  const auto row = json::parse(json_text);
  EXPECT_EQ(row["unit"], unit);
  EXPECT_EQ(row["cgroup"], fmt::format("/tcpsight-test-{}.slice/{}", getpid(), unit));
  EXPECT_EQ(row["cgroup_id"], cgroup.id());
  // Names cost a walk of the cgroup tree: only when asked for.
  EXPECT_TRUE(json::parse(plain_json)["cgroup"].is_null()) << plain_json;
}

} // namespace
} // namespace tcpsight
