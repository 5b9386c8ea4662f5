// Connection records: the kernel keeps each connection's path in its entry
// and writes the whole connection once, as it closes. Beside a tracer that
// writes every transition, on the same connections, they must fold into the
// same lifecycles, from one record per connection end.
#include "tcpsight/kernel/tracer.hpp"

#include "loopback.hpp"
#include "privileges.hpp"
#include "traced_run.hpp"

#include <gtest/gtest.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <cerrno>
#include <cstring>

#include <fmt/format.h>
#include <map>
#include <system_error>

namespace tcpsight {
namespace {

using enum TcpState;
using test::TracedRun;

// A connection: its socket and where it went (a socket connects again
// after a refusal).
using ConnectionKey = std::pair<std::uint64_t, std::uint16_t>;

// The lifecycles a run's events fold into, by connection.
std::map<ConnectionKey, ConnectionRecord> lifecycles(const TracedRun& run) {
  std::map<ConnectionKey, ConnectionRecord> records;
  for (auto& r : run.connections())
    records[{r.id.sock_id, r.id.remote_port}] = std::move(r);
  return records;
}

// The two tracers' programs run one after the other for each transition and
// read the clock each: their times differ by as long as a program takes.
void expect_near(std::uint64_t a, std::uint64_t b, const char* what) {
  constexpr std::uint64_t kTolerance = 10'000'000; // slow emulated VMs
  EXPECT_LE(a > b ? a - b : b - a, kTolerance) << what << ": " << a << " vs " << b;
}

void expect_same_lifecycle(const ConnectionRecord& record, const ConnectionRecord& events) {
  SCOPED_TRACE(fmt::format("{} -> {}", record.id.local_port, record.id.remote_port));
  EXPECT_EQ(record.id, events.id);
  test::expect_same_facts(record, events);
  EXPECT_EQ(record.syn_retransmits, events.syn_retransmits);
  ASSERT_EQ(record.handshake_ns.has_value(), events.handshake_ns.has_value());
  // Active: SYN to SYN-ACK, both programs' clocks. Passive: the first RTT
  // sample, the same number read by both.
  if (record.handshake_ns && record.role == Role::Active)
    expect_near(*record.handshake_ns, *events.handshake_ns, "handshake");
  else
    EXPECT_EQ(record.handshake_ns, events.handshake_ns);
  expect_near(record.start.ns, events.start.ns, "start");
  expect_near(record.end.ns, events.end.ns, "end");
  for (std::size_t i = 0; i < std::min(record.path.size(), events.path.size()); ++i)
    expect_near(record.path[i].ns.value_or(0), events.path[i].ns.value_or(0), "time in state");
}

// Server first: the client sees the FIN, and closes from CLOSE_WAIT.
void run_server_closes_first(const test::Fd& listener) {
  auto client = test::connect_to_loopback(AddressFamily::IPv4, test::local_port(listener));
  auto server = test::accept_one(listener);
  test::send_all(server, "bye", 3);
  server.close();
  test::read_to_eof(client);
  client.close();
}

void run_reset_by_client(const test::Fd& listener) {
  auto client = test::connect_to_loopback(AddressFamily::IPv4, test::local_port(listener));
  auto server = test::accept_one(listener);
  test::close_with_reset(client);
  char byte;
  while (recv(server.get(), &byte, 1, 0) > 0) {
  }
}

void run_refused(std::uint16_t closed_port) {
  try {
    test::connect_to_loopback(AddressFamily::IPv4, closed_port);
    ADD_FAILURE() << "connect to a closed port succeeded";
  } catch (const std::system_error& e) {
    EXPECT_EQ(e.code().value(), ECONNREFUSED);
  }
}

// One socket, refused, then connected again to the listener: two
// connections, the second starting over from CLOSE without the first's reset.
void run_refused_then_connected(std::uint16_t closed_port, const test::Fd& listener) {
  test::Fd client(socket(AF_INET, SOCK_STREAM, 0));
  ASSERT_GE(client.get(), 0) << std::strerror(errno);
  auto to = [](std::uint16_t port) {
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(port);
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    return address;
  };
  auto refused = to(closed_port);
  ASSERT_EQ(connect(client.get(), reinterpret_cast<sockaddr*>(&refused), sizeof refused), -1);
  ASSERT_EQ(errno, ECONNREFUSED);
  auto open = to(test::local_port(listener));
  ASSERT_EQ(connect(client.get(), reinterpret_cast<sockaddr*>(&open), sizeof open), 0)
      << std::strerror(errno);
  auto server = test::accept_one(listener);
  client.close();
  test::read_to_eof(server);
}

TEST(ConnectionRecords, FoldIntoTheLifecyclesEveryTransitionGives) {
  TCPSIGHT_REQUIRE_TRACING();
  auto listener4 = test::listen_on_loopback(AddressFamily::IPv4);
  auto listener6 = test::listen_on_loopback(AddressFamily::IPv6);
  const auto closed_port = test::unused_port(AddressFamily::IPv4);
  Filter ours;
  ours.ports = {test::local_port(listener4), test::local_port(listener6), closed_port};
  // Not drops: records are what is counted here.
  TracedRun events({.filter = ours, .reset_events = false, .drop_events = false});
  TracedRun records(
      {.filter = ours, .reset_events = false, .drop_events = false, .connection_records = true});

  test::run_client_closes_first(listener4, AddressFamily::IPv4);
  test::run_client_closes_first(listener6, AddressFamily::IPv6);
  run_server_closes_first(listener4);
  run_reset_by_client(listener4);
  run_refused(closed_port);
  run_refused_then_connected(closed_port, listener4);
  // Five connections with both ends, and the two refused clients.
  constexpr std::size_t kEnds = 12;

  for (auto* run : {&events, &records})
    run->poll_until([&] { return lifecycles(*run).size() >= kEnds; });
  const auto from_events = lifecycles(events);
  const auto from_records = lifecycles(records);
  ASSERT_EQ(from_events.size(), kEnds);
  ASSERT_EQ(from_records.size(), kEnds);
  for (const auto& [id, record] : from_records) {
    ASSERT_TRUE(from_events.contains(id)) << id.first << " to port " << id.second;
    expect_same_lifecycle(record, from_events.at(id));
  }
  // One record each, where every transition was one before.
  EXPECT_EQ(records.tracer().stats().delivered, kEnds);
  EXPECT_GE(events.tracer().stats().delivered, 4 * kEnds);
  std::map<Outcome, int> outcomes;
  for (const auto& [id, record] : from_records)
    ++outcomes[record.outcome];
  EXPECT_EQ(outcomes[Outcome::Refused], 2);
  EXPECT_EQ(outcomes[Outcome::ResetSent], 1);
  EXPECT_EQ(outcomes[Outcome::ResetReceived], 1);
  EXPECT_EQ(outcomes[Outcome::NormalActive], 4);
  EXPECT_EQ(outcomes[Outcome::NormalPassive], 4);
}

TEST(ConnectionRecords, ARecordLostAtTheCloseIsWrittenAgainAsTheSocketIsFreed) {
  TCPSIGHT_REQUIRE_TRACING();
  auto listener = test::listen_on_loopback(AddressFamily::IPv4);
  const auto port = test::local_port(listener);
  Filter ours;
  ours.ports = {port};
  TracedRun run({.filter = ours,
                 .connection_records = true,
                 .lose_for_test = TracerOptions::LostTransition{.port = port, .new_state = Close}});
  run_server_closes_first(listener);
  run.poll_until([&] { return lifecycles(run).size() >= 2; });

  const auto records = lifecycles(run);
  ASSERT_EQ(records.size(), 2u);
  // The server closed first.
  for (const auto& [id, record] : records) {
    EXPECT_EQ(outcome_name(record.outcome),
              record.role == Role::Active ? "normal_passive" : "normal_active");
    ASSERT_TRUE(record.totals);
    EXPECT_EQ(record.totals->tx_bytes, record.role == Role::Active ? 0u : 3u);
  }
  EXPECT_GE(run.tracer().stats().lost, 2u);
  EXPECT_EQ(run.recovered(), 2u);
}

} // namespace
} // namespace tcpsight
