#pragma once

#include <unistd.h>

#include <cstddef>
#include <string>

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
  // After appending a record: writes once a chunk is full. Returns open().
  bool written() { return text_.size() < chunk_bytes_ ? open() : flush(); }
  // Writes all the text now. Returns open().
  bool flush();
  // False once a write failed: the command should stop.
  bool open() const { return error_ == 0; }
  // Flushes, then throws tcpsight::Error if a write failed other than
  // because the reader went away.
  void finish();

private:
  bool stopped_quietly() const { return error_ == EPIPE || error_ == EINTR; }

  int fd_;
  std::size_t chunk_bytes_;
  std::string text_;
  int error_ = 0; // errno of the first failed write
};

} // namespace tcpsight
