#include "tcpsight/views/printable.hpp"
#include "tcpsight/views/text_format.hpp"

#include "tcpsight/pipeline/interpret.hpp"

#include "sample_event.hpp"
#include "utc_time_zone.hpp"

#include <gtest/gtest.h>

namespace tcpsight {
namespace {

class TextFormat : public ::testing::Test {
protected:
  void SetUp() override { test::use_utc_time_zone(); }

  static std::string row(const Event& e, bool explain = false) {
    std::string out;
    append_text_row(out, e, WallTime{test::kSampleRealtimeNs}, explain);
    return out;
  }
};

TEST_F(TextFormat, Header) {
  EXPECT_EQ(text_header(), "TIME            PID     COMM             LOCAL                  "
                           "REMOTE                 EVENT                      MS_IN_OLD DETAILS\n");
}

TEST_F(TextFormat, TransitionWithHandshake) {
  EXPECT_EQ(row(test::sample_event()),
            "13:45:02.123456 4242    curl             127.0.0.1:40000        10.1.2.3:8080      "
            "    SYN_SENT -> ESTABLISHED        1.500 handshake=1.500ms\n");
}

TEST_F(TextFormat, RowLinesUpWithHeader) {
  auto e = test::sample_event();
  e.handshake_ns.reset();
  const auto line = row(e);
  const auto header = text_header();
  EXPECT_EQ(line.size(), header.size() - std::string(" DETAILS").size());
  EXPECT_EQ(line.find("SYN_SENT"), header.find("EVENT"));
  EXPECT_EQ(line.find("10.1.2.3"), header.find("REMOTE"));
}

TEST_F(TextFormat, Ipv6UnknownOwnerAndTime) {
  auto e = test::sample_event();
  e.id.local = e.id.remote = test::ipv6_loopback();
  e.old_state = TcpState::Close;
  e.new_state = TcpState::SynSent;
  e.ns_in_old.reset();
  e.handshake_ns.reset();
  e.owner.reset();
  EXPECT_EQ(row(e),
            "13:45:02.123456 -       -                [::1]:40000            [::1]:8080     "
            "        CLOSE -> SYN_SENT                  -\n");
}

TEST_F(TextFormat, RefusedConnectWithError) {
  auto e = test::sample_event();
  e.new_state = TcpState::Close;
  e.handshake_ns.reset();
  e.error = ECONNREFUSED;
  e.reset_received = true;
  EXPECT_EQ(row(interpret(e)),
            "13:45:02.123456 4242    curl             127.0.0.1:40000        10.1.2.3:8080      "
            "    SYN_SENT -> CLOSE              1.500 reason=refused error=ECONNREFUSED\n");
}

TEST_F(TextFormat, InferredTimeWaitWithExplanation) {
  auto e = test::sample_event();
  e.old_state = TcpState::FinWait2;
  e.new_state = TcpState::Close;
  e.peer_fin = true;
  e.handshake_ns.reset();
  EXPECT_EQ(row(interpret(e), /*explain=*/true),
            "13:45:02.123456 4242    curl             127.0.0.1:40000        10.1.2.3:8080      "
            "    FIN_WAIT2 -> TIME_WAIT         1.500 inferred expires_in=60s  # both FINs sent "
            "and acknowledged: TIME_WAIT for 60 s\n");
}

TEST_F(TextFormat, TimeWaitTheKernelConfirmed) {
  auto e = test::sample_transition(1, TcpState::FinWait2, TcpState::TimeWait, 40000);
  e.handshake_ns.reset();
  e.inferred = true;
  e.confirmed =
      TimeBounds{.not_before_ns = e.ts_ns - 850'000'000, .not_after_ns = e.ts_ns + 12'000};
  EXPECT_EQ(row(e), "13:45:02.123456 4242    curl             127.0.0.1:40000        10.1.2.3:8080 "
                    "         FIN_WAIT2 -> TIME_WAIT         1.500 inferred confirmed "
                    "between=-850.000ms..+0.012ms expires_in=60s\n");
}

TEST_F(TextFormat, HandoverInFinWait2) {
  auto e = test::sample_event();
  e.old_state = TcpState::FinWait2;
  e.new_state = TcpState::Close;
  e.orphan = true;
  e.handshake_ns.reset();
  EXPECT_EQ(row(interpret(e)),
            "13:45:02.123456 4242    curl             127.0.0.1:40000        10.1.2.3:8080      "
            "    FIN_WAIT2 -> CLOSE             1.500 handover=fin_wait2\n");
}

TEST_F(TextFormat, ResetSentWithoutSocket) {
  auto e = test::sample_event();
  e.type = EventType::ResetSent;
  e.owner.reset();
  e.id.sock_id = 0;
  e.no_socket = true;
  e.handshake_ns.reset();
  EXPECT_EQ(row(interpret(e)),
            "13:45:02.123456 -       -                127.0.0.1:40000        10.1.2.3:8080      "
            "    RST sent                           - reason=reset_sent no_socket\n");
}

TEST_F(TextFormat, UnknownStateIsNamed) {
  auto e = test::sample_event();
  e.new_state = static_cast<TcpState>(99);
  EXPECT_NE(row(e).find("SYN_SENT -> UNKNOWN "), std::string::npos) << row(e);
}

TEST_F(TextFormat, TimeOfDay) {
  EXPECT_EQ(format_time_of_day(WallTime{test::kSampleRealtimeNs}), "13:45:02.123456");
  EXPECT_EQ(format_time_of_day(WallTime{0}), "00:00:00.000000");
}

TEST_F(TextFormat, CommInRowIsPrintable) {
  auto e = test::sample_event();
  e.owner->comm = "evil\x1b[2J";
  EXPECT_NE(row(e).find(" evil?[2J "), std::string::npos) << row(e);
}

} // namespace
} // namespace tcpsight
