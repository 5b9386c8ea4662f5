// A remote peer's FIN reaches only the timewait socket the closing side
// was handed over to, and no tracepoint says so: tcpsight asks the kernel
// (sock_diag) and confirms the TIME_WAIT. The peer is a namespace whose
// events the kernel filters out: a stand-in for a remote host.
#include "tcpsight/kernel/tracer.hpp"
#include "tcpsight/model/clock.hpp"
#include "tcpsight/pipeline/time_wait_inference.hpp"

#include "child_process.hpp"
#include "firewalled_peer.hpp"
#include "forked.hpp"
#include "privileges.hpp"
#include "traced_run.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <csignal>
#include <fmt/format.h>
#include <functional>
#include <set>
#include <sstream>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

namespace tcpsight {
namespace {

using namespace std::chrono_literals;
using enum TcpState;

constexpr std::uint16_t kPort = 8094;
constexpr std::uint16_t kManyPort = 8095;
// The timer behind the estimate counts in jiffies (4 ms at HZ=250).
constexpr std::uint64_t kTimerSlackNs = 20'000'000;

// Closes first: the FIN sent and acknowledged, then close() in FIN_WAIT2,
// which hands the socket over to a timewait socket there and then. (A
// close() in ESTABLISHED hands it over when the ACK comes, unless the ACK
// comes while close() still holds the socket: then the socket carries on.)
void close_in_fin_wait2(int fd) {
  shutdown(fd, SHUT_WR);
  const auto deadline = std::chrono::steady_clock::now() + 10s;
  for (;;) {
    tcp_info info{};
    socklen_t size = sizeof info;
    if (getsockopt(fd, IPPROTO_TCP, TCP_INFO, &info, &size) != 0)
      throw std::runtime_error("TCP_INFO failed");
    if (info.tcpi_state == TCP_FIN_WAIT2)
      break;
    if (std::chrono::steady_clock::now() > deadline)
      throw std::runtime_error("the FIN was not acknowledged");
    std::this_thread::sleep_for(1ms);
  }
  close(fd);
}

TEST(TimeWait, ARemotePeersFinIsConfirmedByAskingTheKernel) {
  TCPSIGHT_REQUIRE_TRACING();
  test::FirewalledPeer peer("tcp dport 1"); // drops nothing of this connection
  test::TracedRun run({.filter = {.netns = peer.client().inode()}});
  test::Pipe listening, closing, closed;
  test::Forked server("ts-tw-server", [&] {
    const int listener = test::listen_in(peer.server(), kPort, 1);
    listening.send('y');
    const int connection = accept(listener, nullptr, nullptr);
    closing.receive<char>();
    close(connection); // the FIN the client's timewait socket waits for
    closed.send('y');
  });
  listening.receive<char>();
  test::Forked client("ts-tw-client", [&] {
    const int fd = test::connect_to_server(peer, kPort);
    close_in_fin_wait2(fd);
  });
  ASSERT_TRUE(client.succeeded());

  const auto handover = [&]() -> const Event* {
    for (const auto& e : run.shown())
      if (e.handover && e.id.remote_port == kPort)
        return &e;
    return nullptr;
  };
  const auto time_wait = [&]() -> const Event* {
    for (const auto& e : run.shown())
      if (e.type == EventType::Transition && e.new_state == TimeWait && e.id.remote_port == kPort)
        return &e;
    return nullptr;
  };
  std::uint64_t fin_sent_after_ns = 0;
  run.poll_until(
      [&] {
        if (fin_sent_after_ns == 0 && handover()) {
          fin_sent_after_ns = monotonic_now_ns();
          closing.send('y');
        }
        return time_wait() != nullptr;
      },
      15s);
  ASSERT_NE(handover(), nullptr) << "the client was not handed over in FIN_WAIT2";
  const auto* confirmed = time_wait();
  ASSERT_NE(confirmed, nullptr) << "no TIME_WAIT";
  closed.receive<char>();
  EXPECT_TRUE(server.succeeded());

  EXPECT_EQ(confirmed->id.sock_id, handover()->id.sock_id);
  EXPECT_EQ(confirmed->old_state, FinWait2);
  EXPECT_TRUE(confirmed->inferred);
  ASSERT_TRUE(confirmed->confirmed) << "inferred from a LAST_ACK the filter should have hidden";
  for (const auto& e : run.shown()) {
    EXPECT_NE(e.new_state, LastAck) << "the peer's events were not filtered out";
    EXPECT_NE(e.type, EventType::Drop)
        << "a segment the timewait socket acted on, as a drop: " << (e.drop ? e.drop->reason : "");
  }
  // When the FIN was sent, the kernel was asked after, and the timer says.
  const auto bounds = *confirmed->confirmed;
  EXPECT_GE(bounds.not_after_ns, fin_sent_after_ns) << "confirmed before the FIN was sent";
  EXPECT_GE(confirmed->ts_ns + kTimerSlackNs, fin_sent_after_ns)
      << "the timer places it before the FIN was sent";
  EXPECT_LE(bounds.not_after_ns - bounds.not_before_ns,
            2 * TimeWaitInference::kConfirmEveryNs + 1'000'000'000)
      << "asked about it at the bounded rate";
  ASSERT_TRUE(confirmed->owner);
  EXPECT_EQ(confirmed->owner->pid, static_cast<std::uint32_t>(client.pid()));
}

// The server's side of ManyHandedOverAtOnce: accepts count connections,
// holds them until told, then closes them all.
void hold_then_close(const test::FirewalledPeer& peer, std::size_t count,
                     const test::Pipe& listening, const test::Pipe& closing) {
  const int listener = test::listen_in(peer.server(), kManyPort, static_cast<int>(count));
  listening.send('y');
  std::vector<int> held;
  for (std::size_t i = 0; i < count; ++i)
    held.push_back(accept(listener, nullptr, nullptr));
  closing.receive<char>();
  for (const int fd : held)
    close(fd);
}

// The client's side: count connections, each closed at once.
void open_and_close(const test::FirewalledPeer& peer, std::size_t count) {
  for (std::size_t i = 0; i < count; ++i)
    close_in_fin_wait2(test::connect_to_server(peer, kManyPort));
}

// The client ports of the JSON lines that satisfy kind.
std::set<int> ports_of(const std::string& json_lines,
                       const std::function<bool(const nlohmann::json&)>& kind) {
  std::set<int> ports;
  std::istringstream lines(json_lines);
  for (std::string line; std::getline(lines, line);) {
    const auto e = nlohmann::json::parse(line, nullptr, false);
    if (!e.is_discarded() && e.value("dport", 0) == kManyPort && kind(e))
      ports.insert(e.value("sport", 0));
  }
  return ports;
}

bool handed_over(const nlohmann::json& e) { return e.contains("handover"); }
bool in_time_wait(const nlohmann::json& e) { return e.value("new", "") == "TIME_WAIT"; }
bool confirmed(const nlohmann::json& e) { return e.value("confirmed", false); }

// Hundreds at once, more than a netlink batch, and trace in the client's
// own namespace, whose lookups enter none: every hand-over is confirmed.
TEST(TimeWait, ManyHandedOverAtOnceAreAllConfirmed) {
  TCPSIGHT_REQUIRE_TRACING();
  constexpr std::size_t kConnections = 300;
  test::FirewalledPeer peer("tcp dport 1"); // drops nothing of these connections
  test::ChildProcess trace({"ip", "netns", "exec", peer.client().name(), TCPSIGHT_BINARY, "trace",
                            "--json", "--netns", "/proc/self/ns/net"});
  ASSERT_TRUE(trace.wait_for_stderr("tracing TCP connections", 20s)) << trace.stderr_text();
  test::Pipe listening, closing;
  test::Forked server("ts-tw-holder",
                      [&] { hold_then_close(peer, kConnections, listening, closing); });
  listening.receive<char>();
  test::Forked client("ts-tw-closer", [&] { open_and_close(peer, kConnections); });
  ASSERT_TRUE(client.succeeded());
  ASSERT_TRUE(trace.wait_for_stdout(
      [&](const std::string& out) { return ports_of(out, handed_over).size() == kConnections; },
      30s))
      << ports_of(trace.stdout_text(), handed_over).size() << " handed over; "
      << trace.stderr_text();
  closing.send('y');
  EXPECT_TRUE(server.succeeded());
  EXPECT_TRUE(trace.wait_for_stdout(
      [&](const std::string& out) { return ports_of(out, in_time_wait).size() == kConnections; },
      30s))
      << ports_of(trace.stdout_text(), in_time_wait).size() << " in TIME_WAIT; "
      << trace.stderr_text();
  const auto out = trace.stdout_text();
  const auto handovers = ports_of(out, handed_over);
  EXPECT_EQ(ports_of(out, confirmed), handovers) << "each hand-over confirmed";
  EXPECT_EQ(out.find("\"drop_reason\""), std::string::npos)
      << "the FINs the timewait sockets took, as drops";
  trace.send_signal(SIGINT);
  EXPECT_EQ(trace.wait(), 0);
  EXPECT_NE(trace.stderr_text().find(
                fmt::format("{} TIME_WAITs of remote peers confirmed", kConnections)),
            std::string::npos)
      << trace.stderr_text();
}
} // namespace
} // namespace tcpsight
