#include "tcpsight/kernel/event_file.hpp"

#include "sample_event.hpp"
#include "tcpsight/kernel/decode.hpp"
#include "tcpsight/model/error.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <fmt/format.h>
#include <fstream>
#include <unistd.h>

namespace tcpsight {
namespace {

class EventFileTest : public ::testing::Test {
protected:
  std::string path_ = (std::filesystem::temp_directory_path() /
                       ("tcpsight-events-" + std::to_string(getpid()) + ".bin"))
                          .string();
  ~EventFileTest() override { std::filesystem::remove(path_); }

  std::vector<Event> events_ = [] {
    auto second = test::sample_transition(7, TcpState::Established, TcpState::Close, 40000, 2);
    second.totals = ConnectionTotals{.tx_bytes = 10, .rx_bytes = 20};
    return std::vector<Event>{test::sample_event(), second};
  }();

  void write_sample() {
    EventFileWriter writer(path_, WallClock(1234));
    writer.event(events_[0]);
    writer.lost_events(5);
    writer.event(events_[1]);
  }

  std::string read_error() {
    try {
      EventFileReader reader(path_);
      reader.read([](const Event&) {}, [](std::uint64_t) {});
    } catch (const Error& e) {
      return e.what();
    }
    return "";
  }
};

TEST_F(EventFileTest, RoundTrip) {
  write_sample();
  EventFileReader reader(path_);
  EXPECT_EQ(reader.wall_clock().realtime_minus_monotonic_ns(), 1234);
  std::vector<Event> read;
  std::vector<std::uint64_t> lost;
  reader.read([&](const Event& e) { read.push_back(e); },
              [&](std::uint64_t count) { lost.push_back(count); });
  EXPECT_EQ(read, events_);
  EXPECT_EQ(lost, std::vector<std::uint64_t>{5});
}

// What `trace --write` does: the kernel's record, copied without decoding.
TEST_F(EventFileTest, KernelRecordsAreKeptAsWritten) {
  {
    EventFileWriter writer(path_, WallClock(0));
    for (const auto& e : events_)
      writer.event_record(encode_event(e));
  }
  std::vector<Event> read;
  EventFileReader(path_).read([&](const Event& e) { read.push_back(e); }, [](std::uint64_t) {});
  EXPECT_EQ(read, events_);
}

TEST_F(EventFileTest, CutShortFileGivesItsWholeRecordsThenAnError) {
  write_sample();
  std::filesystem::resize_file(path_, std::filesystem::file_size(path_) - 3);
  EventFileReader reader(path_);
  std::size_t events = 0;
  try {
    reader.read([&](const Event&) { ++events; }, [](std::uint64_t) {});
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_EQ(std::string(e.what()), path_ + " is cut short after 2 whole records");
  }
  EXPECT_EQ(events, 1u);
}

TEST_F(EventFileTest, ForeignFileIsNamedAsSuch) {
  std::ofstream(path_) << "SQLite format 3\n... not events at all ...........................";
  EXPECT_EQ(read_error(),
            path_ + " is not a tcpsight event file (written by `tcpsight trace --write`)");
  std::ofstream(path_, std::ios::trunc) << "TCP"; // shorter than a header
  EXPECT_NE(read_error().find("is not a tcpsight event file"), std::string::npos);
}

TEST_F(EventFileTest, OtherLayoutVersionIsRefused) {
  write_sample();
  {
    std::fstream file(path_, std::ios::in | std::ios::out | std::ios::binary);
    file.seekp(12); // the event layout version
    const std::uint32_t old_version = 2;
    file.write(reinterpret_cast<const char*>(&old_version), sizeof old_version);
  }
  EXPECT_NE(read_error().find("holds events of layout version 2"), std::string::npos)
      << read_error();
}

// The same version with another size says how they differ.
TEST_F(EventFileTest, OtherEventSizeIsNamed) {
  write_sample();
  {
    std::fstream file(path_, std::ios::in | std::ios::out | std::ios::binary);
    file.seekp(16); // the event size
    const std::uint32_t size = 4096;
    file.write(reinterpret_cast<const char*>(&size), sizeof size);
  }
  EXPECT_NE(
      read_error().find(fmt::format("layout version {}, 4096 bytes each", event_record_version())),
      std::string::npos)
      << read_error();
}

// A clock offset or an event time no machine has would print an invalid
// time: the file is called corrupt instead.
TEST_F(EventFileTest, TimesNoMachineHasAreCorrupt) {
  write_sample();
  {
    std::fstream file(path_, std::ios::in | std::ios::out | std::ios::binary);
    file.seekp(24); // the clock offset
    const std::int64_t offset = -5;
    file.write(reinterpret_cast<const char*>(&offset), sizeof offset);
  }
  EXPECT_NE(read_error().find("its clock offset, -5 ns, is no machine's"), std::string::npos)
      << read_error();
  // Nor is such a recording made: the file is not even created.
  std::filesystem::remove(path_);
  EXPECT_THROW(EventFileWriter(path_, WallClock(-5)), Error);
  EXPECT_FALSE(std::filesystem::exists(path_));
  {
    auto far = events_[0];
    far.ts_ns = UINT64_MAX - 1;
    EventFileWriter writer(path_, WallClock(1234));
    writer.event(far);
  }
  EXPECT_NE(read_error().find("no machine's time"), std::string::npos) << read_error();
}

TEST_F(EventFileTest, CorruptRecordHeader) {
  write_sample();
  {
    std::fstream file(path_, std::ios::in | std::ios::out | std::ios::binary);
    file.seekp(40); // the first record's kind
    const std::uint32_t kind = 99;
    file.write(reinterpret_cast<const char*>(&kind), sizeof kind);
  }
  EXPECT_NE(read_error().find("is corrupt (a record of kind 99"), std::string::npos)
      << read_error();
}

TEST_F(EventFileTest, MissingFile) {
  EXPECT_EQ(read_error(), "cannot open " + path_ + ": No such file or directory");
}

} // namespace
} // namespace tcpsight
