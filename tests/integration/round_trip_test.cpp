// The round trips a connection's close carries, against what ss -ti shows
// of the same connection while it is held.
#include "tcpsight/kernel/tracer.hpp"

#include "child_process.hpp"
#include "loopback.hpp"
#include "privileges.hpp"
#include "traced_run.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <fmt/format.h>
#include <string>

namespace tcpsight {
namespace {

// "rtt:0.035/0.017 ... minrtt:0.012" from ss -ti: microseconds.
double ss_field_us(const std::string& ss, const std::string& name) {
  const auto label = fmt::format(" {}:", name);
  const auto at = ss.find(label);
  if (at == std::string::npos)
    return -1;
  return std::stod(ss.substr(at + label.size())) * 1000;
}

// Within 10 %, or a microsecond: ss prints milliseconds with 3 decimals.
void expect_agrees(std::uint32_t ours_us, double ss_us, const char* what) {
  EXPECT_GT(ss_us, 0) << what;
  EXPECT_LE(std::abs(ours_us - ss_us), std::max(ss_us * 0.1, 1.0))
      << what << ": tcpsight " << ours_us << " us, ss " << ss_us << " us";
}

// A connection that exchanged a few messages, held while ss looks at it,
// then reset (SO_LINGER 0): no segment is acknowledged after ss looked, so
// the round trips stay as ss saw them.
TEST(RoundTrips, TheCloseCarriesWhatSsShowedOfTheHeldConnection) {
  TCPSIGHT_REQUIRE_TRACING();
  auto listener = test::listen_on_loopback(AddressFamily::IPv4);
  const auto server_port = test::local_port(listener);
  test::TracedRun run;
  auto client = test::connect_to_loopback(AddressFamily::IPv4, server_port);
  const auto client_port = test::local_port(client);
  auto server = test::accept_one(listener);
  char byte = 'x';
  for (int i = 0; i < 20; ++i) {
    test::send_all(client, &byte, 1);
    ASSERT_EQ(read(server.get(), &byte, 1), 1);
    test::send_all(server, &byte, 1);
    ASSERT_EQ(read(client.get(), &byte, 1), 1);
  }
  test::ChildProcess ss({"ss", "-tinH", "sport", "=", fmt::format(":{}", client_port)});
  ASSERT_EQ(ss.wait(), 0) << ss.stderr_text();
  const auto shown = ss.stdout_text();
  test::close_with_reset(client);
  run.poll_until([&] { return run.socket_reached(client_port, server_port, {TcpState::Close}); });

  const auto socket = run.socket_with_ports(client_port, server_port);
  const auto close =
      std::find_if(socket.begin(), socket.end(), [](const Event& e) { return e.closes_socket; });
  ASSERT_NE(close, socket.end());
  ASSERT_TRUE(close->totals);
  expect_agrees(close->totals->srtt_us, ss_field_us(shown, "rtt"), "smoothed RTT");
  expect_agrees(close->totals->min_rtt_us, ss_field_us(shown, "minrtt"), "minimum RTT");
}

} // namespace
} // namespace tcpsight
