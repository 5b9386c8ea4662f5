#include "tcpsight/views/output.hpp"

#include "tcpsight/views/json_format.hpp"
#include "tcpsight/views/text_format.hpp"

#include "sample_event.hpp"
#include "utc_time_zone.hpp"

#include <gtest/gtest.h>
#include <sstream>

namespace tcpsight {
namespace {

// The sample's ts_ns (1 s of monotonic time) lands on the sample wall-clock time.
WallClock sample_clock() { return WallClock(test::kSampleRealtimeNs - 1'000'000'000); }

TEST(Output, TextWritesHeaderThenRowsOnFlush) {
  test::use_utc_time_zone();
  std::ostringstream stream;
  auto output = make_output({.format = OutputFormat::Text}, stream, sample_clock());
  output->event(test::sample_event());
  output->lost_events(3); // reported on stderr by the caller, not in the table
  EXPECT_EQ(stream.str(), "");
  EXPECT_GT(output->buffered(), 0u);
  EXPECT_TRUE(output->flush());
  EXPECT_EQ(output->buffered(), 0u);
  std::string expected = text_header();
  append_text_row(expected, test::sample_event(), test::kSampleRealtimeNs);
  EXPECT_EQ(stream.str(), expected);
}

TEST(Output, JsonWritesEventsAndLostEvents) {
  std::ostringstream stream;
  auto output =
      make_output({.format = OutputFormat::Json, .explain = true}, stream, sample_clock());
  output->event(test::sample_event());
  output->lost_events(3);
  EXPECT_TRUE(output->flush());
  std::string expected;
  append_event_json(expected, test::sample_event(), test::kSampleRealtimeNs, /*explain=*/true);
  expected += lost_events_json(3);
  EXPECT_EQ(stream.str(), expected);
}

TEST(Output, FlushReportsAStreamThatCanTakeNoMore) {
  std::ostringstream stream;
  stream.setstate(std::ios::badbit);
  auto output = make_output({.format = OutputFormat::Json}, stream, sample_clock());
  output->event(test::sample_event());
  EXPECT_FALSE(output->flush());
}

} // namespace
} // namespace tcpsight
