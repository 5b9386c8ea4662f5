// `tcpsight export` on real connections, scraped by real HTTP clients:
// curl, promtool and a Prometheus server.
#include "child_process.hpp"
#include "forked.hpp"
#include "loopback.hpp"
#include "privileges.hpp"
#include "tcpsight/metrics/metrics_server.hpp"
#include "test_cgroup.hpp"
#include "usage_errors.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <signal.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fmt/format.h>
#include <fstream>
#include <map>
#include <optional>
#include <sstream>
#include <thread>

namespace tcpsight {
namespace {

using namespace std::chrono_literals;
using test::ChildProcess;
using Labels = std::map<std::string, std::string>;

constexpr const char* kServing = "serving metrics on http://";

// `tcpsight export` on a port of its choosing, once it traces and serves.
class Exporter {
public:
  explicit Exporter(const std::vector<std::string>& args) {
    std::vector<std::string> argv{TCPSIGHT_BINARY, "export", "--listen", "127.0.0.1:0"};
    argv.insert(argv.end(), args.begin(), args.end());
    child_ = std::make_unique<ChildProcess>(argv);
    EXPECT_TRUE(child_->wait_for_stderr("tracing TCP connections", 20s)) << child_->stderr_text();
    const auto text = child_->stderr_text();
    const auto at = text.find(kServing);
    if (at != std::string::npos) {
      const auto begin = at + std::string(kServing).size();
      address_ = text.substr(begin, text.find("/metrics", begin) - begin);
    }
    EXPECT_FALSE(address_.empty()) << text;
  }

  const std::string& address() const { return address_; }
  std::string url() const { return "http://" + address_ + "/metrics"; }
  ChildProcess& child() { return *child_; }

private:
  std::unique_ptr<ChildProcess> child_;
  std::string address_;
};

// What curl fetched, or nothing if it failed.
std::optional<std::string> http_get(const std::string& url, std::chrono::seconds timeout = 10s) {
  ChildProcess curl({"curl", "-sS", "--max-time", std::to_string(timeout.count()), url});
  if (curl.wait() != 0)
    return std::nullopt;
  return curl.stdout_text();
}

// The sample of the series named so with exactly these labels, from the
// text format; nothing if the scrape does not have it.
std::optional<double> sample(const std::string& scrape, const std::string& name,
                             const Labels& labels) {
  std::istringstream lines(scrape);
  for (std::string line; std::getline(lines, line);) {
    if (line.empty() || line[0] == '#' || line.rfind(name, 0) != 0)
      continue;
    const auto rest = line.substr(name.size());
    Labels have;
    std::size_t value_at = 0;
    if (!rest.empty() && rest[0] == '{') {
      const auto close = rest.find("} ");
      std::istringstream pairs(rest.substr(1, close - 1));
      for (std::string pair; std::getline(pairs, pair, ',');) {
        const auto equals = pair.find('=');
        have[pair.substr(0, equals)] = pair.substr(equals + 2, pair.size() - equals - 3);
      }
      value_at = close + 2;
    } else if (!rest.empty() && rest[0] == ' ') {
      value_at = 1;
    } else {
      continue; // another metric whose name starts with this one
    }
    if (have == labels)
      return std::stod(rest.substr(value_at));
  }
  return std::nullopt;
}

// Scrapes until the series reaches want (counters only grow), or 30 s pass.
double scrape_until(const Exporter& exporter, const std::string& name, const Labels& labels,
                    double want) {
  double seen = -1;
  for (const auto deadline = std::chrono::steady_clock::now() + 30s;
       std::chrono::steady_clock::now() < deadline; std::this_thread::sleep_for(100ms)) {
    if (const auto scrape = http_get(exporter.url()))
      seen = sample(*scrape, name, labels).value_or(-1);
    if (seen >= want)
      break;
  }
  return seen;
}

// Scrapes until the text holds needle, or 30 s pass; the last scrape.
std::string scrape_until_text(const Exporter& exporter, const std::string& needle) {
  std::string scrape;
  for (const auto deadline = std::chrono::steady_clock::now() + 30s;
       std::chrono::steady_clock::now() < deadline; std::this_thread::sleep_for(100ms)) {
    scrape = http_get(exporter.url()).value_or("");
    if (scrape.find(needle) != std::string::npos)
      break;
  }
  return scrape;
}

// This process's command name, as the kernel keeps it (15 bytes at most).
std::string own_comm() {
  std::string comm;
  std::ifstream file("/proc/self/comm");
  std::getline(file, comm);
  return comm;
}

std::string current_netns() {
  struct stat file {};
  stat("/proc/self/ns/net", &file);
  return std::to_string(file.st_ino);
}

Labels with(Labels labels, const Labels& extra) {
  labels.insert(extra.begin(), extra.end());
  return labels;
}

std::string container_id() {
  return fmt::format("{:016x}", 0x5eed0000u + static_cast<unsigned>(getpid())) +
         std::string(48, 'a');
}

// Connections made by a process in a container's cgroup, to its own
// listener once go says so: two normal, one reset by the client, one refused.
void make_container_traffic(const test::TestCgroup& cgroup, const test::Pipe& ports,
                            const test::Pipe& go) {
  cgroup.enter();
  auto listener = test::listen_on_loopback(AddressFamily::IPv4);
  const auto refused = test::unused_port(AddressFamily::IPv4);
  ports.send(test::local_port(listener));
  ports.send(refused);
  go.receive<char>();
  test::run_client_closes_first(listener, AddressFamily::IPv4);
  test::run_client_closes_first(listener, AddressFamily::IPv4);
  auto client = test::connect_to_loopback(AddressFamily::IPv4, test::local_port(listener));
  auto server = test::accept_one(listener);
  test::close_with_reset(client);
  char byte;
  while (read(server.get(), &byte, 1) > 0) {
  }
  server.close();
  try {
    test::connect_to_loopback(AddressFamily::IPv4, refused);
  } catch (const std::exception&) {
  }
}

TEST(ExportCli, CountsAContainersConnectionsByOutcome) {
  TCPSIGHT_REQUIRE_TRACING();
  const auto id = container_id();
  test::TestCgroup cgroup(fmt::format("tcpsight-test-{}.slice/docker-{}.scope", getpid(), id));
  test::Pipe ports, go;
  test::Forked child("ts-container", [&] { make_container_traffic(cgroup, ports, go); });
  const auto listener_port = ports.receive<std::uint16_t>();
  const auto refused_port = ports.receive<std::uint16_t>();
  Exporter exporter(
      {"--port", std::to_string(listener_port), "--port", std::to_string(refused_port)});
  const auto listener = std::to_string(listener_port);
  const Labels active{{"role", "active"},
                      {"remote", "127.0.0.1:" + listener},
                      {"process", "ts-container"},
                      {"container_id", id.substr(0, 12)},
                      {"netns", current_netns()}};
  const Labels passive{{"role", "passive"},
                       {"port", listener},
                       {"process", "ts-container"},
                       {"container_id", id.substr(0, 12)},
                       {"netns", current_netns()}};
  const Labels refused{{"role", "active"},
                       {"remote", "127.0.0.1:" + std::to_string(refused_port)},
                       {"process", "ts-container"},
                       {"container_id", id.substr(0, 12)},
                       {"netns", current_netns()}};
  go.send('g');
  ASSERT_TRUE(child.succeeded());

  const auto closed = "tcpsight_connections_closed_total";
  EXPECT_EQ(scrape_until(exporter, closed, with(active, {{"outcome", "normal_active"}}), 2), 2);
  EXPECT_EQ(scrape_until(exporter, closed, with(active, {{"outcome", "reset_sent"}}), 1), 1);
  EXPECT_EQ(scrape_until(exporter, closed, with(refused, {{"outcome", "refused"}}), 1), 1);
  EXPECT_EQ(scrape_until(exporter, closed, with(passive, {{"outcome", "normal_passive"}}), 2), 2);
  EXPECT_EQ(scrape_until(exporter, closed, with(passive, {{"outcome", "reset_received"}}), 1), 1);

  const auto scrape = http_get(exporter.url()).value_or("");
  EXPECT_EQ(sample(scrape, "tcpsight_connections_opened_total", active), 3);
  EXPECT_EQ(sample(scrape, "tcpsight_connections_opened_total", passive), 3) << scrape;
  EXPECT_EQ(sample(scrape, "tcpsight_connections_opened_total", refused), 1);
  EXPECT_EQ(sample(scrape, "tcpsight_handshake_duration_seconds_count", active), 3);
  EXPECT_EQ(sample(scrape, "tcpsight_handshake_duration_seconds_count", passive), 3);
  EXPECT_EQ(
      sample(scrape, "tcpsight_connections_reset_total", with(active, {{"direction", "sent"}})), 1);
  EXPECT_EQ(sample(scrape, "tcpsight_connections_reset_total",
                   with(refused, {{"direction", "received"}})),
            1);
  // Each normal connection carried "hello" and its NUL both ways' worth.
  EXPECT_EQ(sample(scrape, "tcpsight_sent_bytes_total", active), 12);
  EXPECT_EQ(sample(scrape, "tcpsight_received_bytes_total", passive), 12);
  EXPECT_EQ(sample(scrape, "tcpsight_events_lost_total", {}), 0);
  EXPECT_EQ(sample(scrape, "tcpsight_build_info", {{"version", TCPSIGHT_VERSION}}), 1);
  // No series is keyed by an ephemeral port or a pid.
  EXPECT_EQ(scrape.find("pid="), std::string::npos);

  exporter.child().send_signal(SIGTERM);
  EXPECT_EQ(exporter.child().wait(), 0) << exporter.child().stderr_text();
  EXPECT_NE(exporter.child().stderr_text().find("connections counted"), std::string::npos);
}

// A listener open before the exporter started has its owner from the first
// snapshot; once it closes, the next listener on its port has its own.
TEST(ExportCli, PassiveConnectionsOpenWithTheirListenersOwner) {
  TCPSIGHT_REQUIRE_TRACING();
  auto first = test::listen_on_loopback(AddressFamily::IPv4);
  const auto port = test::local_port(first);
  Exporter exporter({"--port", std::to_string(port), "--labels", "role,port,process"});
  test::run_client_closes_first(first, AddressFamily::IPv4);
  const Labels seeded{{"role", "passive"}, {"port", std::to_string(port)}, {"process", own_comm()}};
  EXPECT_EQ(scrape_until(exporter, "tcpsight_connections_opened_total", seeded, 1), 1);
  first.close();
  test::Pipe ready, done;
  test::Forked second("ts-second", [&] {
    auto listener = test::listen_on_loopback(AddressFamily::IPv4, port);
    ready.send('r');
    done.receive<char>();
    auto accepted = test::accept_one(listener);
    test::read_to_eof(accepted);
  });
  ready.receive<char>();
  auto client = test::connect_to_loopback(AddressFamily::IPv4, port);
  done.send('d');
  client.close();
  ASSERT_TRUE(second.succeeded());
  const Labels replaced{
      {"role", "passive"}, {"port", std::to_string(port)}, {"process", "ts-second"}};
  EXPECT_EQ(scrape_until(exporter, "tcpsight_connections_opened_total", replaced, 1), 1);
  EXPECT_EQ(
      sample(http_get(exporter.url()).value_or(""), "tcpsight_connections_opened_total", seeded),
      1);
}

TEST(ExportCli, PromtoolAcceptsAScrape) {
  TCPSIGHT_REQUIRE_TRACING();
  auto listener = test::listen_on_loopback(AddressFamily::IPv4);
  Exporter exporter({"--port", std::to_string(test::local_port(listener))});
  test::run_client_closes_first(listener, AddressFamily::IPv4);
  const auto scrape = scrape_until_text(exporter, "tcpsight_connections_closed_total{");
  ASSERT_NE(scrape.find("tcpsight_connection_duration_seconds_bucket{"), std::string::npos)
      << scrape;
  const auto file =
      std::filesystem::temp_directory_path() / fmt::format("tcpsight-scrape-{}.prom", getpid());
  std::ofstream(file) << scrape;
  ChildProcess promtool({"sh", "-c", fmt::format("promtool check metrics < {}", file.string())});
  const auto status = promtool.wait();
  std::filesystem::remove(file);
  EXPECT_EQ(status, 0) << promtool.stdout_text() << promtool.stderr_text();
}

// A Prometheus server of its own on loopback, scraping the exporter every
// second, with its data in a temporary directory.
class PrometheusServer {
public:
  explicit PrometheusServer(const std::string& target)
      : directory_(std::filesystem::temp_directory_path() /
                   fmt::format("tcpsight-prometheus-{}", getpid())),
        port_(test::unused_port(AddressFamily::IPv4)) {
    std::filesystem::create_directories(directory_ / "data");
    std::ofstream(directory_ / "prometheus.yml")
        << fmt::format("global:\n  scrape_interval: 1s\n  evaluation_interval: 1s\n"
                       "scrape_configs:\n  - job_name: tcpsight\n    static_configs:\n"
                       "      - targets: ['{}']\n",
                       target);
    child_ = std::make_unique<ChildProcess>(std::vector<std::string>{
        "prometheus", "--config.file=" + (directory_ / "prometheus.yml").string(),
        "--storage.tsdb.path=" + (directory_ / "data").string(),
        fmt::format("--web.listen-address=127.0.0.1:{}", port_)});
  }
  ~PrometheusServer() {
    child_->send_signal(SIGTERM);
    child_->wait();
    std::filesystem::remove_all(directory_);
  }

  // The value of an instant PromQL query with one result; nothing until then.
  std::optional<double> query(const std::string& promql) const {
    ChildProcess curl({"curl", "-sS", "--max-time", "10", "-G",
                       fmt::format("http://127.0.0.1:{}/api/v1/query", port_), "--data-urlencode",
                       "query=" + promql});
    if (curl.wait() != 0)
      return std::nullopt;
    const auto answer = nlohmann::json::parse(curl.stdout_text(), nullptr, false);
    if (answer.is_discarded() || answer["status"] != "success" ||
        answer["data"]["result"].size() != 1)
      return std::nullopt;
    return std::stod(answer["data"]["result"][0]["value"][1].get<std::string>());
  }

  std::string log() const { return child_->stderr_text(); }

private:
  std::filesystem::path directory_;
  std::uint16_t port_;
  std::unique_ptr<ChildProcess> child_;
};

TEST(ExportCli, APrometheusServerScrapesItAndAnswersPromQl) {
  TCPSIGHT_REQUIRE_TRACING();
  auto listener = test::listen_on_loopback(AddressFamily::IPv4);
  const auto port = std::to_string(test::local_port(listener));
  Exporter exporter({"--port", port, "--labels", "role,port,remote"});
  PrometheusServer prometheus(exporter.address());
  for (int i = 0; i < 3; ++i)
    test::run_client_closes_first(listener, AddressFamily::IPv4);
  const auto promql = fmt::format(
      R"(sum(tcpsight_connections_closed_total{{job="tcpsight",role="passive",port="{}"}}))", port);
  std::optional<double> answer;
  // Under emulation the server takes a while to start and scrape.
  for (const auto deadline = std::chrono::steady_clock::now() + 120s;
       std::chrono::steady_clock::now() < deadline; std::this_thread::sleep_for(500ms)) {
    answer = prometheus.query(promql);
    if (answer && *answer >= 3)
      break;
  }
  EXPECT_EQ(answer, 3.0) << prometheus.log();
}

// Clients that take every server thread (requests never finished, answers
// never read) hold up neither the counting nor, once they time out, the
// next scrape.
TEST(ExportCli, StalledScrapersHoldNothingUp) {
  TCPSIGHT_REQUIRE_TRACING();
  auto listener = test::listen_on_loopback(AddressFamily::IPv4);
  const auto port = std::to_string(test::local_port(listener));
  Exporter exporter({"--port", port, "--labels", "role,port"});
  const auto colon = exporter.address().rfind(':');
  const auto exporter_port =
      static_cast<std::uint16_t>(std::stoi(exporter.address().substr(colon + 1)));
  std::vector<test::Fd> stalled;
  const std::string request = "GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n";
  stalled.push_back(test::connect_to_loopback(AddressFamily::IPv4, exporter_port));
  test::send_all(stalled.back(), request.data(), request.size()); // never read
  for (std::size_t i = 0; i < MetricsServer::kThreads; ++i) {
    stalled.push_back(test::connect_to_loopback(AddressFamily::IPv4, exporter_port));
    test::send_all(stalled.back(), "GET /met", 8); // never finished
  }
  const auto started = std::chrono::steady_clock::now();
  for (int i = 0; i < 50; ++i)
    test::run_client_closes_first(listener, AddressFamily::IPv4);
  // Answered once the stalled ones have timed out.
  const auto scrape = http_get(exporter.url(), 2 * MetricsServer::kRequestTimeout + 10s);
  ASSERT_TRUE(scrape);
  EXPECT_LT(std::chrono::steady_clock::now() - started, 2 * MetricsServer::kRequestTimeout + 10s);
  const Labels passive{{"role", "passive"}, {"port", port}, {"outcome", "normal_passive"}};
  EXPECT_EQ(scrape_until(exporter, "tcpsight_connections_closed_total", passive, 50), 50);
  EXPECT_EQ(sample(http_get(exporter.url()).value_or(""), "tcpsight_events_lost_total", {}), 0);
  // The server let the unfinished requests go: an error answer, then the end.
  const timeval patience{.tv_sec = 20, .tv_usec = 0};
  setsockopt(stalled.back().get(), SOL_SOCKET, SO_RCVTIMEO, &patience, sizeof patience);
  char buffer[512];
  ssize_t got = 0;
  while ((got = read(stalled.back().get(), buffer, sizeof buffer)) > 0) {
  }
  EXPECT_EQ(got, 0) << "the server kept an unfinished request open";
}

TEST(ExportCli, APortInUseIsAClearError) {
  auto taken = test::listen_on_loopback(AddressFamily::IPv4);
  ChildProcess child({TCPSIGHT_BINARY, "export", "--listen",
                      fmt::format("127.0.0.1:{}", test::local_port(taken))});
  // Checked before anything is loaded: no privileges needed to be told.
  ASSERT_TRUE(child.wait_for_stderr("\n", 20s));
  EXPECT_EQ(child.wait(), 1);
  const auto error = child.stderr_text();
  EXPECT_EQ(error.rfind("tcpsight: cannot serve metrics on 127.0.0.1:", 0), 0u) << error;
  EXPECT_NE(error.find("the port is in use"), std::string::npos) << error;
  EXPECT_EQ(std::count(error.begin(), error.end(), '\n'), 1) << error;
}

// Debian's civetweb is built without IPv6: an IPv6 address is refused with
// why, where the library has it, served.
TEST(ExportCli, Ipv6IsServedOrRefusedWithWhy) {
  TCPSIGHT_REQUIRE_TRACING();
  ChildProcess child({TCPSIGHT_BINARY, "export", "--listen", "[::1]:0"});
  const bool serving = child.wait_for_stderr("tracing TCP connections", 20s);
  const auto text = child.stderr_text();
  if (text.find("serving metrics on http://[::1]:") != std::string::npos) {
    EXPECT_TRUE(serving) << text;
    const auto begin = text.find("http://");
    const auto url = text.substr(begin, text.find('\n', begin) - begin);
    EXPECT_TRUE(http_get(url)) << url;
    child.send_signal(SIGTERM);
    EXPECT_EQ(child.wait(), 0);
  } else {
    EXPECT_EQ(child.wait(), 1);
    EXPECT_NE(text.find("built without IPv6; listen on an IPv4 address"), std::string::npos)
        << text;
  }
}

TEST(ExportCli, BadValuesAreUsageErrors) {
  test::expect_usage_errors("export",
                            {{"--listen", "9977"},
                             {"--listen", "localhost:9977"},
                             {"--listen", "127.0.0.1:65536"},
                             {"--listen", "::1:9977"},
                             {"--listen", ""},
                             {"--labels", "pid"},
                             {"--labels", "role,role"},
                             {"--labels", ""},
                             {"--max-series", "0"},
                             {"--max-series", "-1"}},
                            /*names_option=*/true);
}

} // namespace
} // namespace tcpsight
