// The long-running commands give up the capabilities they no longer need
// once attached, in every thread, and still work: read from
// /proc/PID/task/*/status of the real processes.
#include "child_process.hpp"
#include "loopback.hpp"
#include "privileges.hpp"
#include "thread_privileges.hpp"
#include "world_executable.hpp"

#include <gtest/gtest.h>

#include <linux/capability.h>
#include <signal.h>
#include <unistd.h>

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <fmt/format.h>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

namespace tcpsight {
namespace {

using namespace std::chrono_literals;
using test::ChildProcess;
using test::permitted_here;
using test::threads_of;

// A loopback connection, opened and closed; its listener's port.
int connect_once() {
  auto listener = test::listen_on_loopback(AddressFamily::IPv4);
  const auto port = test::local_port(listener);
  auto client = test::connect_to_loopback(AddressFamily::IPv4, port);
  auto server = test::accept_one(listener);
  return port;
}

// Whether the history has a connection on port.
bool recorded(const std::filesystem::path& db, int port) {
  ChildProcess history(
      {TCPSIGHT_BINARY, "history", "--db", db.string(), "--port", std::to_string(port), "--json"});
  return history.wait() == 0 && !history.stdout_text().empty();
}

// Whether the exporter counts a connection on port, scraped until it does
// or 10 s pass.
bool exported(const ChildProcess& exporter, int port) {
  constexpr std::string_view kServing = "serving metrics on ";
  const auto text = exporter.stderr_text();
  const auto at = text.find(kServing);
  if (at == std::string::npos)
    return false;
  const auto begin = at + kServing.size();
  const auto url = text.substr(begin, text.find_first_of(" \n", begin) - begin);
  const auto label = fmt::format("port=\"{}\"", port);
  for (const auto deadline = std::chrono::steady_clock::now() + 10s;
       std::chrono::steady_clock::now() < deadline; std::this_thread::sleep_for(100ms)) {
    ChildProcess curl({"curl", "-sS", "--max-time", "5", url});
    if (curl.wait() == 0 && curl.stdout_text().find(label) != std::string::npos)
      return true;
  }
  return false;
}

constexpr std::uint64_t bit(int capability) { return std::uint64_t{1} << capability; }

struct Case {
  std::string name;
  std::vector<std::string> arguments;
  std::uint64_t kept;
};

class Capabilities : public ::testing::TestWithParam<Case> {};

TEST_P(Capabilities, GivenUpOnceAttachedInEveryThread) {
  TCPSIGHT_REQUIRE_TRACING();
  const auto db =
      std::filesystem::temp_directory_path() / fmt::format("tcpsight-caps-{}.db", getpid());
  std::vector<std::string> argv{TCPSIGHT_BINARY};
  for (const auto& argument : GetParam().arguments)
    argv.push_back(argument == "DB" ? db.string() : argument);
  ChildProcess command(argv);
  ASSERT_TRUE(command.wait_for_stderr("tracing TCP connections", 20s)) << command.stderr_text();
  // A connection after the drop: the command still works without them.
  const auto port = connect_once();
  const auto threads = threads_of(command.pid());
  ASSERT_FALSE(threads.empty());
  const auto kept = GetParam().kept & permitted_here();
  for (const auto& thread : threads) {
    EXPECT_EQ(thread.effective, kept);
    EXPECT_EQ(thread.permitted, kept);
    EXPECT_EQ(thread.bounding, kept) << "run as root, which may empty its bounding set";
    EXPECT_TRUE(thread.no_new_privs);
  }
  const auto shown = [&] {
    return command.stdout_text().find(fmt::format(" {} ", port)) != std::string::npos ||
           command.stdout_text().find(fmt::format(":{} ", port)) != std::string::npos;
  };
  if (GetParam().name == "trace" || GetParam().name == "life") {
    EXPECT_TRUE(command.wait_for_stdout([&](const std::string&) { return shown(); }, 10s))
        << "the connection after the drop, not shown: " << command.stdout_text();
  }
  if (GetParam().name == "export") {
    EXPECT_TRUE(exported(command, port)) << "the connection after the drop, not counted";
  }
  command.send_signal(SIGINT);
  EXPECT_EQ(command.wait(), 0) << command.stderr_text();
  if (GetParam().name.starts_with("record")) {
    EXPECT_TRUE(recorded(db, port)) << "the connection after the drop, not recorded";
  }
  for (const char* suffix : {"", "-wal", "-shm"})
    std::filesystem::remove(db.string() + suffix);
}

INSTANTIATE_TEST_SUITE_P(
    Commands, Capabilities,
    ::testing::Values(Case{"trace", {"trace"}, bit(CAP_SYS_ADMIN) | bit(CAP_SYS_PTRACE)},
                      Case{"life", {"life"}, 0}, Case{"record", {"record", "--db", "DB"}, 0},
                      Case{"record_transitions",
                           {"record", "--db", "DB", "--transitions"},
                           bit(CAP_SYS_ADMIN) | bit(CAP_SYS_PTRACE)},
                      Case{"export", {"export", "--listen", "127.0.0.1:0"}, 0}),
    [](const auto& info) { return info.param.name; });

// What the README promises: not root, only CAP_BPF and CAP_PERFMON (as
// setpriv gives them, ambient, to the user nobody). trace and record work,
// and give those up too.
class WithOnlyBpfAndPerfmon : public ::testing::TestWithParam<std::string> {};

TEST_P(WithOnlyBpfAndPerfmon, TracesAndGivesThemUp) {
  TCPSIGHT_REQUIRE_TRACING();
  const test::WorldExecutableCopy binary;
  const auto directory =
      std::filesystem::temp_directory_path() / fmt::format("tcpsight-nobody-{}", getpid());
  std::filesystem::create_directory(directory);
  ASSERT_EQ(chown(directory.c_str(), 65534, 65534), 0);
  std::vector<std::string> argv{"setpriv",
                                "--reuid=65534",
                                "--regid=65534",
                                "--clear-groups",
                                "--inh-caps=-all,+bpf,+perfmon",
                                "--ambient-caps=-all,+bpf,+perfmon",
                                "--bounding-set=-all,+bpf,+perfmon",
                                binary.path(),
                                GetParam()};
  if (GetParam() == "record")
    argv.insert(argv.end(), {"--db", (directory / "history.db").string()});
  ChildProcess command(argv);
  ASSERT_TRUE(command.wait_for_stderr("tracing TCP connections", 20s)) << command.stderr_text();
  const auto port = connect_once();
  for (const auto& thread : threads_of(command.pid())) {
    EXPECT_EQ(thread.effective, 0u);
    EXPECT_EQ(thread.permitted, 0u);
  }
  if (GetParam() == "trace") {
    EXPECT_TRUE(command.wait_for_stdout(
        [&](const std::string& out) {
          return out.find(fmt::format(":{} ", port)) != std::string::npos;
        },
        10s))
        << command.stdout_text() << command.stderr_text();
  }
  command.send_signal(SIGINT);
  EXPECT_EQ(command.wait(), 0) << command.stderr_text();
  if (GetParam() == "record") {
    EXPECT_TRUE(recorded(directory / "history.db", port)) << command.stderr_text();
  }
  std::filesystem::remove_all(directory);
}

INSTANTIATE_TEST_SUITE_P(Commands, WithOnlyBpfAndPerfmon, ::testing::Values("trace", "record"));
} // namespace
} // namespace tcpsight
