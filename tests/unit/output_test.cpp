#include "tcpsight/output.hpp"

#include "tcpsight/decode.hpp"
#include "tcpsight/text_format.hpp"

#include "event_bytes.hpp"
#include "utc_time_zone.hpp"

#include <gtest/gtest.h>
#include <sstream>

namespace tcpsight {
namespace {

Transition sample() {
  return std::get<Transition>(decode_event(test::bytes_of(test::raw_transition())));
}

// The sample's ts_ns (1 s of monotonic time) lands on the sample wall-clock time.
WallClock sample_clock() { return WallClock(test::kSampleRealtimeNs - 1'000'000'000); }

TEST(Output, TextWritesHeaderThenRowsOnFlush) {
  test::use_utc_time_zone();
  std::ostringstream stream;
  auto output = make_output(OutputFormat::Text, stream, sample_clock());
  output->transition(sample());
  output->lost_events(3); // reported on stderr by the caller, not in the table
  EXPECT_EQ(stream.str(), "");
  EXPECT_TRUE(output->flush());
  std::string expected = text_header();
  append_text_row(expected, sample(), test::kSampleRealtimeNs);
  EXPECT_EQ(stream.str(), expected);
}

TEST(Output, JsonWritesTransitionsAndLostEvents) {
  std::ostringstream stream;
  auto output = make_output(OutputFormat::Json, stream, sample_clock());
  output->transition(sample());
  output->lost_events(3);
  EXPECT_TRUE(output->flush());
  const auto text = stream.str();
  EXPECT_EQ(
      text.find(
          R"({"type":"transition","ts_ns":1000000000,"time":"2026-11-24T13:45:02.123456789Z")"),
      0u)
      << text;
  EXPECT_NE(text.find("\n{\"type\":\"lost_events\",\"count\":3}\n"), std::string::npos) << text;
}

TEST(Output, FlushReportsAStreamThatCanTakeNoMore) {
  std::ostringstream stream;
  stream.setstate(std::ios::badbit);
  auto output = make_output(OutputFormat::Json, stream, sample_clock());
  output->transition(sample());
  EXPECT_FALSE(output->flush());
}

} // namespace
} // namespace tcpsight
