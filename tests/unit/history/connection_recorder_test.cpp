// `tcpsight record` on a recording of real loopback connections: what the
// history keeps is what `life` shows, on the wall clock.
#include "tcpsight/history/connection_recorder.hpp"

#include "tcpsight/kernel/event_file.hpp"
#include "tcpsight/pipeline/event_pipeline.hpp"

#include "temporary_database.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <vector>

namespace tcpsight {
namespace {

constexpr const char* kRecording = TCPSIGHT_FIXTURES "/loopback.events";

template <typename Sink> void replay_into(Sink& sink) {
  EventPipeline pipeline({}, sink);
  EventFileReader(kRecording).read([&](const Event& e) { pipeline.push(e); }, [](std::uint64_t) {});
  pipeline.finish();
}

class ConnectionRecorderTest : public ::testing::Test {
protected:
  test::TemporaryDatabase database_{"recorder"};
  const std::string& path_ = database_.path();
};

TEST_F(ConnectionRecorderTest, KeepsEachConnectionOnTheWallClock) {
  std::vector<ConnectionRecord> shown; // as `life` folds them
  LifecycleTracker life([&](const ConnectionRecord& r) { shown.push_back(r); });
  replay_into(life);
  ASSERT_FALSE(shown.empty());

  const WallClock clock(1'700'000'000'000'000'000);
  {
    HistoryWriter writer(std::make_unique<HistoryStore>(path_, HistoryStore::Mode::ReadWrite), {});
    ConnectionRecorder recorder(writer, clock, /*transitions=*/true);
    replay_into(recorder);
    writer.flush();
    EXPECT_EQ(writer.stats().connections_written, shown.size());
    EXPECT_GT(writer.stats().transitions_written, shown.size());
  }
  std::vector<WallConnectionRecord> kept;
  HistoryStore(path_, HistoryStore::Mode::ReadOnly)
      .connections({}, [&](const WallConnectionRecord& r) { kept.push_back(r); });
  ASSERT_EQ(kept.size(), shown.size());
  for (const auto& want : shown) {
    const auto found = std::find_if(kept.begin(), kept.end(),
                                    [&](const auto& r) { return r.id.sock_id == want.id.sock_id; });
    ASSERT_NE(found, kept.end()) << want.id.sock_id;
    EXPECT_EQ(found->start, clock.to_wall(want.start));
    EXPECT_EQ(found->end, clock.to_wall(want.end));
    EXPECT_EQ(found->outcome, want.outcome);
  }
}

} // namespace
} // namespace tcpsight
