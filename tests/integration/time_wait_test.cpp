// A remote peer's FIN reaches only the timewait socket the closing side
// was handed over to, and no tracepoint says so: tcpsight asks the kernel
// (sock_diag) and confirms the TIME_WAIT. The peer is a namespace whose
// events the kernel filters out: a stand-in for a remote host.
#include "tcpsight/kernel/tracer.hpp"

#include "firewalled_peer.hpp"
#include "forked.hpp"
#include "privileges.hpp"
#include "traced_run.hpp"

#include "tcpsight/model/clock.hpp"

#include <gtest/gtest.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <stdexcept>

namespace tcpsight {
namespace {

using namespace std::chrono_literals;
using enum TcpState;

constexpr std::uint16_t kPort = 8094;
// The timer behind the estimate counts in jiffies (4 ms at HZ=250).
constexpr std::uint64_t kTimerSlackNs = 20'000'000;

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
    peer.client().enter();
    const int fd = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in server{.sin_family = AF_INET, .sin_port = htons(kPort)};
    inet_pton(AF_INET, peer.server_address().c_str(), &server.sin_addr);
    if (connect(fd, reinterpret_cast<sockaddr*>(&server), sizeof server) != 0)
      throw std::runtime_error("connect failed");
    close(fd); // first, and orphaned: handed over once the server ACKs the FIN
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
        << "a segment the timewait socket acted on, reported as a drop: " << e.drop->reason;
  }
  const auto bounds = *confirmed->confirmed;
  EXPECT_GE(bounds.not_before_ns, handover()->ts_ns);
  EXPECT_GE(bounds.not_after_ns, fin_sent_after_ns) << "confirmed before the FIN was sent";
  EXPECT_LE(bounds.not_before_ns, confirmed->ts_ns);
  EXPECT_LE(confirmed->ts_ns, bounds.not_after_ns);
  EXPECT_GE(confirmed->ts_ns + kTimerSlackNs, fin_sent_after_ns)
      << "the timer places it before the FIN was sent";
  EXPECT_LE(bounds.not_after_ns - bounds.not_before_ns,
            2 * TimeWaitInference::kConfirmEveryNs + 1'000'000'000)
      << "asked about it at the bounded rate";
  ASSERT_TRUE(confirmed->owner);
  EXPECT_EQ(confirmed->owner->pid, static_cast<std::uint32_t>(client.pid()));
}

} // namespace
} // namespace tcpsight
