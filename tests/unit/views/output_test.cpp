#include "tcpsight/views/output.hpp"

#include "tcpsight/views/json_format.hpp"
#include "tcpsight/views/text_format.hpp"

#include "pipe_without_reader.hpp"
#include "sample_event.hpp"
#include "utc_time_zone.hpp"
#include "written_file.hpp"

#include <gtest/gtest.h>

namespace tcpsight {
namespace {

// The sample's ts_ns (1 s of monotonic time) lands on the sample wall-clock time.
WallClock sample_clock() { return WallClock(test::kSampleRealtimeNs - 1'000'000'000); }

TEST(Output, TextWritesHeaderThenRowsOnFlush) {
  test::use_utc_time_zone();
  test::WrittenFile file;
  OutputWriter writer(file.fd());
  auto output = make_output({.format = OutputFormat::Text}, writer, sample_clock());
  output->event(test::sample_event());
  output->lost_events(3); // reported on stderr by the caller, not in the table
  EXPECT_EQ(file.text(), "");
  EXPECT_GT(writer.text().size(), 0u);
  EXPECT_TRUE(writer.flush());
  EXPECT_EQ(writer.text().size(), 0u);
  std::string expected = text_header();
  append_text_row(expected, test::sample_event(), WallTime{test::kSampleRealtimeNs});
  EXPECT_EQ(file.text(), expected);
}

TEST(Output, JsonWritesEventsAndLostEvents) {
  test::WrittenFile file;
  OutputWriter writer(file.fd());
  auto output =
      make_output({.format = OutputFormat::Json, .explain = true}, writer, sample_clock());
  output->event(test::sample_event());
  output->lost_events(3);
  EXPECT_TRUE(writer.flush());
  std::string expected;
  append_event_json(expected, test::sample_event(), WallTime{test::kSampleRealtimeNs},
                    /*explain=*/true);
  expected += lost_events_json(3);
  EXPECT_EQ(file.text(), expected);
}

TEST(Output, FlushReportsAStreamThatCanTakeNoMore) {
  test::PipeWithoutReader pipe;
  OutputWriter writer(pipe.fd());
  auto output = make_output({.format = OutputFormat::Json}, writer, sample_clock());
  output->event(test::sample_event());
  EXPECT_FALSE(writer.flush());
}

} // namespace
} // namespace tcpsight
