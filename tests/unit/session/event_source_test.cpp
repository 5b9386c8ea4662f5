// The session loop over a recording, as `trace --read` and `life --read` run it.
#include "tcpsight/session/event_source.hpp"

#include "collecting_output.hpp"

#include <fmt/format.h>
#include <unistd.h>

#include <cstdint>
#include <filesystem>
#include <gtest/gtest.h>

namespace tcpsight {
namespace {

constexpr const char* kRecording = TCPSIGHT_FIXTURES "/loopback.events";

std::size_t events_in_recording() {
  std::size_t count = 0;
  EventFileReader(kRecording).read([&](const Event&) { ++count; }, [](std::uint64_t) {});
  return count;
}

TEST(ReplaySource, FeedsEveryEventThroughThePipeline) {
  auto source = EventSource::open({.read_path = kRecording});
  EXPECT_FALSE(source->live());
  EXPECT_FALSE(source->ids_are_socket_cookies());
  test::CollectingOutput output;
  EventPipeline pipeline({}, output);
  std::size_t arrived = 0, batches = 0;
  source->run(pipeline, {.arrived = [&](const Event&) { ++arrived; },
                         .after_batch =
                             [&](std::uint64_t) {
                               ++batches;
                               return true;
                             }});
  EXPECT_EQ(arrived, events_in_recording());
  EXPECT_GT(output.events.size(), 0u);
  EXPECT_GE(batches, 1u) << "the end of the recording is a batch too";
  EXPECT_NE(source->summary().find(fmt::format("{} events replayed", arrived)), std::string::npos)
      << source->summary();
}

TEST(ReplaySource, StopsWhenTheCommandSaysSo) {
  auto source = EventSource::open({.read_path = kRecording});
  test::CollectingOutput output;
  EventPipeline pipeline({}, output);
  std::size_t arrived = 0;
  source->run(pipeline, {.arrived = [&](const Event&) { ++arrived; },
                         .after_batch = [](std::uint64_t) { return false; }});
  EXPECT_GT(arrived, 0u);
  EXPECT_LT(arrived, events_in_recording());
}

// Lost counts from a crafted file add up without wrapping around.
TEST(ReplaySource, LostCountsDoNotWrap) {
  const auto path =
      std::filesystem::temp_directory_path() / fmt::format("tcpsight-lost-{}.events", getpid());
  {
    EventFileWriter writer(path.string(), WallClock(1234));
    writer.lost_events(UINT64_MAX);
    writer.lost_events(5);
  }
  auto source = EventSource::open({.read_path = path.string()});
  test::CollectingOutput output;
  EventPipeline pipeline({}, output);
  source->run(pipeline,
              {.lost = [](std::uint64_t) {}, .after_batch = [](std::uint64_t) { return true; }});
  EXPECT_NE(source->summary().find(fmt::format("{} lost when it was recorded", UINT64_MAX)),
            std::string::npos)
      << source->summary();
  std::filesystem::remove(path);
}

} // namespace
} // namespace tcpsight
