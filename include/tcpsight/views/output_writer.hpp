#pragma once

#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace tcpsight {

// A command's output, formatted into text() and written to a file
// descriptor (stdout) a chunk at a time: a stream of events costs one
// write per chunk rather than one per line, and a long listing never holds
// more than a chunk in memory.
//
// When a write fails the writer drops what it holds, and everything after,
// and open() turns false so that the command stops. How the command then
// ends depends on why, and finish() says it:
// - The reader went away (`tcpsight trace | head`): the write fails with
//   EPIPE, as the program ignores SIGPIPE. Not an error: the command ends
//   quietly with status 0.
// - SIGINT or SIGTERM arrived while a write was held up by a reader that
//   does not read (EINTR): the command was asked to stop, and does, with
//   status 0, dropping what it could not write.
// - Anything else (a full disk, say): finish() throws tcpsight::Error,
//   which the program prints as one line, with status 1.
// Nothing else throws, so the writer may be used inside callbacks from C.
class OutputWriter {
public:
  static constexpr std::size_t kChunkBytes = std::size_t{64} << 10;

  explicit OutputWriter(int fd = STDOUT_FILENO, std::size_t chunk_bytes = kChunkBytes);
  // Writes what is left; a failure is not reported (call finish() for that).
  ~OutputWriter();
  OutputWriter(const OutputWriter&) = delete;
  OutputWriter& operator=(const OutputWriter&) = delete;

  // Where to append the output.
  std::string& text() { return text_; }
  // After appending a record (or, with records 0, a line that is none, a
  // header say): writes once a chunk is full. Returns open().
  bool written(std::size_t records = 1) {
    pending_records_ += records;
    return text_.size() < chunk_bytes_ && open() ? true : flush();
  }
  // Writes all the text now. Returns open().
  bool flush();
  // False once a write failed: the command should stop.
  bool open() const { return error_ == 0; }
  // Flushes, then throws tcpsight::Error if a write failed other than
  // because the reader went away.
  void finish();

  // Records whose whole chunk was written, and records dropped because a
  // write failed (a chunk written in part counts as not written).
  std::uint64_t records_written() const { return records_written_; }
  std::uint64_t records_dropped() const { return records_dropped_; }

private:
  bool stopped_quietly() const { return error_ == EPIPE || error_ == EINTR; }

  int fd_;
  std::size_t chunk_bytes_;
  std::string text_;
  int error_ = 0;                     // errno of the first failed write
  std::uint64_t pending_records_ = 0; // in text_
  std::uint64_t records_written_ = 0;
  std::uint64_t records_dropped_ = 0;
};

// "12 events shown", and ", 3 not written" after it when writes failed:
// counts of what reached the output, for a command's closing summary.
std::string shown_summary(const OutputWriter& out, std::string_view noun);

} // namespace tcpsight
