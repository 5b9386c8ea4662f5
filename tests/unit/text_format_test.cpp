#include "tcpsight/text_format.hpp"

#include "tcpsight/decode.hpp"

#include "event_bytes.hpp"
#include "utc_time_zone.hpp"

#include <gtest/gtest.h>

namespace tcpsight {
namespace {

class TextFormat : public ::testing::Test {
protected:
  void SetUp() override { test::use_utc_time_zone(); }

  static Transition sample() {
    return std::get<Transition>(decode_event(test::bytes_of(test::raw_transition())));
  }
};

TEST_F(TextFormat, Header) {
  EXPECT_EQ(text_header(), "TIME            PID     COMM             LOCAL                  "
                           "REMOTE                 OLD          -> NEW             MS_IN_OLD\n");
}

TEST_F(TextFormat, Ipv4Row) {
  std::string out;
  append_text_row(out, sample(), test::kSampleRealtimeNs);
  EXPECT_EQ(out, "13:45:02.123456 4242    curl             127.0.0.1:40000        "
                 "10.1.2.3:8080          SYN_SENT     -> ESTABLISHED         1.500\n");
}

TEST_F(TextFormat, RowLinesUpWithHeader) {
  std::string row;
  append_text_row(row, sample(), test::kSampleRealtimeNs);
  const auto header = text_header();
  EXPECT_EQ(row.size(), header.size());
  EXPECT_EQ(row.find("SYN_SENT"), header.find("OLD"));
  EXPECT_EQ(row.find("10.1.2.3"), header.find("REMOTE"));
}

TEST_F(TextFormat, Ipv6RowWithUnknownTimeInOldState) {
  auto t = sample();
  t.local = {.family = AddressFamily::IPv6,
             .bytes = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1}};
  t.remote = t.local;
  t.old_state = TcpState::Close;
  t.new_state = TcpState::SynSent;
  t.ns_in_old.reset();
  std::string out;
  append_text_row(out, t, test::kSampleRealtimeNs);
  EXPECT_EQ(out, "13:45:02.123456 4242    curl             [::1]:40000            "
                 "[::1]:8080             CLOSE        -> SYN_SENT                -\n");
}

TEST_F(TextFormat, UnknownStateIsNamed) {
  auto t = sample();
  t.new_state = static_cast<TcpState>(99);
  std::string out;
  append_text_row(out, t, test::kSampleRealtimeNs);
  EXPECT_NE(out.find("-> UNKNOWN "), std::string::npos) << out;
}

TEST_F(TextFormat, TimeOfDay) {
  EXPECT_EQ(format_time_of_day(test::kSampleRealtimeNs), "13:45:02.123456");
  EXPECT_EQ(format_time_of_day(0), "00:00:00.000000");
}

TEST_F(TextFormat, CommControlAndNonAsciiBytesArePrintedAsQuestionMarks) {
  EXPECT_EQ(printable_comm("nginx: worker"), "nginx: worker");
  EXPECT_EQ(printable_comm(std::string("a\x1b[2Jb\n\x7f", 8)), "a?[2Jb??");
  EXPECT_EQ(printable_comm("caf\xc3\xa9"), "caf??");
}

} // namespace
} // namespace tcpsight
