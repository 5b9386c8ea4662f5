// The history's SQL for a RecordFilter finds the connections that
// RecordFilter::matches() accepts, and counts the same ones as failed.
#include "tcpsight/history/history_store.hpp"
#include "tcpsight/pipeline/record_filter.hpp"

#include "sample_event.hpp"
#include "temporary_database.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <set>

namespace tcpsight {
namespace {

// Durations on either side of the bounds the filters below use, in ns.
constexpr std::uint64_t kDurations[] = {0,         999'999,   1'000'000,  1'000'999,
                                        1'001'000, 1'001'001, 250'000'000};
constexpr Outcome kOutcomes[] = {Outcome::NormalActive, Outcome::Refused, Outcome::ResetSent,
                                 Outcome::TimedOut, Outcome::NormalPassive};

std::vector<WallConnectionRecord> varied_records() {
  std::vector<WallConnectionRecord> records;
  std::uint64_t id = 0;
  for (const auto duration : kDurations)
    for (const auto outcome : kOutcomes)
      for (int owner = 0; owner < 3; ++owner) {
        WallConnectionRecord r;
        r.id.sock_id = ++id;
        r.id.local = test::sample_event().id.local;
        r.id.remote = test::sample_event().id.remote;
        r.id.local_port = static_cast<std::uint16_t>(40000 + id % 3);
        r.id.remote_port = id % 2 ? 443 : 8080;
        r.start = WallTime{static_cast<std::int64_t>(1'000'000'000'000 + id * 1'000'000'000)};
        r.end = WallTime{r.start.ns + static_cast<std::int64_t>(duration)};
        r.outcome = outcome;
        if (owner > 0)
          r.owner = Owner{.pid = owner == 1 ? 100u : 200u, .comm = owner == 1 ? "curl" : "nginx"};
        r.path = {{TcpState::SynSent, {}}};
        records.push_back(r);
      }
  return records;
}

std::vector<RecordFilter> varied_filters() {
  return {
      {},
      {.min_ms = 1.0},
      {.min_ms = 1.001},
      {.max_ms = 1.001},
      {.min_ms = 0.999999, .max_ms = 1.001001},
      {.max_ms = 0},
      {.min_ms = 1e300},
      {.outcomes = {Outcome::Refused, Outcome::TimedOut}},
      {.ports = {40001}},
      {.ports = {443, 40002}},
      {.pids = {100}},
      {.pids = {100, 200, 300}},
      {.comm = "nginx"},
      {.min_ms = 1.0, .outcomes = {Outcome::NormalActive}, .ports = {8080}, .comm = "curl"},
  };
}

class SqlWhereTest : public ::testing::Test {
protected:
  test::TemporaryDatabase database_{"sql-where"};
  const std::string& path_ = database_.path();
  std::vector<WallConnectionRecord> records_ = varied_records();

  SqlWhereTest() {
    HistoryStore store(path_, HistoryStore::Mode::ReadWrite);
    store.begin();
    for (const auto& r : records_)
      store.add_connection(r);
    store.commit();
  }
};

TEST_F(SqlWhereTest, TheStoreFindsWhatTheFilterMatches) {
  HistoryStore store(path_, HistoryStore::Mode::ReadOnly);
  const auto filters = varied_filters();
  for (std::size_t i = 0; i < filters.size(); ++i) {
    const auto& filter = filters[i];
    std::set<std::uint64_t> matched, found;
    for (const auto& r : records_)
      if (filter.matches(r))
        matched.insert(r.id.sock_id);
    store.connections({.records = filter},
                      [&](const WallConnectionRecord& r) { found.insert(r.id.sock_id); });
    EXPECT_EQ(found, matched) << "filter #" << i;
  }
}

TEST_F(SqlWhereTest, FilterBoundsAreTheNearestNanosecond) {
  EXPECT_EQ(RecordFilter{.min_ms = 1.001}.min_duration_ns(), 1'001'000);
  EXPECT_EQ(RecordFilter{.max_ms = 0.0000004}.max_duration_ns(), 0);
  EXPECT_EQ(RecordFilter{.max_ms = 1e300}.max_duration_ns(), INT64_MAX);
  EXPECT_FALSE(RecordFilter{}.min_duration_ns());
}

TEST_F(SqlWhereTest, FailuresAreCountedAlike) {
  std::uint64_t failed = 0;
  for (const auto& r : records_)
    failed += is_failure(r.outcome);
  ASSERT_GT(failed, 0u);
  HistoryStore store(path_, HistoryStore::Mode::ReadOnly);
  std::uint64_t by_outcome = 0, by_remote = 0;
  for (const auto& count : store.count_by_outcome({}))
    by_outcome += count.failed;
  for (const auto& count : store.count_by_remote({}, 100))
    by_remote += count.failed;
  EXPECT_EQ(by_outcome, failed);
  EXPECT_EQ(by_remote, failed);
}

} // namespace
} // namespace tcpsight
