#include "traced_run.hpp"

#include "tcpsight/session/lifecycle_tracker.hpp"

#include <gtest/gtest.h>

#include <algorithm>

namespace tcpsight::test {
States states_of(const std::vector<Event>& events) {
  States states;
  for (const auto& e : events)
    if (e.type == EventType::Transition)
      states.emplace_back(e.old_state, e.new_state);
  return states;
}

std::vector<TcpState> path_states(const ConnectionRecord& record) {
  std::vector<TcpState> states;
  for (const auto& step : record.path)
    states.push_back(step.state);
  return states;
}

void expect_same_facts(const ConnectionRecord& a, const ConnectionRecord& b) {
  EXPECT_EQ(path_states(a), path_states(b));
  EXPECT_EQ(outcome_name(a.outcome), outcome_name(b.outcome));
  EXPECT_EQ(a.role, b.role);
  EXPECT_EQ(a.owner, b.owner);
  // Round trips are measured anew by each run.
  const auto carried = [](std::optional<ConnectionTotals> totals) {
    if (totals)
      totals->srtt_us = totals->min_rtt_us = 0;
    return totals;
  };
  EXPECT_EQ(carried(a.totals), carried(b.totals));
  EXPECT_EQ(a.error, b.error);
  EXPECT_EQ(a.seeded, b.seeded);
}

std::vector<ConnectionRecord> TracedRun::connections() const {
  std::vector<ConnectionRecord> finished;
  LifecycleTracker tracker([&](const ConnectionRecord& r) { finished.push_back(r); });
  for (const auto& e : shown())
    tracker.observe(e);
  return finished;
}

TracedRun::TracedRun(TracerOptions options)
    : pipeline_(options.filter, output_), source_(options, {}, [](std::string_view) {}) {
  source_.confirm_time_waits(); // as trace does
}

void TracedRun::poll_until(const std::function<bool()>& done, std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  source_.run(pipeline_, {.arrived = [this](const Event& e) { raw_.push_back(e); },
                          .after_batch =
                              [&](std::uint64_t) {
                                return !done() && std::chrono::steady_clock::now() < deadline;
                              }});
}

std::vector<Event> TracedRun::socket(std::uint64_t sock_id) const {
  std::vector<Event> events;
  std::copy_if(shown().begin(), shown().end(), std::back_inserter(events),
               [&](const Event& e) { return e.id.sock_id == sock_id; });
  return events;
}

std::vector<Event> TracedRun::socket_with_ports(std::uint16_t local, std::uint16_t remote) const {
  for (const auto& e : shown())
    if (e.id.sock_id != 0 && e.id.local_port == local && e.id.remote_port == remote)
      return socket(e.id.sock_id);
  return {};
}

bool TracedRun::socket_reached(std::uint16_t local, std::uint16_t remote,
                               std::initializer_list<TcpState> states) const {
  for (const auto& e : socket_with_ports(local, remote))
    if (e.type == EventType::Transition &&
        std::find(states.begin(), states.end(), e.new_state) != states.end())
      return true;
  return false;
}

} // namespace tcpsight::test
