// Loads the real BPF programs, makes real loopback connections and checks
// exactly which transitions were traced.
#include "tcpsight/tracer.hpp"

#include "loopback.hpp"
#include "privileges.hpp"

#include <gtest/gtest.h>

#include <sched.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <map>
#include <vector>

namespace tcpsight {

// Names the parameter of the family tests in their names and messages.
void PrintTo(AddressFamily family, std::ostream* out) { *out << family_name(family); }

namespace {

using namespace std::chrono_literals;

using States = std::vector<std::pair<TcpState, TcpState>>;

// What the kernel reports for the client of run_client_closes_first().
const States kClientThatClosesFirst{{TcpState::Close, TcpState::SynSent},
                                    {TcpState::SynSent, TcpState::Established},
                                    {TcpState::Established, TcpState::FinWait1},
                                    {TcpState::FinWait1, TcpState::FinWait2},
                                    {TcpState::FinWait2, TcpState::Close}};

// Collects everything the tracer delivers.
class Recorder {
public:
  Tracer::Handler handler() {
    return [this](const Transition& t) { transitions_.push_back(t); };
  }
  const std::vector<Transition>& transitions() const { return transitions_; }

  // Every transition of the socket that, at some point, had this local and
  // remote port, in the order traced.
  std::vector<Transition> socket_with_ports(std::uint16_t local, std::uint16_t remote) const {
    std::uint64_t sock_id = 0;
    for (const auto& t : transitions_)
      if (t.local_port == local && t.remote_port == remote)
        sock_id = t.sock_id;
    std::vector<Transition> socket;
    std::copy_if(transitions_.begin(), transitions_.end(), std::back_inserter(socket),
                 [&](const Transition& t) { return sock_id != 0 && t.sock_id == sock_id; });
    return socket;
  }

private:
  std::vector<Transition> transitions_;
};

States states_of(const std::vector<Transition>& socket) {
  States states;
  for (const auto& t : socket)
    states.emplace_back(t.old_state, t.new_state);
  return states;
}

bool ends_closed(const std::vector<Transition>& socket) {
  return !socket.empty() && socket.back().new_state == TcpState::Close;
}

// Polls until the condition holds or two seconds pass.
template <typename Condition> void poll_until(Tracer& tracer, Condition done) {
  const auto deadline = std::chrono::steady_clock::now() + 2s;
  while (!done() && std::chrono::steady_clock::now() < deadline)
    tracer.poll(50ms);
}

void expect_increasing_timestamps(const std::vector<Transition>& socket) {
  for (std::size_t i = 1; i < socket.size(); ++i)
    EXPECT_GT(socket[i].ts_ns, socket[i - 1].ts_ns) << "transition " << i;
}

class TracerLoopback : public ::testing::TestWithParam<AddressFamily> {};

TEST_P(TracerLoopback, ClientClosesFirst) {
  TCPSIGHT_REQUIRE_TRACING();
  const AddressFamily family = GetParam();
  const IpAddress loopback = test::loopback_address(family);

  Recorder recorder;
  Tracer tracer({}, recorder.handler());
  const auto ports = test::run_client_closes_first(family);

  const auto client = [&] { return recorder.socket_with_ports(ports.client, ports.server); };
  const auto server = [&] { return recorder.socket_with_ports(ports.server, ports.client); };
  poll_until(tracer, [&] { return ends_closed(client()) && ends_closed(server()); });

  using enum TcpState;
  const auto client_socket = client();
  EXPECT_EQ(states_of(client_socket), kClientThatClosesFirst);
  const auto server_socket = server();
  EXPECT_EQ(states_of(server_socket), (States{{Listen, SynRecv},
                                              {SynRecv, Established},
                                              {Established, CloseWait},
                                              {CloseWait, LastAck},
                                              {LastAck, Close}}));

  for (const auto& t : client_socket) {
    EXPECT_EQ(t.family(), family);
    EXPECT_EQ(t.local, loopback);
    EXPECT_EQ(t.remote, loopback);
    EXPECT_EQ(t.remote_port, ports.server);
  }
  // connect() enters SYN_SENT before the kernel picks the local port.
  ASSERT_FALSE(client_socket.empty());
  EXPECT_EQ(client_socket.front().local_port, 0);
  for (std::size_t i = 1; i < client_socket.size(); ++i)
    EXPECT_EQ(client_socket[i].local_port, ports.client);

  for (const auto& t : server_socket) {
    EXPECT_EQ(t.family(), family);
    EXPECT_EQ(t.local, loopback);
    EXPECT_EQ(t.local_port, ports.server);
    EXPECT_EQ(t.remote, loopback);
    EXPECT_EQ(t.remote_port, ports.client);
  }

  expect_increasing_timestamps(client_socket);
  expect_increasing_timestamps(server_socket);
  // Every transition after the first knows how long the socket spent in the old state.
  for (const auto* socket : {&client_socket, &server_socket})
    for (std::size_t i = 1; i < socket->size(); ++i)
      EXPECT_TRUE((*socket)[i].ns_in_old.has_value()) << "transition " << i;

  EXPECT_EQ(tracer.stats().lost, 0u);
  EXPECT_EQ(tracer.stats().malformed, 0u);
}

INSTANTIATE_TEST_SUITE_P(Families, TracerLoopback,
                         ::testing::Values(AddressFamily::IPv4, AddressFamily::IPv6),
                         [](const auto& info) { return std::string(family_name(info.param)); });

TEST(Tracer, ListenerOpensAndCloses) {
  TCPSIGHT_REQUIRE_TRACING();
  Recorder recorder;
  Tracer tracer({}, recorder.handler());
  auto listener = test::listen_on_loopback(AddressFamily::IPv4);
  const auto port = test::local_port(listener);
  listener.close();

  const auto socket = [&] { return recorder.socket_with_ports(port, 0); };
  poll_until(tracer, [&] { return ends_closed(socket()); });
  using enum TcpState;
  EXPECT_EQ(states_of(socket()), (States{{Close, Listen}, {Listen, Close}}));
  for (const auto& t : socket())
    EXPECT_EQ(t.pid, static_cast<std::uint32_t>(getpid()));
}

// Runs a loopback connection in a new network namespace, in a child process.
// (Out parameter, because ASSERT_* needs a function returning void.)
void connect_in_new_network_namespace(test::ConnectionPorts& ports) {
  int ports_pipe[2];
  ASSERT_EQ(pipe(ports_pipe), 0);
  const pid_t child = fork();
  if (child == 0) {
    close(ports_pipe[0]);
    if (unshare(CLONE_NEWNET) != 0 || !test::bring_loopback_up())
      _exit(1);
    const auto made = test::run_client_closes_first(AddressFamily::IPv4);
    _exit(write(ports_pipe[1], &made, sizeof made) == sizeof made ? 0 : 1);
  }
  close(ports_pipe[1]);
  const auto got = read(ports_pipe[0], &ports, sizeof ports);
  close(ports_pipe[0]);
  int status = 0;
  waitpid(child, &status, 0);
  ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
  ASSERT_EQ(got, static_cast<ssize_t>(sizeof ports));
}

TEST(Tracer, SeesConnectionsInOtherNetworkNamespaces) {
  TCPSIGHT_REQUIRE_TRACING();
  Recorder recorder;
  Tracer tracer({}, recorder.handler());
  test::ConnectionPorts ports;
  ASSERT_NO_FATAL_FAILURE(connect_in_new_network_namespace(ports));

  const auto client = [&] { return recorder.socket_with_ports(ports.client, ports.server); };
  poll_until(tracer, [&] { return ends_closed(client()); });
  EXPECT_EQ(states_of(client()), kClientThatClosesFirst);
}

TEST(Tracer, FullRingBufferCountsLostEvents) {
  TCPSIGHT_REQUIRE_TRACING();
  Recorder recorder;
  // One page holds about 40 records; nothing is read until all are made.
  Tracer tracer({.ring_buffer_bytes = 4096}, recorder.handler());
  constexpr int kConnections = 30; // 30 x 10 transitions
  for (int i = 0; i < kConnections; ++i)
    test::run_client_closes_first(AddressFamily::IPv4);

  const auto lost = tracer.stats().lost;
  EXPECT_GT(lost, 0u);
  tracer.drain();
  const auto delivered = recorder.transitions().size();
  EXPECT_GT(delivered, 0u);
  EXPECT_LT(delivered, 4096u / 96u);
  // The tracer keeps working once the buffer has room again.
  const auto ports = test::run_client_closes_first(AddressFamily::IPv4);
  poll_until(tracer,
             [&] { return ends_closed(recorder.socket_with_ports(ports.server, ports.client)); });
  EXPECT_TRUE(ends_closed(recorder.socket_with_ports(ports.server, ports.client)));
}

} // namespace
} // namespace tcpsight
