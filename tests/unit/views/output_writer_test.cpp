#include "tcpsight/views/output_writer.hpp"

#include "tcpsight/model/error.hpp"

#include "pipe_without_reader.hpp"
#include "written_file.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <gtest/gtest.h>

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

} // namespace
} // namespace tcpsight
