// Runs the built tcpsight binary the way a user would.
#include "child_process.hpp"
#include "forked.hpp"
#include "json_lines.hpp"
#include "loopback.hpp"
#include "privileges.hpp"
#include "usage_errors.hpp"
#include "world_executable.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <fcntl.h>
#include <grp.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <filesystem>
#include <fmt/format.h>
#include <fstream>
#include <memory>
#include <sstream>
#include <thread>

namespace tcpsight {
namespace {

using namespace std::chrono_literals;
using nlohmann::json;
using test::ChildProcess;

constexpr const char* kReady = "tracing TCP connections";

// The transitions of one socket, found by its ports, in output order.
std::vector<json> socket_events(const std::vector<json>& lines, int local, int remote) {
  std::uint64_t sock_id = 0;
  for (const auto& line : lines)
    if (line["type"] == "transition" && line["sport"] == local && line["dport"] == remote)
      sock_id = line["sock_id"];
  std::vector<json> socket;
  for (const auto& line : lines)
    if (line["type"] == "transition" && line["sock_id"] == sock_id)
      socket.push_back(line);
  return socket;
}

std::vector<std::string> transitions_of(const std::vector<json>& socket) {
  std::vector<std::string> states;
  for (const auto& t : socket)
    states.push_back(t["old"].get<std::string>() + "->" + t["new"].get<std::string>());
  return states;
}

// Connects to port from a child process named ts-client, sends bytes and
// closes. Returns the child's pid once it has exited.
pid_t connect_from_another_process(std::uint16_t port) {
  test::Forked client("ts-client", [port] {
    auto connection = test::connect_to_loopback(AddressFamily::IPv4, port);
    test::send_all(connection, "ping", 4);
  });
  EXPECT_TRUE(client.succeeded());
  return client.pid();
}

TEST(TraceCli, JsonOutputOfAConnectionMadeByAnotherProcess) {
  TCPSIGHT_REQUIRE_TRACING();
  ChildProcess tracer({TCPSIGHT_BINARY, "trace", "--json"});
  ASSERT_TRUE(tracer.wait_for_stderr(kReady, 10s)) << tracer.stderr_text();

  auto listener = test::listen_on_loopback(AddressFamily::IPv4);
  const auto server_port = test::local_port(listener);
  const pid_t client_pid = connect_from_another_process(server_port);
  auto server = test::accept_one(listener);
  EXPECT_EQ(test::read_to_eof(server), 4u);
  server.close();

  const auto server_closed = [&](const std::string& out) {
    const auto server_sport = R"("sport":)" + std::to_string(server_port) + ",";
    std::istringstream lines(out);
    for (std::string line; std::getline(lines, line);)
      if (line.find(server_sport) != std::string::npos &&
          line.find(R"("old":"LAST_ACK","new":"CLOSE")") != std::string::npos)
        return true;
    return false;
  };
  EXPECT_TRUE(tracer.wait_for_stdout(server_closed, 5s)) << tracer.stdout_text();
  tracer.send_signal(SIGINT);
  EXPECT_EQ(tracer.wait(), 0) << tracer.stderr_text();
  EXPECT_NE(tracer.stderr_text().find("filtered in the kernel, 0 lost"), std::string::npos)
      << tracer.stderr_text();

  const auto lines = test::json_lines(tracer.stdout_text());
  int client_port = 0;
  for (const auto& line : lines)
    if (line["type"] == "transition" && line["dport"] == server_port &&
        line["new"] == "ESTABLISHED" && line["old"] == "SYN_SENT")
      client_port = line["sport"];
  ASSERT_NE(client_port, 0) << tracer.stdout_text();

  const auto client = socket_events(lines, client_port, server_port);
  // FIN_WAIT2 ends in TIME_WAIT at once, or after a hand-over to a
  // timewait socket (FIN_WAIT2 -> CLOSE) that waits for the server's FIN.
  std::vector<std::string> direct{"CLOSE->SYN_SENT", "SYN_SENT->ESTABLISHED",
                                  "ESTABLISHED->FIN_WAIT1", "FIN_WAIT1->FIN_WAIT2",
                                  "FIN_WAIT2->TIME_WAIT"};
  auto handed_over = direct;
  handed_over.insert(handed_over.end() - 1, "FIN_WAIT2->CLOSE");
  const auto states = transitions_of(client);
  EXPECT_TRUE(states == direct || states == handed_over) << ::testing::PrintToString(states);
  EXPECT_EQ(client.back()["inferred"], true);
  EXPECT_EQ(client.front()["sport"], client_port); // filled in after connect() picked it
  for (const auto& t : client) {
    EXPECT_EQ(t["pid"], client_pid);
    EXPECT_EQ(t["comm"], "ts-client");
    EXPECT_EQ(t["family"], "ipv4");
    EXPECT_EQ(t["saddr"], "127.0.0.1");
    EXPECT_EQ(t["daddr"], "127.0.0.1");
  }

  const auto server_side = socket_events(lines, server_port, client_port);
  EXPECT_EQ(transitions_of(server_side),
            (std::vector<std::string>{"LISTEN->SYN_RECV", "SYN_RECV->ESTABLISHED",
                                      "ESTABLISHED->CLOSE_WAIT", "CLOSE_WAIT->LAST_ACK",
                                      "LAST_ACK->CLOSE"}));
  ASSERT_EQ(server_side.size(), 5u);
  for (const auto& t : server_side)
    EXPECT_EQ(t["pid"], getpid());
  for (std::size_t i = 1; i < server_side.size(); ++i)
    EXPECT_GT(server_side[i]["ts_ns"].get<std::uint64_t>(),
              server_side[i - 1]["ts_ns"].get<std::uint64_t>());
}

TEST(TraceCli, LostEventsAreReportedOnStderrInJsonAndInTheSummary) {
  TCPSIGHT_REQUIRE_TRACING();
  const auto page = sysconf(_SC_PAGESIZE);
  ChildProcess tracer(
      {TCPSIGHT_BINARY, "trace", "--json", "--ring-buffer-size", std::to_string(page)});
  ASSERT_TRUE(tracer.wait_for_stderr(kReady, 10s)) << tracer.stderr_text();
  tracer.send_signal(SIGSTOP); // the reader stops; the kernel keeps writing
  for (long i = 0; i < page / 100; ++i)
    test::run_client_closes_first(AddressFamily::IPv4);
  tracer.send_signal(SIGCONT);
  EXPECT_TRUE(tracer.wait_for_stderr("tcpsight: lost ", 5s)) << tracer.stderr_text();
  tracer.send_signal(SIGINT);
  EXPECT_EQ(tracer.wait(), 0);

  std::uint64_t lost_in_json = 0;
  for (const auto& line : test::json_lines(tracer.stdout_text()))
    if (line["type"] == "lost_events")
      lost_in_json += line["count"].get<std::uint64_t>();
  EXPECT_GT(lost_in_json, 0u);
  EXPECT_NE(tracer.stderr_text().find(fmt::format(", {} lost, ", lost_in_json)), std::string::npos)
      << tracer.stderr_text();
}

TEST(TraceCli, FilterValuesAreCheckedBeforeTracing) {
  // Some are refused as the filter is put together, in words of their own
  // ("'0' is not a port"), so the option is not always named first.
  test::expect_usage_errors("trace",
                            {{"--port", "0"},
                             {"--port", "65536"},
                             {"--dport", "http"},
                             {"--state", "OPEN"},
                             {"--comm", "a-name-that-is-too-long"},
                             {"--netns", "/no/such/ns"},
                             {"--netns", "0"},
                             {"--netns", "/etc/passwd"},
                             {"--cgroup", "0"},
                             {"--cgroup", "/etc"},
                             {"--comm", ""},
                             {"--pid", "0"},
                             {"--read", ""},
                             {"--write", ""},
                             {"--no-such-flag", "x"}},
                            /*names_option=*/false);
}

TEST(TraceCli, SigtermAlsoEndsCleanlyWithASummary) {
  TCPSIGHT_REQUIRE_TRACING();
  ChildProcess tracer({TCPSIGHT_BINARY, "trace"});
  ASSERT_TRUE(tracer.wait_for_stderr(kReady, 10s)) << tracer.stderr_text();
  tracer.send_signal(SIGTERM);
  EXPECT_EQ(tracer.wait(), 0);
  EXPECT_NE(tracer.stderr_text().find("events shown"), std::string::npos);
  EXPECT_EQ(tracer.stdout_text().rfind("TIME ", 0), 0u) << tracer.stdout_text();
}

// Started with stdout closed, the recording does not take fd 1: the table
// goes nowhere and says so, and the recording holds the events, readable.
TEST(TraceCli, AClosedStdoutIsReportedAndTheRecordingKeptApart) {
  TCPSIGHT_REQUIRE_TRACING();
  const auto recording =
      std::filesystem::temp_directory_path() / fmt::format("tcpsight-closed-{}.rec", getpid());
  auto listener = test::listen_on_loopback(AddressFamily::IPv4);
  const auto port = std::to_string(test::local_port(listener));
  // JSON has no header: the first write, and its failure, come with the
  // first events.
  ChildProcess tracer(
      {TCPSIGHT_BINARY, "trace", "--json", "--port", port, "--write", recording.string()},
      [] { close(STDOUT_FILENO); });
  ASSERT_TRUE(tracer.wait_for_stderr(kReady, 10s)) << tracer.stderr_text();
  test::run_client_closes_first(listener, AddressFamily::IPv4);
  // The first events fail to reach stdout, which ends the trace.
  EXPECT_EQ(tracer.wait(), 1) << tracer.stderr_text();
  const auto error = tracer.stderr_text();
  EXPECT_NE(error.find("writing the output failed: standard output is closed"), std::string::npos)
      << error;
  EXPECT_NE(error.find("0 events shown, "), std::string::npos) << error;
  EXPECT_NE(error.find(" not written"), std::string::npos) << error;

  ChildProcess replay({TCPSIGHT_BINARY, "trace", "--json", "--read", recording.string()});
  EXPECT_EQ(replay.wait(), 0) << replay.stderr_text();
  const auto lines = test::json_lines(replay.stdout_text());
  EXPECT_GE(lines.size(), 2u) << replay.stdout_text();
  for (const auto& line : lines)
    EXPECT_TRUE(line["sport"] == std::stoi(port) || line["dport"] == std::stoi(port)) << line;
  std::filesystem::remove(recording);
}

// Replaying from a FIFO whose writer has more to send, Ctrl-C ends the
// replay as it ends live tracing: quietly, with a summary, not as a
// recording cut short.
TEST(TraceCli, CtrlCWhileAFifoWaitsEndsTheReplay) {
  const auto fifo =
      std::filesystem::temp_directory_path() / fmt::format("tcpsight-fifo-{}", getpid());
  std::filesystem::remove(fifo);
  ASSERT_EQ(mkfifo(fifo.c_str(), 0600), 0);
  const std::unique_ptr<const char, void (*)(const char*)> removed(
      fifo.c_str(), [](const char* path) { std::filesystem::remove(path); });
  ChildProcess replay({TCPSIGHT_BINARY, "trace", "--read", fifo.string()});
  // The write end opens once the reader has the FIFO open.
  int writer = -1;
  const auto deadline = std::chrono::steady_clock::now() + 10s;
  while (writer < 0 && std::chrono::steady_clock::now() < deadline) {
    writer = open(fifo.c_str(), O_WRONLY | O_NONBLOCK | O_CLOEXEC);
    if (writer < 0)
      std::this_thread::sleep_for(10ms);
  }
  ASSERT_GE(writer, 0) << replay.stderr_text();
  // A recording's header, then nothing yet: the reader waits in read().
  std::ifstream recording(TCPSIGHT_FIXTURES "/loopback.events", std::ios::binary);
  std::array<char, 40> header{};
  recording.read(header.data(), header.size());
  ASSERT_EQ(write(writer, header.data(), header.size()), 40);
  // Waiting in read() with its SIGINT handler installed: past the header,
  // in the replay itself.
  const auto syscall_path = fmt::format("/proc/{}/syscall", replay.pid());
  if (!std::ifstream(syscall_path).good()) {
    replay.send_signal(SIGKILL);
    replay.wait();
    close(writer);
    GTEST_SKIP() << syscall_path << " cannot be read here";
  }
  const auto blocked_in_read = [&] {
    std::string number;
    std::ifstream(syscall_path) >> number;
    std::ifstream status(fmt::format("/proc/{}/status", replay.pid()));
    std::uint64_t caught = 0;
    for (std::string line; std::getline(status, line);)
      if (line.rfind("SigCgt:", 0) == 0)
        caught = std::stoull(line.substr(7), nullptr, 16);
    return number == std::to_string(SYS_read) && (caught & (1u << (SIGINT - 1))) != 0;
  };
  while (!blocked_in_read() && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(10ms);
  ASSERT_TRUE(blocked_in_read()) << replay.stderr_text();
  replay.send_signal(SIGINT);
  if (!replay.wait_for_stderr("events replayed", 10s))
    replay.send_signal(SIGKILL); // it did not stop: fail below, without hanging
  EXPECT_EQ(replay.wait(), 0) << replay.stderr_text();
  EXPECT_NE(replay.stderr_text().find("0 events replayed"), std::string::npos)
      << replay.stderr_text();
  close(writer);
}

TEST(TraceCli, WithoutPrivilegesSaysWhatToDoOnOneLine) {
  if (getuid() != 0) {
    ChildProcess unprivileged({TCPSIGHT_BINARY, "trace"});
    EXPECT_EQ(unprivileged.wait(), 1);
    EXPECT_EQ(unprivileged.stderr_text(),
              "tcpsight: tracing needs CAP_BPF and CAP_PERFMON (or CAP_SYS_ADMIN): run tcpsight "
              "as root, e.g. with sudo\n");
    return;
  }
  test::WorldExecutableCopy binary;
  ChildProcess nobody({binary.path(), "trace"}, test::become_nobody);
  EXPECT_EQ(nobody.wait(), 1) << nobody.stderr_text();
  EXPECT_EQ(nobody.stderr_text(),
            "tcpsight: tracing needs CAP_BPF and CAP_PERFMON (or CAP_SYS_ADMIN): run tcpsight as "
            "root, e.g. with sudo\n");
  EXPECT_EQ(nobody.stdout_text(), "");
}

TEST(TraceCli, UnknownFlagIsAUsageError) {
  ChildProcess bad({TCPSIGHT_BINARY, "trace", "--no-such-flag"});
  EXPECT_EQ(bad.wait(), 2);
  EXPECT_NE(bad.stderr_text().find("--no-such-flag"), std::string::npos) << bad.stderr_text();
}

TEST(TraceCli, MissingSubcommandIsAUsageError) {
  ChildProcess bare({TCPSIGHT_BINARY});
  EXPECT_EQ(bare.wait(), 2);
  EXPECT_FALSE(bare.stderr_text().empty());
}

TEST(TraceCli, RingBufferSizeMustBeAPowerOfTwo) {
  for (const char* size : {"5000", "2048", "abc", "99999999999999999999999", "-4096"}) {
    ChildProcess bad({TCPSIGHT_BINARY, "trace", "--ring-buffer-size", size});
    EXPECT_EQ(bad.wait(), 2) << size;
    EXPECT_NE(bad.stderr_text().find("power of two"), std::string::npos) << bad.stderr_text();
  }
}

TEST(StatesCli, ExplainsEveryState) {
  ChildProcess states({TCPSIGHT_BINARY, "states"});
  EXPECT_EQ(states.wait(), 0);
  const auto out = states.stdout_text();
  for (const char* name :
       {"ESTABLISHED", "SYN_SENT", "SYN_RECV", "FIN_WAIT1", "FIN_WAIT2", "TIME_WAIT", "CLOSE",
        "CLOSE_WAIT", "LAST_ACK", "LISTEN", "CLOSING", "NEW_SYN_RECV"})
    EXPECT_NE(out.find(std::string("\n") + name + " "), std::string::npos) << name;
}

} // namespace
} // namespace tcpsight
