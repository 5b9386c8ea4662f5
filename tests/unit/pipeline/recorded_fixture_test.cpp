// A recording of real loopback connections (tests/fixtures/loopback.events,
// made with `tcpsight trace --write`), replayed through the pipeline and the
// lifecycle tracker as `tcpsight life --read` does it.
#include "tcpsight/kernel/event_file.hpp"
#include "tcpsight/pipeline/event_pipeline.hpp"
#include "tcpsight/session/lifecycle_tracker.hpp"
#include "tcpsight/views/life_view.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <set>
#include <tuple>

namespace tcpsight {
namespace {

// What the recording holds: four connections on one listener's port and one
// to a closed port, made by one process:
//  1. the client sends 6 bytes and closes first;
//  2. the server sends 1000 bytes and closes first;
//  3. a connect to the closed port;
//  4. the client closes with SO_LINGER 0.
TEST(RecordedFixture, ConnectionsComeOutAsTheyHappened) {
  std::vector<ConnectionRecord> records;
  LifecycleTracker tracker([&](const ConnectionRecord& r) { records.push_back(r); });
  EventPipeline pipeline({}, tracker);
  EventFileReader reader(TCPSIGHT_FIXTURES "/loopback.events");
  std::uint64_t lost = 0;
  reader.read([&](const Event& e) { pipeline.push(e); }, [&](std::uint64_t n) { lost += n; });
  pipeline.finish();
  EXPECT_EQ(lost, 0u);
  EXPECT_EQ(tracker.stats().open, 0u);

  using Summary = std::tuple<Role, Outcome, std::uint64_t, std::uint64_t, std::string>;
  std::multiset<Summary> summaries;
  std::set<std::uint32_t> pids;
  for (const auto& r : records) {
    ASSERT_TRUE(r.totals);
    ASSERT_TRUE(r.owner);
    pids.insert(r.owner->pid);
    std::string states;
    for (const auto& step : r.path)
      states += std::string(tcp_state_name(step.state)) + " ";
    summaries.emplace(r.role, r.outcome, r.totals->tx_bytes, r.totals->rx_bytes, states);
    EXPECT_EQ(r.duration_ns(), r.end.ns - r.start.ns);
    EXPECT_LT(r.duration_ns(), 100'000'000u) << "loopback connections are quick";
  }
  EXPECT_EQ(pids.size(), 1u);
  using enum Role;
  using enum Outcome;
  const std::string active_close = "SYN_SENT ESTABLISHED FIN_WAIT1 FIN_WAIT2 TIME_WAIT ";
  const std::string passive_close = "SYN_RECV ESTABLISHED CLOSE_WAIT LAST_ACK CLOSE ";
  EXPECT_EQ(
      summaries,
      (std::multiset<Summary>{
          {Active, NormalActive, 6, 0, active_close},
          {Passive, NormalPassive, 0, 6, passive_close},
          {Passive, NormalActive, 1000, 0, "SYN_RECV ESTABLISHED FIN_WAIT1 FIN_WAIT2 TIME_WAIT "},
          {Active, NormalPassive, 0, 1000, "SYN_SENT ESTABLISHED CLOSE_WAIT LAST_ACK CLOSE "},
          {Active, Refused, 0, 0, "SYN_SENT CLOSE "},
          {Active, ResetSent, 0, 0, "SYN_SENT ESTABLISHED CLOSE "},
          {Passive, ResetReceived, 0, 0, "SYN_RECV ESTABLISHED CLOSE "},
      }));
}

} // namespace
} // namespace tcpsight
