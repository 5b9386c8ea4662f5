#include "tcpsight/views/life_view.hpp"

#include "utc_time_zone.hpp"

#include <gtest/gtest.h>

namespace tcpsight {
namespace {

using enum TcpState;

WallConnectionRecord finished_connection() {
  WallConnectionRecord r;
  r.id = {.sock_id = 7,
          .netns = 4026531840,
          .local = {.family = AddressFamily::IPv4, .bytes = {127, 0, 0, 1}},
          .local_port = 40000,
          .remote = {.family = AddressFamily::IPv4, .bytes = {10, 1, 2, 3}},
          .remote_port = 443};
  r.owner = Owner{.pid = 4242, .uid = 1000, .cgroup_id = 1, .comm = "curl"};
  r.role = Role::Active;
  r.handshake_ns = 1'234'567;
  r.path = {{SynSent, 1'234'567},
            {Established, 25'500'000},
            {FinWait1, 1'999'500'000},
            {FinWait2, std::nullopt}};
  r.totals = ConnectionTotals{.tx_bytes = 512,
                              .rx_bytes = 123'456'789,
                              .retransmits = 0,
                              .srtt_us = 24'310,
                              .min_rtt_us = 20'002};
  r.outcome = Outcome::NormalActive;
  r.start = WallTime{1'764'600'000'000'000'000};
  r.end = WallTime{1'764'600'002'026'234'567};
  return r;
}

TEST(LifeView, RowOfAFinishedConnection) {
  test::use_utc_time_zone();
  std::string out;
  append_life_row(out, finished_connection());
  EXPECT_EQ(
      out, "14:40:02.026    4242 curl            127.0.0.1       40000 10.1.2.3          443       "
           "512 123456789      2026    1.235     24.3 active  normal_active  "
           "SYN_SENT(1.235)>ESTABLISHED(25.5)>FIN_WAIT1(2000)>FIN_WAIT2\n");
}

TEST(LifeView, RowEndsWithTheDropsAndTheLatestReason) {
  test::use_utc_time_zone();
  auto r = finished_connection();
  r.drops = {.count = 3, .last_reason = "NETFILTER_DROP"};
  r.path = {{SynSent, 3'000'000'000}, {Close, std::nullopt}};
  r.totals->srtt_us = 0;
  r.outcome = Outcome::TimedOut;
  std::string out;
  append_life_row(out, r);
  EXPECT_TRUE(out.ends_with("1.235        - active  timed_out      SYN_SENT(3000)>CLOSE "
                            "drops=3:NETFILTER_DROP\n"))
      << out;
}

TEST(LifeView, JsonHasRoundTripsAndDrops) {
  auto r = finished_connection();
  r.drops = {.count = 2, .last_reason = "TCP_LISTEN_OVERFLOW"};
  std::string out;
  append_life_json(out, r, nullptr);
  EXPECT_NE(out.find(R"("srtt_ms":24.310,"min_rtt_ms":20.002)"), std::string::npos) << out;
  EXPECT_NE(out.find(R"("drops":2,"last_drop_reason":"TCP_LISTEN_OVERFLOW")"), std::string::npos)
      << out;
  r.drops = {};
  r.totals.reset();
  out.clear();
  append_life_json(out, r, nullptr);
  EXPECT_NE(out.find(R"("srtt_ms":null,"min_rtt_ms":null)"), std::string::npos) << out;
  EXPECT_NE(out.find(R"("drops":0,"last_drop_reason":null)"), std::string::npos) << out;
}

TEST(LifeView, RowWithoutOwnerTotalsOrHandshake) {
  test::use_utc_time_zone();
  auto r = finished_connection();
  r.owner.reset();
  r.totals.reset();
  r.handshake_ns.reset();
  r.id.local = {.family = AddressFamily::IPv6,
                .bytes = {0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x12, 0x34}};
  r.id.remote = r.id.local;
  r.end = WallTime{r.start.ns + 9'999'600};
  r.path = {{Established, 9'999'600}, {Close, std::nullopt}};
  r.outcome = Outcome::ResetReceived;
  std::string out;
  append_life_row(out, r);
  EXPECT_EQ(out,
            "14:40:00.009       - -               2001:db8::1234  40000 2001:db8::1234    443  "
            "       -         -    10.000        -        - active  reset_received "
            "ESTABLISHED(10.000)>CLOSE\n");
}

TEST(LifeView, HeaderNamesEveryColumn) {
  EXPECT_EQ(life_header(),
            "TIME             PID COMM            LADDR           LPORT RADDR           RPORT  "
            "      TX        RX        MS    HS_MS   RTT_MS ROLE    OUTCOME        PATH\n");
}

} // namespace
} // namespace tcpsight
