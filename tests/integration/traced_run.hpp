#pragma once

// The real tracer feeding the real pipeline through the commands' own
// session loop, with what reaches the output kept for assertions.

#include "tcpsight/model/connection_record.hpp"
#include "tcpsight/pipeline/event_pipeline.hpp"
#include "tcpsight/session/event_source.hpp"

#include "collecting_output.hpp"

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <vector>

namespace tcpsight::test {

using States = std::vector<std::pair<TcpState, TcpState>>;

// The state changes among events, in order; other events are left out.
States states_of(const std::vector<Event>& events);

// The states along a connection's path, in order.
std::vector<TcpState> path_states(const ConnectionRecord& record);

// Expects two records of one connection, obtained two ways, to agree on
// everything but times: path, outcome, role, owner, totals, error, seeded.
void expect_same_facts(const ConnectionRecord& a, const ConnectionRecord& b);

class TracedRun {
public:
  explicit TracedRun(TracerOptions options = {});

  // Polls until done() holds or timeout passes; then detaches and lets out
  // held events. Once per run.
  void poll_until(const std::function<bool()>& done,
                  std::chrono::milliseconds timeout = std::chrono::seconds(3));

  Tracer& tracer() { return source_.tracer(); }
  // As the kernel delivered them.
  const std::vector<Event>& raw() const { return raw_; }
  // Completed, filtered and interpreted: what `tcpsight trace` shows.
  const std::vector<Event>& shown() const { return output_.events; }
  // Lost transitions the pipeline rebuilt.
  std::uint64_t recovered() const { return pipeline_.recovered(); }
  // The finished connections the shown events fold into, as `life` has them.
  std::vector<ConnectionRecord> connections() const;

  // The shown events of one socket.
  std::vector<Event> socket(std::uint64_t sock_id) const;
  // The shown events of the socket that had these ports at some point.
  std::vector<Event> socket_with_ports(std::uint16_t local, std::uint16_t remote) const;
  // True once the socket with these ports has an event into one of states.
  bool socket_reached(std::uint16_t local, std::uint16_t remote,
                      std::initializer_list<TcpState> states) const;

private:
  std::vector<Event> raw_;
  CollectingOutput output_;
  EventPipeline pipeline_;
  LiveSource source_;
};

} // namespace tcpsight::test
