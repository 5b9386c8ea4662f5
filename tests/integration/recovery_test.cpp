// Lost events, recovered: the kernel programs are told (a test-only setting)
// to count one transition as lost, as when the ring buffer is full, and
// what tcpsight rebuilds must equal what an undisturbed run reports.
#include "tcpsight/kernel/tracer.hpp"

#include "loopback.hpp"
#include "privileges.hpp"
#include "traced_run.hpp"

#include <gtest/gtest.h>

#include <sys/socket.h>

#include <algorithm>

namespace tcpsight {
namespace {

using enum TcpState;
using test::TracedRun;

struct Ports {
  std::uint16_t server = 0;
  std::uint16_t client = 0;
};

// A connection whose every transition is certain: the client shuts down its
// side and waits for the server's FIN, so it never closes as an orphan in
// FIN_WAIT2 (handed over to a timewait socket, or not, depending on timing).
Ports run_connection(const test::Fd& listener) {
  Ports ports{.server = test::local_port(listener)};
  test::Fd client = test::connect_to_loopback(AddressFamily::IPv4, ports.server);
  ports.client = test::local_port(client);
  test::Fd server = test::accept_one(listener);
  test::send_all(client, "ping", 4);
  if (shutdown(client.get(), SHUT_WR) != 0 || test::read_to_eof(server) != 4)
    throw std::runtime_error("the server did not get the client's bytes and FIN");
  server.close();
  test::read_to_eof(client);
  client.close();
  return ports;
}

struct Records {
  ConnectionRecord client;
  ConnectionRecord server;
};

// Runs one connection under a tracer with these options, and folds what
// trace would show into connection records.
Records traced_connection(TracerOptions options, const test::Fd& listener, TracedRun*& run_out,
                          std::unique_ptr<TracedRun>& run) {
  run = std::make_unique<TracedRun>(options);
  run_out = run.get();
  const Ports ports = run_connection(listener);
  run->poll_until([&] {
    return run->socket_reached(ports.server, ports.client, {Close}) &&
           run->socket_reached(ports.client, ports.server, {TimeWait});
  });
  Records records;
  for (const auto& r : run->connections()) {
    if (r.id.local_port == ports.client && r.id.remote_port == ports.server)
      records.client = r;
    if (r.id.local_port == ports.server && r.id.remote_port == ports.client)
      records.server = r;
  }
  return records;
}

// What must survive the loss: everything but the times, and the handshake
// time, which only the move to ESTABLISHED carries.
void expect_same_facts(const ConnectionRecord& recovered, const ConnectionRecord& undisturbed,
                       TcpState lost) {
  test::expect_same_facts(recovered, undisturbed);
  if (lost != Established) {
    EXPECT_EQ(recovered.handshake_ns.has_value(), undisturbed.handshake_ns.has_value());
  }
}

class LostTransition : public ::testing::TestWithParam<TcpState> {};

TEST_P(LostTransition, IsRebuiltAsAnUndisturbedRunReportsIt) {
  TCPSIGHT_REQUIRE_TRACING();
  const TcpState lost = GetParam();
  auto listener = test::listen_on_loopback(AddressFamily::IPv4);
  const auto server_port = test::local_port(listener);

  TracedRun* undisturbed_run = nullptr;
  std::unique_ptr<TracedRun> keep_undisturbed;
  const auto undisturbed = traced_connection({}, listener, undisturbed_run, keep_undisturbed);
  ASSERT_EQ(undisturbed.client.outcome, Outcome::NormalActive);
  ASSERT_EQ(undisturbed.server.outcome, Outcome::NormalPassive);
  keep_undisturbed.reset();

  // Both ends of the connection have the server's port, one as its local
  // port and one as the remote: each loses its own move into `lost`.
  TracedRun* run = nullptr;
  std::unique_ptr<TracedRun> keep;
  const auto recovered = traced_connection(
      {.lose_for_test = TracerOptions::LostTransition{.port = server_port, .new_state = lost}},
      listener, run, keep);

  // Counted as lost, and rebuilt: the test's sockets show recovered
  // transitions (other traffic on the machine may add to both counts).
  EXPECT_GE(run->tracer().stats().lost, 1u);
  EXPECT_GE(run->recovered(), 1u);
  const auto ours = [&](const Event& e) {
    return e.id.local_port == server_port || e.id.remote_port == server_port;
  };
  EXPECT_TRUE(std::any_of(run->shown().begin(), run->shown().end(),
                          [&](const Event& e) { return e.recovered && ours(e); }));

  expect_same_facts(recovered.client, undisturbed.client, lost);
  expect_same_facts(recovered.server, undisturbed.server, lost);
}

std::string state_test_name(const ::testing::TestParamInfo<TcpState>& info) {
  std::string name(tcp_state_name(info.param));
  std::erase(name, '_');
  return name;
}

INSTANTIATE_TEST_SUITE_P(Tracer, LostTransition,
                         ::testing::Values(SynSent, SynRecv, Established, FinWait1, FinWait2,
                                           CloseWait, LastAck, Close),
                         state_test_name);

} // namespace
} // namespace tcpsight
