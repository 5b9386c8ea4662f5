// `tcpsight record` and `tcpsight history` on real connections.
#include "charts.hpp"
#include "child_process.hpp"
#include "forked.hpp"
#include "json_lines.hpp"
#include "loopback.hpp"
#include "privileges.hpp"
#include "tcpsight/history/history_store.hpp"
#include "tcpsight/model/clock.hpp"
#include "usage_errors.hpp"
#include "world_executable.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <grp.h>
#include <pwd.h>
#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <fmt/format.h>
#include <fstream>
#include <iterator>
#include <set>
#include <sstream>
#include <thread>

namespace tcpsight {
namespace {

using namespace std::chrono_literals;
using nlohmann::json;
using test::ChildProcess;

class HistoryCli : public ::testing::Test {
protected:
  std::string db_ =
      (std::filesystem::temp_directory_path() / fmt::format("tcpsight-history-cli-{}.db", getpid()))
          .string();
  ~HistoryCli() override {
    for (const char* suffix : {"", "-wal", "-shm"})
      std::filesystem::remove(db_ + suffix);
  }

  std::unique_ptr<ChildProcess> start_recorder(const std::vector<std::string>& extra = {}) {
    std::vector<std::string> argv{TCPSIGHT_BINARY, "record", "--db", db_};
    argv.insert(argv.end(), extra.begin(), extra.end());
    auto recorder = std::make_unique<ChildProcess>(argv);
    EXPECT_TRUE(recorder->wait_for_stderr("tracing TCP connections", 10s))
        << recorder->stderr_text();
    return recorder;
  }

  // history's output for these arguments; expects exit 0.
  std::string history(const std::vector<std::string>& args) {
    std::vector<std::string> argv{TCPSIGHT_BINARY, "history", "--db", db_};
    argv.insert(argv.end(), args.begin(), args.end());
    ChildProcess child(argv);
    EXPECT_EQ(child.wait(), 0) << child.stderr_text();
    return child.stdout_text();
  }
};

TEST_F(HistoryCli, RecordedConnectionsAreQueried) {
  TCPSIGHT_REQUIRE_TRACING();
  auto listener = test::listen_on_loopback(AddressFamily::IPv4);
  const auto port = test::local_port(listener);
  const auto closed_port = test::unused_port(AddressFamily::IPv4);
  auto recorder =
      start_recorder({"--transitions", "--port", fmt::format("{},{}", port, closed_port)});
  for (int i = 0; i < 3; ++i)
    test::run_client_closes_first(listener, AddressFamily::IPv4);
  EXPECT_THROW(test::connect_to_loopback(AddressFamily::IPv4, closed_port), std::exception);
  std::this_thread::sleep_for(500ms); // more than a commit interval
  recorder->send_signal(SIGTERM);     // as a service manager stops it
  ASSERT_EQ(recorder->wait(), 0) << recorder->stderr_text();
  EXPECT_NE(recorder->stderr_text().find("7 connections and"), std::string::npos)
      << recorder->stderr_text();

  const auto all = test::json_lines(history({"--json"}));
  ASSERT_EQ(all.size(), 7u);
  std::multiset<std::string> outcomes;
  for (const auto& r : all) {
    outcomes.insert(r["outcome"].get<std::string>());
    EXPECT_EQ(r["pid"], getpid());
    if (r["outcome"] == "normal_active") {
      EXPECT_EQ(r["dport"], port);
      EXPECT_EQ(r["tx_bytes"], 6);
      EXPECT_EQ(r["path"].back()["state"], "TIME_WAIT");
    }
  }
  EXPECT_EQ(outcomes, (std::multiset<std::string>{"normal_active", "normal_active", "normal_active",
                                                  "normal_passive", "normal_passive",
                                                  "normal_passive", "refused"}));

  // The charts: every connection, and per remote endpoint. The refused one
  // has no handshake and no round trip; the closed port is its own endpoint.
  const auto charts = history({"--hist"});
  EXPECT_NE(charts.find("all connections (7 connections)"), std::string::npos) << charts;
  EXPECT_EQ(test::chart_total(charts, "all connections", "handshake usecs"), 6) << charts;
  EXPECT_EQ(test::chart_total(charts, "all connections", "duration msecs"), 7) << charts;
  EXPECT_EQ(test::chart_total(charts, "all connections", "srtt usecs"), 6) << charts;
  EXPECT_EQ(test::chart_total(charts, "clients from 127.0.0.1", "handshake usecs"), 3) << charts;
  EXPECT_EQ(
      test::chart_total(charts, fmt::format("remote 127.0.0.1 port {}", port), "handshake usecs"),
      3)
      << charts;
  EXPECT_NE(charts.find(fmt::format("remote 127.0.0.1 port {} (1 connection)", closed_port)),
            std::string::npos)
      << charts;
  // Filters and times.
  const auto refused = test::json_lines(history({"--json", "--outcome", "refused"}));
  ASSERT_EQ(refused.size(), 1u);
  EXPECT_EQ(refused[0]["dport"], closed_port);
  EXPECT_EQ(refused[0]["error"], "ECONNREFUSED");
  EXPECT_EQ(test::json_lines(history({"--json", "--since", "1h"})).size(), 7u);
  EXPECT_TRUE(history({"--json", "--until", "@1"}).empty());
  EXPECT_EQ(test::json_lines(history({"--json", "--addr", "127.0.0.1", "--pid",
                                      std::to_string(getpid()), "--limit", "2"}))
                .size(),
            2u);
  // The summary counts them per outcome and per remote end.
  const auto summary = test::json_lines(history({"--summary", "--json"}));
  std::map<std::string, std::uint64_t> per_outcome;
  std::uint64_t to_port = 0;
  for (const auto& line : summary) {
    if (line["type"] == "outcome_count")
      per_outcome[line["outcome"]] = line["connections"];
    else if (line["dport"] == port)
      to_port = line["connections"];
  }
  EXPECT_EQ(per_outcome, (std::map<std::string, std::uint64_t>{
                             {"normal_active", 3}, {"normal_passive", 3}, {"refused", 1}}));
  EXPECT_EQ(to_port, 3u);
  // The table for people.
  const auto table = history({"--outcome", "refused"});
  EXPECT_NE(table.find("refused        SYN_SENT("), std::string::npos) << table;

  HistoryStore store(db_, HistoryStore::Mode::ReadOnly);
  EXPECT_GE(store.transition_count(), 3u * 10 + 2); // each connection: two sockets, 5 each
}

// A hang-up or a quit right after a burst ends record as SIGTERM does: every
// connection written, and the summary printed.
class RecordStopSignal : public HistoryCli, public ::testing::WithParamInterface<int> {};

TEST_P(RecordStopSignal, EndsAsSigtermDoes) {
  TCPSIGHT_REQUIRE_TRACING();
  auto listener = test::listen_on_loopback(AddressFamily::IPv4);
  auto recorder = start_recorder({"--port", std::to_string(test::local_port(listener))});
  constexpr int kConnections = 50;
  for (int i = 0; i < kConnections; ++i)
    test::run_client_closes_first(listener, AddressFamily::IPv4);
  recorder->send_signal(GetParam());
  ASSERT_EQ(recorder->wait(), 0) << recorder->stderr_text();
  EXPECT_NE(recorder->stderr_text().find(fmt::format("{} connections and", 2 * kConnections)),
            std::string::npos)
      << recorder->stderr_text();
  EXPECT_EQ(test::json_lines(history({"--json"})).size(), 2u * kConnections);
}

INSTANTIATE_TEST_SUITE_P(Signals, RecordStopSignal, ::testing::Values(SIGHUP, SIGQUIT, SIGTERM),
                         [](const auto& info) { return std::string(sigabbrev_np(info.param)); });

// kill -9 in the middle of churn: the database opens cleanly and holds every
// connection that finished more than a second before the kill.
TEST_F(HistoryCli, KilledRecorderLosesAtMostTheLastSecond) {
  TCPSIGHT_REQUIRE_TRACING();
  const auto log = db_ + ".connections";
  test::Pipe port_pipe;
  auto listener = test::listen_on_loopback(AddressFamily::IPv4);
  const auto port = test::local_port(listener);
  auto recorder = start_recorder({"--port", std::to_string(port)});

  // Churn: a child connects over and over and logs each finished client
  // port with the wall-clock time.
  test::Forked churn("ts-churn", [&] {
    std::ofstream out(log);
    for (;;) {
      auto client = test::connect_to_loopback(AddressFamily::IPv4, port);
      auto server = test::accept_one(listener);
      const auto client_port = test::local_port(client);
      client.close();
      server.close();
      out << client_port << ' ' << realtime_now_ns() << std::endl;
    }
  });
  std::this_thread::sleep_for(2500ms);
  recorder->send_signal(SIGKILL);
  const auto killed_at = realtime_now_ns();
  EXPECT_EQ(recorder->wait(), 128 + SIGKILL);
  kill(churn.pid(), SIGKILL);
  churn.succeeded();

  std::set<int> recorded;
  for (const auto& r : test::json_lines(history({"--json", "--port", std::to_string(port)})))
    if (r["role"] == "active")
      recorded.insert(r["sport"].get<int>());
  std::size_t finished_before = 0, missing = 0;
  std::ifstream in(log);
  for (int client_port; in >> client_port;) {
    std::int64_t finished_ns = 0;
    in >> finished_ns;
    // Ports are reused by later connections: count each once.
    if (finished_ns < killed_at - 1'000'000'000) {
      ++finished_before;
      missing += recorded.count(client_port) ? 0 : 1;
    }
  }
  EXPECT_GT(finished_before, 100u) << "the churn hardly ran";
  EXPECT_EQ(missing, 0u) << "of " << finished_before;
  // It opens for writing too: the damage check passes, and it takes more.
  EXPECT_NO_THROW(HistoryStore(db_, HistoryStore::Mode::ReadWrite));
  std::filesystem::remove(log);
}

TEST_F(HistoryCli, ForeignOrDamagedFilesAreRefusedUntouched) {
  std::ofstream(db_) << "not a database\n";
  for (const char* command : {"record", "history"}) {
    ChildProcess child({TCPSIGHT_BINARY, command, "--db", db_});
    EXPECT_EQ(child.wait(), 1) << command;
    EXPECT_NE(child.stderr_text().find("is not a tcpsight history"), std::string::npos)
        << child.stderr_text();
  }
  std::ifstream in(db_);
  EXPECT_EQ(std::string(std::istreambuf_iterator<char>(in), {}), "not a database\n");

  std::filesystem::remove(db_);
  ChildProcess missing({TCPSIGHT_BINARY, "history", "--db", db_});
  EXPECT_EQ(missing.wait(), 1);
  EXPECT_NE(missing.stderr_text().find("`tcpsight record` writes it"), std::string::npos);
  EXPECT_FALSE(std::filesystem::exists(db_)) << "history must not create it";

  ChildProcess bad_time({TCPSIGHT_BINARY, "history", "--db", db_, "--since", "yesterday"});
  EXPECT_EQ(bad_time.wait(), 2);
  EXPECT_NE(bad_time.stderr_text().find("'yesterday' is not a time"), std::string::npos)
      << bad_time.stderr_text();
}

// Values that make no sense are usage errors on one line, before anything
// is opened or created.
TEST_F(HistoryCli, BadValuesAreUsageErrors) {
  test::expect_usage_errors("history",
                            {{"--addr", "abc"},
                             {"--addr", "10.0.0.1/33"},
                             {"--min-ms", "nan"},
                             {"--max-ms", "-1"},
                             {"--limit", "-1"},
                             {"--limit", "0"},
                             {"--pid", "0"},
                             {"--comm", ""},
                             {"--db", ""}},
                            /*names_option=*/true);
  test::expect_usage_errors("record", {{"--db", ""}}, /*names_option=*/true);
  for (const auto* other : {"--summary", "--json"}) {
    ChildProcess both({TCPSIGHT_BINARY, "history", "--db", db_, "--hist", other});
    EXPECT_EQ(both.wait(), 2) << other;
    EXPECT_NE(both.stderr_text().find(std::string(other) + " excludes --hist"), std::string::npos)
        << both.stderr_text();
  }
}

// Without HOME, an unprivileged user's history is still in their home (from
// the password database), not in whatever directory the command ran.
TEST_F(HistoryCli, WithoutHomeTheDefaultIsStillInTheHome) {
  TCPSIGHT_REQUIRE_ROOT();
  const passwd* account = getpwuid(test::kNobody); // its home is /nonexistent on Debian
  if (!account || !account->pw_dir || account->pw_dir[0] != '/')
    GTEST_SKIP() << "no home for user " << test::kNobody << " in the password database";
  const std::string home = account->pw_dir;
  test::WorldExecutableCopy binary;
  ChildProcess nobody(
      {"/usr/bin/env", "-u", "HOME", "-u", "XDG_STATE_HOME", binary.path(), "history"}, [] {
        test::become_nobody();
        if (chdir("/tmp") != 0)
          _exit(125);
      });
  EXPECT_EQ(nobody.wait(), 1) << nobody.stderr_text();
  EXPECT_EQ(nobody.stderr_text(),
            fmt::format("tcpsight: no history at {}/.local/state/tcpsight/history.db: `tcpsight "
                        "record` writes it\n",
                        home));
}

// A second recorder on the same history is refused while the first runs.
TEST_F(HistoryCli, OneRecorderPerHistory) {
  TCPSIGHT_REQUIRE_TRACING();
  auto recorder = start_recorder();
  ChildProcess second({TCPSIGHT_BINARY, "record", "--db", db_});
  EXPECT_EQ(second.wait(), 1) << second.stderr_text();
  EXPECT_NE(second.stderr_text().find(
                fmt::format("tcpsight: another `tcpsight record` is writing to {}: one recorder "
                            "per history (stop it, or give another --db)\n",
                            db_)),
            std::string::npos)
      << second.stderr_text();
  recorder->send_signal(SIGTERM);
  EXPECT_EQ(recorder->wait(), 0) << recorder->stderr_text();
}

// Another user cannot read root's history, and is told why.
TEST_F(HistoryCli, OthersAreToldTheyMayNotRead) {
  TCPSIGHT_REQUIRE_ROOT();
  { HistoryStore store(db_, HistoryStore::Mode::ReadWrite); }
  test::WorldExecutableCopy binary;
  ChildProcess nobody({binary.path(), "history", "--db", db_}, test::become_nobody);
  EXPECT_EQ(nobody.wait(), 1) << nobody.stderr_text();
  EXPECT_EQ(nobody.stderr_text(),
            fmt::format("tcpsight: cannot open {}: Permission denied\n", db_));
}

} // namespace
} // namespace tcpsight
