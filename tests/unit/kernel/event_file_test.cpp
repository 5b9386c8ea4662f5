#include "tcpsight/kernel/event_file.hpp"

#include "sample_event.hpp"
#include "tcpsight/kernel/decode.hpp"
#include "tcpsight/model/error.hpp"

#include <gtest/gtest.h>

#include <cstring>
#include <filesystem>
#include <fmt/format.h>
#include <fstream>
#include <functional>
#include <iterator>
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

// A recording keeps the recording kernel's names of its drop reasons, whose
// numbers differ from one kernel to another.
TEST_F(EventFileTest, DropsAreNamedAsTheRecordingKernelNamedThem) {
  auto drop = test::sample_event();
  drop.type = EventType::Drop;
  drop.drop = DropDetails{
      .code = 77, .outgoing = true, .accept_queue = AcceptQueue{.length = 2, .backlog = 1}};
  {
    EventFileWriter writer(path_, WallClock(0));
    DropReasons reasons;
    reasons.add(77, "SKB_DROP_REASON_NETFILTER_DROP");
    writer.drop_reasons(reasons);
    writer.event_record(encode_event(drop));
  }
  std::vector<Event> read;
  EventFileReader(path_).read([&](const Event& e) { read.push_back(e); }, [](std::uint64_t) {});
  ASSERT_EQ(read.size(), 1u);
  drop.drop->reason = "NETFILTER_DROP";
  EXPECT_EQ(read[0], drop);
}

// Layout 4 (144 bytes, file format 1) lacks the round trips and the accept
// queue: they read as unknown.
TEST_F(EventFileTest, Layout4RecordingsStillRead) {
  auto closed = test::sample_transition(7, TcpState::Established, TcpState::Close, 40000, 2);
  closed.totals = ConnectionTotals{.tx_bytes = 10, .rx_bytes = 20, .srtt_us = 50, .min_rtt_us = 9};
  {
    EventFileWriter writer(path_, WallClock(0));
    writer.event_record(encode_event(closed));
  }
  // Rewrite it as the older tcpsight did: format 1, layout 4, 144-byte events.
  std::string bytes;
  {
    std::ifstream in(path_, std::ios::binary);
    bytes.assign(std::istreambuf_iterator<char>(in), {});
  }
  const std::uint32_t format = 1, version = 4, size = 144;
  std::memcpy(bytes.data() + 8, &format, 4);
  std::memcpy(bytes.data() + 12, &version, 4);
  std::memcpy(bytes.data() + 16, &size, 4);
  std::memcpy(bytes.data() + 40 + 4, &size, 4); // the record's size
  bytes.resize(40 + 8 + 144);
  std::ofstream(path_, std::ios::binary | std::ios::trunc) << bytes;

  std::vector<Event> read;
  EventFileReader(path_).read([&](const Event& e) { read.push_back(e); }, [](std::uint64_t) {});
  ASSERT_EQ(read.size(), 1u);
  closed.totals->srtt_us = closed.totals->min_rtt_us = 0;
  EXPECT_EQ(read[0], closed);
}

// Names of drop reasons, as a hostile file might hold them: too long, after
// the events, too many. Each is refused as corrupt.
TEST_F(EventFileTest, DropReasonNamesOutOfPlaceAreCorrupt) {
  const auto with_records = [&](const std::function<void(std::ofstream&)>& append) {
    {
      EventFileWriter writer(path_, WallClock(0));
      writer.event(events_[0]);
    }
    std::ofstream out(path_, std::ios::binary | std::ios::app);
    append(out);
  };
  const auto name_record = [](std::ofstream& out, std::uint32_t code, const std::string& name) {
    const std::uint32_t kind = 3;
    const auto size = static_cast<std::uint32_t>(sizeof code + name.size());
    out.write(reinterpret_cast<const char*>(&kind), sizeof kind);
    out.write(reinterpret_cast<const char*>(&size), sizeof size);
    out.write(reinterpret_cast<const char*>(&code), sizeof code);
    out << name;
  };
  with_records([&](std::ofstream& out) { name_record(out, 1, "NETFILTER_DROP"); });
  EXPECT_NE(read_error().find("corrupt (a record of kind 3"), std::string::npos)
      << "after an event: " << read_error();
  { EventFileWriter writer(path_, WallClock(0)); }
  {
    std::ofstream out(path_, std::ios::binary | std::ios::app);
    name_record(out, 1, std::string(65, 'A'));
  }
  EXPECT_NE(read_error().find("corrupt"), std::string::npos) << "too long";
  { EventFileWriter writer(path_, WallClock(0)); }
  {
    std::ofstream out(path_, std::ios::binary | std::ios::app);
    for (std::uint32_t code = 0; code <= 1024; ++code)
      name_record(out, code, "X");
  }
  EXPECT_NE(read_error().find("corrupt"), std::string::npos) << "too many";
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
