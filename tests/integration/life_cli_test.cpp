// `tcpsight life` on real connections, live and from recordings.
#include "charts.hpp"
#include "child_process.hpp"
#include "forked.hpp"
#include "json_lines.hpp"
#include "loopback.hpp"
#include "privileges.hpp"
#include "test_cgroup.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fmt/format.h>
#include <fstream>
#include <sstream>
#include <thread>

namespace tcpsight {
namespace {

using namespace std::chrono_literals;
using nlohmann::json;
using test::ChildProcess;

constexpr const char* kReady = "tracing TCP connections";

std::size_t line_count(const std::string& text) {
  return static_cast<std::size_t>(std::count(text.begin(), text.end(), '\n'));
}

// Starts `tcpsight <args>` and waits until it traces.
std::unique_ptr<ChildProcess> start(const std::vector<std::string>& args) {
  std::vector<std::string> argv{TCPSIGHT_BINARY};
  argv.insert(argv.end(), args.begin(), args.end());
  auto child = std::make_unique<ChildProcess>(argv);
  EXPECT_TRUE(child->wait_for_stderr(kReady, 10s)) << child->stderr_text();
  return child;
}

// Waits for lines of output, then stops it and returns them.
std::vector<json> stop_after(ChildProcess& child, std::size_t lines) {
  EXPECT_TRUE(
      child.wait_for_stdout([&](const std::string& out) { return line_count(out) >= lines; }, 20s))
      << line_count(child.stdout_text()) << " lines";
  child.send_signal(SIGINT);
  EXPECT_EQ(child.wait(), 0) << child.stderr_text();
  return test::json_lines(child.stdout_text());
}

std::string temp_path(const std::string& name) {
  return (std::filesystem::temp_directory_path() / fmt::format("tcpsight-{}-{}", name, getpid()))
      .string();
}

TEST(LifeCli, ThousandShortConnectionsAllAppearWithTheirOwner) {
  TCPSIGHT_REQUIRE_TRACING();
  constexpr int kConnections = 1000;
  // A child process makes them to its own listener: it owns both ends.
  test::Pipe port_pipe, go;
  test::Forked child("ts-life", [&] {
    auto listener = test::listen_on_loopback(AddressFamily::IPv4);
    port_pipe.send(test::local_port(listener));
    go.receive<char>();
    for (int i = 0; i < kConnections; ++i) {
      auto client = test::connect_to_loopback(AddressFamily::IPv4, test::local_port(listener));
      auto server = test::accept_one(listener);
      test::send_all(client, "abc", 3);
      client.close();
      test::read_to_eof(server);
    }
  });
  const auto port = port_pipe.receive<std::uint16_t>();
  auto life = start({"life", "--json", "--port", std::to_string(port)});
  const auto started = std::chrono::steady_clock::now();
  go.send('g');
  ASSERT_TRUE(child.succeeded());
  const double ms_per_connection =
      std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - started)
          .count() /
      kConnections;
  const auto records = stop_after(*life, 2 * kConnections);

  std::size_t active = 0, passive = 0;
  std::vector<double> durations;
  for (const auto& r : records) {
    ASSERT_EQ(r["type"], "connection");
    EXPECT_EQ(r["pid"], child.pid()) << r;
    EXPECT_EQ(r["comm"], "ts-life") << r;
    durations.push_back(r["duration_ms"]);
    if (r["role"] == "active") {
      ++active;
      EXPECT_EQ(r["dport"], port);
      EXPECT_EQ(r["outcome"], "normal_active") << r;
      EXPECT_EQ(r["tx_bytes"], 3);
      EXPECT_EQ(r["rx_bytes"], 0);
      EXPECT_EQ(r["path"][0]["state"], "SYN_SENT");
    } else {
      ++passive;
      EXPECT_EQ(r["sport"], port);
      EXPECT_EQ(r["outcome"], "normal_passive") << r;
      EXPECT_EQ(r["tx_bytes"], 0);
      EXPECT_EQ(r["rx_bytes"], 3);
      EXPECT_EQ(r["path"].back()["state"], "CLOSE");
    }
  }
  EXPECT_EQ(active, std::size_t{kConnections});
  EXPECT_EQ(passive, std::size_t{kConnections});
  // They were short: the point is that none is missed. Each lives within
  // its turn of the child's loop, whose length is the machine's speed (a
  // fraction of a millisecond natively, more under emulation): twice that
  // leaves room for noise and still catches a wrong unit.
  std::sort(durations.begin(), durations.end());
  EXPECT_LT(durations[durations.size() / 2], 2 * ms_per_connection)
      << "median ms; " << ms_per_connection << " ms per connection";
  EXPECT_NE(life->stderr_text().find("2000 connections shown, 0 still open"), std::string::npos)
      << life->stderr_text();
  EXPECT_NE(life->stderr_text().find(" 0 lost"), std::string::npos) << life->stderr_text();
}

TEST(LifeCli, OutcomeAndDurationFilters) {
  TCPSIGHT_REQUIRE_TRACING();
  auto listener = test::listen_on_loopback(AddressFamily::IPv4);
  const auto port = test::local_port(listener);
  const auto closed_port = test::unused_port(AddressFamily::IPv4);
  const std::vector<std::string> ports{"--port", fmt::format("{},{}", port, closed_port)};
  const auto with_ports = [&](std::vector<std::string> args) {
    args.insert(args.end(), ports.begin(), ports.end());
    return args;
  };
  auto all = start(with_ports({"life", "--json"}));
  auto refused = start(with_ports({"life", "--json", "--outcome", "refused"}));
  auto long_ones = start(with_ports({"life", "--json", "--min-ms", "200"}));
  auto resets = start(with_ports({"life", "--json", "--outcome", "reset_sent,reset_received"}));

  EXPECT_THROW(test::connect_to_loopback(AddressFamily::IPv4, closed_port), std::exception);
  { // held for 300 ms
    auto client = test::connect_to_loopback(AddressFamily::IPv4, port);
    auto server = test::accept_one(listener);
    std::this_thread::sleep_for(300ms);
    client.close();
    test::read_to_eof(server);
  }
  { // reset by the client, after 5 bytes the server has read (and acknowledged)
    auto client = test::connect_to_loopback(AddressFamily::IPv4, port);
    auto server = test::accept_one(listener);
    test::send_all(client, "12345", 5);
    char got[5];
    EXPECT_EQ(read(server.get(), got, sizeof got), 5);
    test::close_with_reset(client);
    char byte;
    EXPECT_LT(read(server.get(), &byte, 1), 0);
  }

  const auto outcomes = [](const std::vector<json>& records) {
    std::multiset<std::string> names;
    for (const auto& r : records)
      names.insert(r["outcome"].get<std::string>());
    return names;
  };
  EXPECT_EQ(outcomes(stop_after(*all, 5)),
            (std::multiset<std::string>{"refused", "normal_active", "normal_passive", "reset_sent",
                                        "reset_received"}));
  EXPECT_EQ(outcomes(stop_after(*refused, 1)), std::multiset<std::string>{"refused"});
  const auto long_records = stop_after(*long_ones, 2);
  EXPECT_EQ(outcomes(long_records),
            (std::multiset<std::string>{"normal_active", "normal_passive"}));
  for (const auto& r : long_records)
    EXPECT_GE(r["duration_ms"].get<double>(), 200.0);
  const auto reset_records = stop_after(*resets, 2);
  EXPECT_EQ(outcomes(reset_records), (std::multiset<std::string>{"reset_sent", "reset_received"}));
  for (const auto& r : reset_records) // no FIN went out: all 5 bytes count
    EXPECT_EQ(r[r["outcome"] == "reset_sent" ? "tx_bytes" : "rx_bytes"], 5) << r;
}

TEST(LifeCli, ConnectionsOpenBeforeTracingAreSeeded) {
  TCPSIGHT_REQUIRE_TRACING();
  auto listener = test::listen_on_loopback(AddressFamily::IPv4);
  const auto port = test::local_port(listener);
  auto client = test::connect_to_loopback(AddressFamily::IPv4, port);
  auto server = test::accept_one(listener);
  auto life = start({"life", "--json", "--port", std::to_string(port)});
  client.close();
  test::read_to_eof(server);
  server.close();
  const auto records = stop_after(*life, 2);
  ASSERT_EQ(records.size(), 2u);
  for (const auto& r : records) {
    EXPECT_TRUE(r["seeded"].get<bool>()) << r;
    EXPECT_EQ(r["pid"], getpid()) << r;
    if (r["sport"] == port) {
      EXPECT_EQ(r["role"], "passive");
      EXPECT_EQ(r["outcome"], "normal_passive");
      EXPECT_EQ(r["path"][0]["state"], "ESTABLISHED");
    } else {
      EXPECT_EQ(r["role"], "active");
      EXPECT_EQ(r["outcome"], "normal_active");
    }
  }
}

// What is recorded replays as it was seen live, through trace and life.
TEST(LifeCli, RecordedEventsReplayThroughTraceAndLife) {
  TCPSIGHT_REQUIRE_TRACING();
  const auto recording = temp_path("recording");
  auto listener = test::listen_on_loopback(AddressFamily::IPv4);
  const auto port = std::to_string(test::local_port(listener));
  auto recorder = start({"trace", "--json", "--port", port, "--write", recording});
  auto life = start({"life", "--json", "--port", port});
  for (int i = 0; i < 5; ++i)
    test::run_client_closes_first(listener, AddressFamily::IPv4);
  const auto live_records = stop_after(*life, 10);
  const auto live_events = stop_after(*recorder, 50);

  // Cgroup ids name paths live only: a recording's ids may be another host's.
  const auto without_cgroup_names = [](std::vector<json> objects) {
    for (auto& object : objects) {
      for (const char* key : {"cgroup", "container", "pod", "qos", "unit"}) {
        EXPECT_TRUE(object.contains(key)) << key;
        object.erase(key);
      }
    }
    return objects;
  };
  // The recorder's own output comes back exactly, times included.
  ChildProcess replayed_trace({TCPSIGHT_BINARY, "trace", "--json", "--read", recording});
  EXPECT_EQ(replayed_trace.wait(), 0) << replayed_trace.stderr_text();
  const auto replayed_events = test::json_lines(replayed_trace.stdout_text());
  for (const auto& event : replayed_events)
    EXPECT_TRUE(event["cgroup"].is_null()) << event;
  EXPECT_EQ(without_cgroup_names(replayed_events), without_cgroup_names(live_events));
  // The live `life` ran its own BPF programs, whose clocks read a few
  // microseconds apart: the same connections, paths and bytes, other times.
  const auto timeless = [](std::vector<json> records) {
    for (auto& r : records) {
      for (const char* key : {"time", "start_time", "duration_ms", "handshake_ms"})
        r.erase(key);
      for (auto& step : r["path"])
        step.erase("ms");
    }
    return records;
  };
  ChildProcess replayed_life({TCPSIGHT_BINARY, "life", "--json", "--read", recording});
  EXPECT_EQ(replayed_life.wait(), 0) << replayed_life.stderr_text();
  EXPECT_EQ(without_cgroup_names(timeless(test::json_lines(replayed_life.stdout_text()))),
            without_cgroup_names(timeless(live_records)));
  EXPECT_NE(replayed_trace.stderr_text().find("events replayed from " + recording),
            std::string::npos)
      << replayed_trace.stderr_text();

  // The same connections as charts.
  ChildProcess charted({TCPSIGHT_BINARY, "life", "--hist", "--read", recording});
  EXPECT_EQ(charted.wait(), 0) << charted.stderr_text();
  const auto charts = charted.stdout_text();
  EXPECT_NE(charts.find("all connections (10 connections)"), std::string::npos) << charts;
  EXPECT_EQ(test::chart_total(charts, "all connections", "handshake usecs"), 10) << charts;
  EXPECT_EQ(test::chart_total(charts, "clients from 127.0.0.1", "duration msecs"), 5) << charts;

  // Cut short: the whole records before the cut, then a clear error.
  std::filesystem::resize_file(recording, std::filesystem::file_size(recording) - 10);
  ChildProcess cut({TCPSIGHT_BINARY, "trace", "--json", "--read", recording});
  EXPECT_EQ(cut.wait(), 1);
  EXPECT_NE(cut.stderr_text().find(recording + " is cut short after"), std::string::npos)
      << cut.stderr_text();
  EXPECT_GE(test::json_lines(cut.stdout_text()).size(), live_events.size() - 2);

  // Not a recording at all.
  std::ofstream(recording, std::ios::trunc) << "hello\n";
  ChildProcess foreign({TCPSIGHT_BINARY, "life", "--read", recording});
  EXPECT_EQ(foreign.wait(), 1);
  EXPECT_NE(foreign.stderr_text().find("is not a tcpsight event file"), std::string::npos)
      << foreign.stderr_text();
  std::filesystem::remove(recording);
}

TEST(LifeCli, UsageErrors) {
  ChildProcess bad_outcome({TCPSIGHT_BINARY, "life", "--outcome", "closed"});
  EXPECT_EQ(bad_outcome.wait(), 2);
  EXPECT_NE(bad_outcome.stderr_text().find("'closed' is not an outcome"), std::string::npos)
      << bad_outcome.stderr_text();
  ChildProcess both({TCPSIGHT_BINARY, "life", "--read", "a", "--write", "b"});
  EXPECT_EQ(both.wait(), 2);
  ChildProcess charts_as_json({TCPSIGHT_BINARY, "life", "--hist", "--json"});
  EXPECT_EQ(charts_as_json.wait(), 2);
  EXPECT_NE(charts_as_json.stderr_text().find("--json excludes --hist"), std::string::npos)
      << charts_as_json.stderr_text();
}

} // namespace
} // namespace tcpsight

namespace tcpsight {
namespace {

// A connection made from a container's cgroup shows the container, in JSON
// and in the CGROUP column.
TEST(LifeCli, NamesTheOwnersContainer) {
  TCPSIGHT_REQUIRE_TRACING();
  const auto id =
      fmt::format("{:016x}", 0xc0de0000u + static_cast<unsigned>(getpid())) + std::string(48, 'b');
  const auto relative = fmt::format("/tcpsight-life-{}.slice/docker-{}.scope", getpid(), id);
  test::TestCgroup cgroup(relative.substr(1));
  // Both ends in the container: a passive socket is in its listener's cgroup.
  test::Pipe ports, go;
  test::Forked child("ts-contained", [&] {
    cgroup.enter();
    auto listener = test::listen_on_loopback(AddressFamily::IPv4);
    ports.send(test::local_port(listener));
    go.receive<char>();
    test::run_client_closes_first(listener, AddressFamily::IPv4);
  });
  const auto port = std::to_string(ports.receive<std::uint16_t>());
  auto json_life = start({"life", "--json", "--port", port});
  auto text_life = start({"life", "--show-cgroup", "--port", port});
  go.send('g');
  ASSERT_TRUE(child.succeeded());
  const auto records = stop_after(*json_life, 2);
  ASSERT_EQ(records.size(), 2u);
  for (const auto& r : records) {
    EXPECT_EQ(r["cgroup"], relative) << r;
    EXPECT_EQ(r["container"], id) << r;
    EXPECT_TRUE(r["unit"].is_null()) << r;
  }
  ASSERT_TRUE(
      text_life->wait_for_stdout([](const std::string& out) { return line_count(out) >= 3; }, 20s));
  text_life->send_signal(SIGINT);
  EXPECT_EQ(text_life->wait(), 0);
  std::istringstream lines(text_life->stdout_text());
  std::string header, row;
  std::getline(lines, header);
  std::getline(lines, row);
  EXPECT_NE(header.find(" CGROUP "), std::string::npos) << header;
  EXPECT_NE(row.find(" " + id.substr(0, 12) + " "), std::string::npos) << row;
}

} // namespace
} // namespace tcpsight
