#include "tcpsight/views/output_writer.hpp"

#include "tcpsight/model/error.hpp"
#include "tcpsight/session/standard_fds.hpp"
#include "tcpsight/session/stop_signals.hpp"

#include "pipe_without_reader.hpp"
#include "written_file.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <gtest/gtest.h>
#include <pthread.h>

#include <atomic>
#include <csignal>
#include <string>
#include <thread>

namespace tcpsight {
namespace {

TEST(OutputWriter, WritesOnceAChunkIsFull) {
  test::WrittenFile file;
  OutputWriter writer(file.fd(), /*chunk_bytes=*/8);
  writer.text() += "12345";
  EXPECT_TRUE(writer.written());
  EXPECT_EQ(file.text(), "");
  writer.text() += "6789\n";
  EXPECT_TRUE(writer.written());
  EXPECT_EQ(file.text(), "123456789\n");
  EXPECT_TRUE(writer.text().empty());
}

TEST(OutputWriter, WritesWhatIsLeftWhenDestroyed) {
  test::WrittenFile file;
  {
    OutputWriter writer(file.fd());
    writer.text() += "last line\n";
  }
  EXPECT_EQ(file.text(), "last line\n");
}

// In a child process: a pipe whose reader never reads holds the write up,
// and SIGINT keeps coming (re-armed, as the handler goes after one) until
// the write gives up. Exits 0 when it did, quietly.
[[noreturn]] void write_into_a_stalled_pipe_until_stopped() {
  int fds[2];
  if (pipe(fds) != 0)
    _exit(2);
  OutputWriter writer(fds[1]);
  writer.text() = std::string(std::size_t{4} << 20, 'x'); // far more than a pipe holds
  std::atomic<bool> returned = false;
  const auto writing = pthread_self();
  std::thread interrupter([&] {
    while (!returned) {
      install_stop_signals();
      pthread_kill(writing, SIGINT);
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
  });
  install_stop_signals();
  const bool open = writer.flush();
  returned = true;
  interrupter.join();
  try {
    writer.finish();
  } catch (const Error&) {
    _exit(3);
  }
  _exit(open ? 4 : 0);
}

TEST(OutputWriter, AStopEndsAWriteThatAReaderHoldsUp) {
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  EXPECT_EXIT(write_into_a_stalled_pipe_until_stopped(), ::testing::ExitedWithCode(0), "");
}

TEST(OutputWriter, AReaderThatWentAwayEndsTheOutputQuietly) {
  test::PipeWithoutReader pipe;
  OutputWriter writer(pipe.fd());
  EXPECT_TRUE(writer.open());
  writer.text() += "nobody reads this\n";
  EXPECT_FALSE(writer.flush());
  EXPECT_FALSE(writer.open());
  writer.text() += "nor this\n";
  EXPECT_FALSE(writer.written());
  EXPECT_NO_THROW(writer.finish());
  EXPECT_TRUE(writer.text().empty()) << "what comes after is dropped";
}

TEST(OutputWriter, OtherFailuresAreAnError) {
  const int full = open("/dev/full", O_WRONLY | O_CLOEXEC);
  if (full < 0)
    GTEST_SKIP() << "no /dev/full";
  OutputWriter writer(full);
  writer.text() += "no room\n";
  EXPECT_FALSE(writer.flush());
  try {
    writer.finish();
    ADD_FAILURE() << "finish() did not throw";
  } catch (const Error& e) {
    EXPECT_STREQ(e.what(), "writing the output failed: No space left on device");
  }
  close(full);
}

// What a summary may call shown: the records whose chunk was written.
TEST(OutputWriter, CountsWhatWasWrittenAndWhatWasNot) {
  test::WrittenFile file;
  OutputWriter writer(file.fd(), /*chunk_bytes=*/8);
  writer.text() += "header\n";
  writer.written(/*records=*/0);
  writer.text() += "one\n";
  writer.written();
  writer.text() += "two\n";
  writer.written();
  EXPECT_EQ(writer.records_written(), 1u) << "the second waits in a chunk";
  writer.flush();
  EXPECT_EQ(writer.records_written(), 2u);
  EXPECT_EQ(shown_summary(writer, "events"), "2 events shown");

  test::PipeWithoutReader pipe;
  OutputWriter failing(pipe.fd());
  failing.text() += "one\ntwo\n";
  failing.written(2);
  failing.flush();
  failing.text() += "three\n";
  failing.written();
  EXPECT_EQ(failing.records_written(), 0u);
  EXPECT_EQ(failing.records_dropped(), 3u);
  EXPECT_EQ(shown_summary(failing, "connections"), "0 connections shown, 3 not written");
}

// Started with stdout closed: the number stays taken (the next file opened
// does not become stdout), and writing there is reported as a closed output.
[[noreturn]] void write_with_stdout_closed() {
  close(STDOUT_FILENO);
  occupy_closed_standard_fds();
  const int next = open("/dev/null", O_WRONLY | O_CLOEXEC);
  if (next <= STDERR_FILENO)
    _exit(2);
  OutputWriter writer;
  writer.text() += "nowhere\n";
  writer.written();
  try {
    writer.finish();
  } catch (const Error& e) {
    _exit(std::string(e.what()) == "writing the output failed: standard output is closed" ? 0 : 3);
  }
  _exit(4);
}

TEST(OutputWriter, AClosedStdoutIsReportedAsSuch) {
  EXPECT_EXIT(write_with_stdout_closed(), ::testing::ExitedWithCode(0), "");
}

} // namespace
} // namespace tcpsight
