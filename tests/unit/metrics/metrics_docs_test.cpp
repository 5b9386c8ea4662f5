// The README and the Grafana dashboard name the metrics the exporter has,
// all of them and no others.
#include "tcpsight/metrics/connection_metrics.hpp"

#include "sample_event.hpp"
#include "tcpsight/pipeline/interpret.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <cerrno>
#include <filesystem>
#include <fstream>
#include <regex>
#include <set>

namespace tcpsight {
namespace {

const std::filesystem::path kSource(TCPSIGHT_SOURCE_DIR);

std::string file_text(const std::filesystem::path& path) {
  std::ifstream file(path);
  return {std::istreambuf_iterator<char>(file), std::istreambuf_iterator<char>()};
}

// The families of a registry that has seen a connection refused and a
// segment dropped (a family shows only once it has a series).
std::set<std::string> exported_families() {
  using enum TcpState;
  prometheus::Registry registry;
  ConnectionMetrics metrics(registry, {}, {}, "test");
  metrics.event(interpret(test::sample_transition(1, Close, SynSent, 40000)));
  auto refused = test::sample_transition(1, SynSent, Close, 40000, 1'000'100'000);
  refused.reset_received = true;
  refused.error = ECONNREFUSED;
  refused.totals = ConnectionTotals{};
  metrics.event(interpret(refused));
  auto drop = test::sample_transition(0, Close, Close, 40000, 1'000'200'000);
  drop.type = EventType::Drop;
  drop.drop = DropDetails{.reason = "NETFILTER_DROP"};
  metrics.event(interpret(drop));
  metrics.update_sockets(0);
  std::set<std::string> names;
  for (const auto& family : registry.Collect())
    names.insert(family.name);
  return names;
}

// Every tcpsight_... name in text, without a histogram's series suffixes.
std::set<std::string> metric_names_in(const std::string& text) {
  static const std::regex metric(R"(tcpsight_[a-z_]+)");
  static const std::regex series_suffix(R"(_(bucket|count|sum)$)");
  std::set<std::string> names;
  for (std::sregex_iterator match(text.begin(), text.end(), metric), end; match != end; ++match)
    names.insert(std::regex_replace(match->str(), series_suffix, ""));
  return names;
}

TEST(MetricsDocs, TheReadmeDescribesEveryMetricAndNoOther) {
  const auto readme = file_text(kSource / "README.md");
  const auto start = readme.find("### `tcpsight export`");
  ASSERT_NE(start, std::string::npos);
  const auto section = readme.substr(start, readme.find("\n### ", start + 1) - start);
  EXPECT_EQ(metric_names_in(section), exported_families());
}

TEST(MetricsDocs, TheDashboardQueriesOnlyExportedMetrics) {
  const auto dashboard =
      nlohmann::json::parse(file_text(kSource / "contrib/grafana/tcpsight.json"));
  const auto exported = exported_families();
  std::size_t queries = 0;
  for (const auto& panel : dashboard["panels"]) {
    for (const auto& target : panel["targets"]) {
      const auto names = metric_names_in(target["expr"].get<std::string>());
      EXPECT_FALSE(names.empty()) << panel["title"];
      for (const auto& name : names)
        EXPECT_TRUE(exported.contains(name)) << panel["title"] << " queries " << name;
      ++queries;
    }
  }
  EXPECT_GE(queries, 8u);
}

} // namespace
} // namespace tcpsight
