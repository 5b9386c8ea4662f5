// `tcpsight netstat` against net-tools netstat, with the same options, on
// sockets the test makes: the rows must match field for field.
#include "child_process.hpp"
#include "loopback.hpp"
#include "privileges.hpp"

#include <gtest/gtest.h>

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <filesystem>
#include <fmt/format.h>
#include <set>
#include <sstream>

namespace tcpsight {
namespace {

using namespace std::chrono_literals;
using test::ChildProcess;
using Rows = std::vector<std::vector<std::string>>;

std::string run(const std::vector<std::string>& argv, int expected_status = 0) {
  ChildProcess child(argv);
  EXPECT_EQ(child.wait(), expected_status) << argv[0] << ": " << child.stderr_text();
  return child.stdout_text();
}

// The whitespace-separated fields of every line that mentions one of the
// markers (ports or paths of the test's sockets), sorted.
Rows rows_with(const std::string& text, const std::vector<std::string>& markers) {
  Rows rows;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) {
    const auto padded = line + ' '; // a marker may end the line; netstat pads, tcpsight trims
    if (std::none_of(markers.begin(), markers.end(),
                     [&](const std::string& m) { return padded.find(m) != std::string::npos; }))
      continue;
    std::istringstream fields(line);
    std::vector<std::string> row;
    for (std::string field; fields >> field;)
      row.push_back(field);
    rows.push_back(row);
  }
  std::sort(rows.begin(), rows.end());
  return rows;
}

// The port after an endpoint's last colon: "127.0.0.1:8080" -> "8080".
std::string port_text(const std::string& endpoint) {
  return endpoint.substr(endpoint.rfind(':') + 1);
}

// The fields of every TCP line whose (local port, foreign port) is listed:
// the test's own sockets. Sockets other tests left (TIME_WAIT, for a minute)
// may share one of those port numbers, never both.
Rows tcp_rows_with(const std::string& text,
                   const std::set<std::pair<std::string, std::string>>& ends) {
  Rows rows;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) {
    std::istringstream fields(line);
    std::vector<std::string> row;
    for (std::string field; fields >> field;)
      row.push_back(field);
    if (row.size() >= 5 && row[0].rfind("tcp", 0) == 0 &&
        ends.count({port_text(row[3]), port_text(row[4])}))
      rows.push_back(row);
  }
  std::sort(rows.begin(), rows.end());
  return rows;
}

class NetstatAgainstNetTools : public ::testing::Test {
protected:
  test::KnownSockets sockets_;
  std::uint16_t port4_ = sockets_.port4;
  std::uint16_t port6_ = sockets_.port6;
  std::string client_ = std::to_string(test::local_port(sockets_.client));
  std::string server_ = std::to_string(port4_);
  std::set<std::pair<std::string, std::string>> ends_{
      {server_, "*"}, {std::to_string(port6_), "*"}, {client_, server_}, {server_, client_}};

  // Both tools with the same options give the same rows for our sockets.
  Rows expect_same_rows(const std::vector<std::string>& options) {
    std::vector<std::string> mine{TCPSIGHT_BINARY, "netstat"};
    std::vector<std::string> theirs{"/usr/bin/netstat"};
    mine.insert(mine.end(), options.begin(), options.end());
    theirs.insert(theirs.end(), options.begin(), options.end());
    const auto our_rows = tcp_rows_with(run(mine), ends_);
    EXPECT_EQ(our_rows, tcp_rows_with(run(theirs), ends_)) << ::testing::PrintToString(options);
    return our_rows;
  }
};

TEST_F(NetstatAgainstNetTools, AllTcpNumeric) {
  EXPECT_EQ(expect_same_rows({"-tan"}).size(), 4u); // two listeners, both ends of one connection
}

TEST_F(NetstatAgainstNetTools, ListeningOnlyAndConnectedOnly) {
  EXPECT_EQ(expect_same_rows({"-tln"}).size(), 2u);
  EXPECT_EQ(expect_same_rows({"-tn"}).size(), 2u);
}

TEST_F(NetstatAgainstNetTools, ProgramsUsersAndInodes) {
  const auto rows = expect_same_rows({"-tlnpe"});
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[0].back().substr(0, rows[0].back().find('/')), std::to_string(getpid()));
}

TEST_F(NetstatAgainstNetTools, Names) {
  // Without -n: localhost and the port (no service has these ports).
  const auto rows = expect_same_rows({"-tl"});
  ASSERT_FALSE(rows.empty());
}

TEST_F(NetstatAgainstNetTools, AddressFamilies) {
  const auto inet6 = expect_same_rows({"-ln", "-A", "inet6"});
  ASSERT_EQ(inet6.size(), 1u);
  EXPECT_EQ(inet6[0][0], "tcp6");
  const auto inet = expect_same_rows({"-tln", "--inet"});
  ASSERT_EQ(inet.size(), 1u);
  EXPECT_EQ(inet[0][0], "tcp");
}

TEST_F(NetstatAgainstNetTools, TimersNameTheSameKind) {
  const auto mine = tcp_rows_with(run({TCPSIGHT_BINARY, "netstat", "-tano"}), ends_);
  const auto theirs = tcp_rows_with(run({"/usr/bin/netstat", "-tano"}), ends_);
  ASSERT_EQ(mine.size(), theirs.size());
  for (std::size_t i = 0; i < mine.size(); ++i) {
    // Same row up to the timer's kind; its countdown moves between the two runs.
    EXPECT_EQ(std::vector(mine[i].begin(), mine[i].end() - 1),
              std::vector(theirs[i].begin(), theirs[i].end() - 1));
  }
}

TEST(NetstatCli, UdpAndRawSockets) {
  TCPSIGHT_REQUIRE_TRACING(); // raw sockets need root
  // An unassigned IP protocol: no traffic reaches it, its queues stay empty.
  const test::Fd raw(socket(AF_INET, SOCK_RAW | SOCK_CLOEXEC, 253));
  ASSERT_GE(raw.get(), 0);
  const test::Fd udp(socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0));
  sockaddr_in address{.sin_family = AF_INET, .sin_port = 0, .sin_addr = {htonl(INADDR_LOOPBACK)}};
  ASSERT_EQ(bind(udp.get(), reinterpret_cast<sockaddr*>(&address), sizeof address), 0);
  // The test's two sockets, found by their inodes in the -e column.
  const auto inode = [](const test::Fd& socket) {
    struct stat status {};
    fstat(socket.get(), &status);
    return fmt::format(" {} ", status.st_ino);
  };
  const std::vector<std::string> markers{inode(raw), inode(udp)};
  const auto mine = rows_with(run({TCPSIGHT_BINARY, "netstat", "-wuane"}), markers);
  EXPECT_EQ(mine.size(), 2u);
  EXPECT_EQ(mine, rows_with(run({"/usr/bin/netstat", "-wuane"}), markers));
}

TEST(NetstatCli, UnixSockets) {
  const int listener = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_un path{.sun_family = AF_UNIX};
  const auto name = fmt::format("tcpsight-netstat-{}", getpid());
  std::copy(name.begin(), name.end(), path.sun_path + 1); // abstract namespace
  ASSERT_EQ(bind(listener, reinterpret_cast<sockaddr*>(&path),
                 static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) + 1 + name.size())),
            0);
  ASSERT_EQ(listen(listener, 1), 0);
  const auto mine = rows_with(run({TCPSIGHT_BINARY, "netstat", "-xl"}), {name});
  ASSERT_EQ(mine.size(), 1u);
  EXPECT_EQ(mine, rows_with(run({"/usr/bin/netstat", "-xl"}), {name}));
  close(listener);
}

TEST(NetstatCli, ContinuousUntilInterrupted) {
  ChildProcess netstat({TCPSIGHT_BINARY, "netstat", "-tnc"});
  const auto twice = [](const std::string& out) {
    return out.find("Active Internet") != out.rfind("Active Internet");
  };
  EXPECT_TRUE(netstat.wait_for_stdout(twice, 5s)) << netstat.stdout_text();
  netstat.send_signal(SIGINT);
  EXPECT_EQ(netstat.wait(), 0);
}

TEST(NetstatCli, RoutingTableAsNetstatPrintsIt) {
  EXPECT_EQ(run({TCPSIGHT_BINARY, "netstat", "-rn"}), run({"/usr/bin/netstat", "-rn"}));
  EXPECT_EQ(run({TCPSIGHT_BINARY, "netstat", "-rnF"}), run({"/usr/bin/netstat", "-rn"}));
}

TEST(NetstatCli, RouteCacheIsAClearError) {
  ChildProcess cache({TCPSIGHT_BINARY, "netstat", "-rC"});
  EXPECT_EQ(cache.wait(), 1);
  EXPECT_NE(cache.stderr_text().find("no IPv4 routing cache"), std::string::npos);
}

// Counters move between two runs; names, MTUs and flags do not.
TEST(NetstatCli, InterfacesAsNetstatListsThem) {
  const auto columns = [](const std::string& text) {
    std::vector<std::string> kept;
    std::istringstream in(text);
    for (std::string line; std::getline(in, line);) {
      std::istringstream fields(line);
      std::vector<std::string> words;
      for (std::string word; fields >> word;)
        words.push_back(word);
      if (words.size() == 11)
        kept.push_back(words[0] + " " + words[1] + " " + words[10]);
    }
    return kept;
  };
  const auto mine = columns(run({TCPSIGHT_BINARY, "netstat", "-i"}));
  EXPECT_GE(mine.size(), 2u); // the header and lo at least
  EXPECT_EQ(mine, columns(run({"/usr/bin/netstat", "-i"})));
}

TEST(NetstatCli, StatisticsPerProtocol) {
  const auto all = run({TCPSIGHT_BINARY, "netstat", "-s"});
  for (const char* section : {"Ip:\n", "Tcp:\n", "Udp:\n", "TcpExt:\n"})
    EXPECT_NE(all.find(section), std::string::npos) << section;
  EXPECT_NE(all.find("    ActiveOpens: "), std::string::npos);
  const auto tcp = run({TCPSIGHT_BINARY, "netstat", "-st"});
  EXPECT_NE(tcp.find("Tcp:\n"), std::string::npos);
  EXPECT_EQ(tcp.find("Udp:\n"), std::string::npos);
}

TEST(NetstatCli, MulticastGroupsAsNetstatPrintsThem) {
  EXPECT_EQ(run({TCPSIGHT_BINARY, "netstat", "-gn"}), run({"/usr/bin/netstat", "-gn"}));
}

TEST(NetstatCli, MasqueradedConnectionsOrAClearMessage) {
  ChildProcess masquerade({TCPSIGHT_BINARY, "netstat", "-M"});
  const int status = masquerade.wait();
  if (std::filesystem::exists("/proc/net/nf_conntrack")) {
    EXPECT_EQ(status, 0);
    EXPECT_EQ(masquerade.stdout_text().rfind("IP masquerade connections\n", 0), 0u);
  } else {
    EXPECT_EQ(status, 1);
    EXPECT_NE(masquerade.stderr_text().find("tracks no connections"), std::string::npos);
  }
}

TEST(NetstatCli, SymbolicNamesChangeNoSocketTable) {
  // As with net-tools, -N only concerns hardware names, which these tables lack.
  EXPECT_EQ(run({TCPSIGHT_BINARY, "netstat", "-rnN"}), run({TCPSIGHT_BINARY, "netstat", "-rn"}));
  EXPECT_EQ(run({TCPSIGHT_BINARY, "netstat", "-inN"}).substr(0, 100),
            run({TCPSIGHT_BINARY, "netstat", "-in"}).substr(0, 100));
}

TEST(NetstatCli, VersionHelpAndUsageErrors) {
  EXPECT_NE(run({TCPSIGHT_BINARY, "netstat", "-V"}).find("tcpsight netstat"), std::string::npos);
  EXPECT_NE(run({TCPSIGHT_BINARY, "netstat", "-h"}).find("--listening"), std::string::npos);
  for (const std::vector<std::string>& bad :
       {std::vector<std::string>{"--bogus"}, {"-A", "ipx"}, {"-Z"}}) {
    std::vector<std::string> argv{TCPSIGHT_BINARY, "netstat"};
    argv.insert(argv.end(), bad.begin(), bad.end());
    ChildProcess child(argv);
    EXPECT_EQ(child.wait(), 2) << bad[0];
    EXPECT_FALSE(child.stderr_text().empty());
  }
}

// Output that cannot be written, to a full disk or a closed stdout, is one
// line on stderr and status 1, for every command that prints and exits.
TEST(OutputFailures, FullOrClosedStdoutIsAnError) {
  const std::vector<std::vector<std::string>> commands{
      {"states"},        {"netstat", "-V"}, {"netstat", "-s"}, {"netstat", "-r"}, {"netstat", "-i"},
      {"netstat", "-g"}, {"--version"},     {"ls", "--help"},  {"ls", "-tan"}};
  for (const auto& command : commands) {
    std::vector<std::string> argv{TCPSIGHT_BINARY};
    argv.insert(argv.end(), command.begin(), command.end());
    const auto label = ::testing::PrintToString(command);
    ChildProcess full(argv, [] {
      const int device = open("/dev/full", O_WRONLY);
      dup2(device, STDOUT_FILENO);
    });
    EXPECT_EQ(full.wait(), 1) << label;
    EXPECT_EQ(full.stderr_text(), "tcpsight: writing the output failed: No space left on device\n")
        << label;
    ChildProcess closed(argv, [] { close(STDOUT_FILENO); });
    EXPECT_EQ(closed.wait(), 1) << label;
    EXPECT_EQ(closed.stderr_text(),
              "tcpsight: writing the output failed: standard output is closed\n")
        << label;
  }
}

} // namespace
} // namespace tcpsight
