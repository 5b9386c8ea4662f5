// Each filter, with real traffic that matches it and traffic that does not:
// the matching events are shown, and the rest never reaches user space,
// as the kernel's own counters confirm.
#include "forked.hpp"
#include "loopback.hpp"
#include "network_namespace.hpp"
#include "privileges.hpp"
#include "test_cgroup.hpp"
#include "traced_run.hpp"

#include <gtest/gtest.h>

#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fmt/format.h>
#include <fstream>
#include <functional>

namespace tcpsight {
namespace {

using enum TcpState;
using test::TracedRun;
using Predicate = std::function<bool(const Event&)>;

std::string describe(const Event& e) {
  return fmt::format("{} {}:{} -> {}:{} {} -> {} netns {} pid {}", event_type_name(e.type),
                     to_string(e.id.local), e.id.local_port, to_string(e.id.remote),
                     e.id.remote_port, tcp_state_name(e.old_state), tcp_state_name(e.new_state),
                     e.id.netns, e.owner ? static_cast<long>(e.owner->pid) : -1L);
}

// connect() reports SYN_SENT before it picks the local port, so a filter on
// local ports cannot judge that event in the kernel: it passes, and user
// space drops it once the port is known.
bool local_port_unknown(const Event& e) {
  return e.type == EventType::Transition && e.new_state == SynSent && e.id.local_port == 0;
}

// Every event that reached user space passes; the kernel dropped the rest.
// But drops: the kernel lets them all through, for user space to count each
// on its connection before it filters them.
void expect_only(TracedRun& run, const Predicate& passes) {
  ASSERT_FALSE(run.raw().empty());
  for (const auto& e : run.raw())
    EXPECT_TRUE(passes(e) || e.type == EventType::Drop) << describe(e);
  for (const auto& e : run.shown())
    EXPECT_TRUE(passes(e) && !local_port_unknown(e)) << describe(e);
  // The run has detached and drained: nothing more comes in while the counts are compared.
  const auto stats = run.tracer().stats();
  EXPECT_GT(stats.filtered, 0u) << "the kernel filtered nothing";
  EXPECT_EQ(stats.delivered, run.raw().size());
  EXPECT_EQ(stats.lost, 0u);
}

bool shows(const TracedRun& run, const Predicate& wanted) {
  return std::any_of(run.shown().begin(), run.shown().end(), wanted);
}

// Two listeners; the filters pick the first one's traffic.
class PortFilter : public ::testing::Test {
protected:
  test::Fd wanted_ = test::listen_on_loopback(AddressFamily::IPv4);
  test::Fd other_ = test::listen_on_loopback(AddressFamily::IPv4);
  std::uint16_t port_ = test::local_port(wanted_);

  test::ConnectionPorts run_traffic(TracedRun& run) {
    test::run_client_closes_first(other_, AddressFamily::IPv4);
    const auto ports = test::run_client_closes_first(wanted_, AddressFamily::IPv4);
    run.poll_until([&] {
      return run.socket_reached(ports.server, ports.client, {Close}) ||
             run.socket_reached(ports.client, ports.server, {TimeWait});
    });
    return ports;
  }
};

TEST_F(PortFilter, EitherPort) {
  TCPSIGHT_REQUIRE_TRACING();
  TracedRun run({.filter = {.ports = {port_}}});
  const auto ports = run_traffic(run);
  expect_only(run, [&](const Event& e) {
    return e.id.local_port == port_ || e.id.remote_port == port_ || local_port_unknown(e);
  });
  EXPECT_EQ(test::states_of(run.socket_with_ports(ports.client, ports.server)).size(), 5u);
  EXPECT_EQ(test::states_of(run.socket_with_ports(ports.server, ports.client)).size(), 5u);
}

TEST_F(PortFilter, LocalPort) {
  TCPSIGHT_REQUIRE_TRACING();
  TracedRun run({.filter = {.local_ports = {port_}}});
  const auto ports = run_traffic(run);
  expect_only(run,
              [&](const Event& e) { return e.id.local_port == port_ || local_port_unknown(e); });
  EXPECT_EQ(test::states_of(run.socket_with_ports(ports.server, ports.client)).size(), 5u);
  EXPECT_TRUE(run.socket_with_ports(ports.client, ports.server).empty());
}

TEST_F(PortFilter, RemotePort) {
  TCPSIGHT_REQUIRE_TRACING();
  TracedRun run({.filter = {.remote_ports = {port_}}});
  const auto ports = run_traffic(run);
  expect_only(run, [&](const Event& e) { return e.id.remote_port == port_; });
  EXPECT_EQ(test::states_of(run.socket_with_ports(ports.client, ports.server)).size(), 5u);
  EXPECT_TRUE(run.socket_with_ports(ports.server, ports.client).empty());
}

// A child process makes its connection once the tracer is ready; this
// process makes another.
class OwnerFilter : public ::testing::Test {
protected:
  test::Pipe go_;
  test::Forked child_{"ts-filtered", [this] {
                        go_.receive<char>();
                        test::run_client_closes_first(AddressFamily::IPv4);
                      }};

  void run_traffic(TracedRun& run) {
    test::run_client_closes_first(AddressFamily::IPv4);
    go_.send('y');
    ASSERT_TRUE(child_.succeeded());
    run.poll_until(
        [&] { return shows(run, [](const Event& e) { return e.new_state == TimeWait; }); });
  }
};

TEST_F(OwnerFilter, Pid) {
  TCPSIGHT_REQUIRE_TRACING();
  const auto pid = static_cast<std::uint32_t>(child_.pid());
  TracedRun run({.filter = {.pid = pid}});
  run_traffic(run);
  expect_only(run, [&](const Event& e) { return e.owner && e.owner->pid == pid; });
}

TEST_F(OwnerFilter, Comm) {
  TCPSIGHT_REQUIRE_TRACING();
  TracedRun run({.filter = {.comm = "ts-filtered"}});
  run_traffic(run);
  expect_only(run, [&](const Event& e) {
    return e.owner && e.owner->comm == "ts-filtered" &&
           e.owner->pid == static_cast<std::uint32_t>(child_.pid());
  });
}

TEST(StateFilter, ListenerTransitionsOnly) {
  TCPSIGHT_REQUIRE_TRACING();
  TracedRun run({.filter = {.states = {Listen}}});
  const auto ports = test::run_client_closes_first(AddressFamily::IPv4);
  run.poll_until([&] { return run.socket_reached(ports.server, 0, {Close}); });
  expect_only(run, [](const Event& e) { return e.old_state == Listen || e.new_state == Listen; });
  EXPECT_TRUE(shows(run, [&](const Event& e) {
    return e.id.local_port == ports.server && e.old_state == Listen && e.new_state == SynRecv;
  }));
}

TEST(StateFilter, TimeWaitKeepsTheHandOver) {
  TCPSIGHT_REQUIRE_TRACING();
  TracedRun run({.filter = {.states = {TimeWait}}});
  const auto ports = test::run_client_closes_first(AddressFamily::IPv4);
  run.poll_until([&] { return run.socket_reached(ports.client, ports.server, {TimeWait}); });
  // The kernel passes what TIME_WAIT is inferred from: hand-overs to a
  // timewait socket, and a local peer's FIN (its move to LAST_ACK).
  expect_only(run, [](const Event& e) {
    return (e.new_state == Close && (e.old_state == FinWait2 || e.old_state == Closing)) ||
           e.new_state == LastAck || e.new_state == TimeWait;
  });
  for (const auto& e : run.shown())
    EXPECT_EQ(e.new_state, TimeWait) << describe(e);
  EXPECT_EQ(test::states_of(run.socket_with_ports(ports.client, ports.server)),
            (test::States{{FinWait2, TimeWait}}));
}

TEST(FamilyFilter, Ipv6Only) {
  TCPSIGHT_REQUIRE_TRACING();
  TracedRun run({.filter = {.family = AddressFamily::IPv6}});
  test::run_client_closes_first(AddressFamily::IPv4);
  const auto ports = test::run_client_closes_first(AddressFamily::IPv6);
  run.poll_until([&] { return run.socket_reached(ports.client, ports.server, {TimeWait}); });
  expect_only(run, [](const Event& e) { return e.family() == AddressFamily::IPv6; });
  EXPECT_EQ(test::states_of(run.socket_with_ports(ports.client, ports.server)).size(), 5u);
}

TEST(NetnsFilter, OneNamespaceOnly) {
  TCPSIGHT_REQUIRE_TRACING();
  test::NetworkNamespace other(fmt::format("tsf{}", getpid()));
  TracedRun run({.filter = {.netns = other.inode()}});
  test::run_client_closes_first(AddressFamily::IPv4);
  test::Forked child("ts-netns", [&] {
    other.enter();
    test::run_client_closes_first(AddressFamily::IPv4);
  });
  ASSERT_TRUE(child.succeeded());
  run.poll_until(
      [&] { return shows(run, [](const Event& e) { return e.new_state == TimeWait; }); });
  expect_only(run, [&](const Event& e) { return e.id.netns == other.inode(); });
}

TEST(CgroupFilter, OneCgroupOnly) {
  TCPSIGHT_REQUIRE_TRACING();
  test::TestCgroup cgroup;
  TracedRun run({.filter = {.cgroup = cgroup.id()}});
  test::run_client_closes_first(AddressFamily::IPv4);
  test::Forked child("ts-cgroup", [&] {
    cgroup.enter();
    test::run_client_closes_first(AddressFamily::IPv4);
  });
  ASSERT_TRUE(child.succeeded());
  run.poll_until(
      [&] { return shows(run, [](const Event& e) { return e.new_state == TimeWait; }); });
  expect_only(run, [&](const Event& e) { return e.owner && e.owner->cgroup_id == cgroup.id(); });
}

} // namespace
} // namespace tcpsight
