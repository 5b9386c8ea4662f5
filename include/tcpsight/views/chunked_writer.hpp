#pragma once

#include <cstdio>
#include <string>

namespace tcpsight {

// Text for a stream, written a chunk at a time as it is produced, so a long
// listing never holds more than one chunk in memory. Append to text(), call
// written() after each record; the destructor writes what is left.
class ChunkedWriter {
public:
  explicit ChunkedWriter(std::FILE* stream, std::size_t chunk_bytes = std::size_t{64} << 10);
  ~ChunkedWriter();
  ChunkedWriter(const ChunkedWriter&) = delete;
  ChunkedWriter& operator=(const ChunkedWriter&) = delete;

  std::string& text() { return text_; }
  // Writes the text once a chunk is full.
  void written() {
    if (text_.size() >= chunk_bytes_)
      flush();
  }
  // Writes the text now. Throws tcpsight::Error when the stream fails.
  void flush();

private:
  std::FILE* stream_;
  std::size_t chunk_bytes_;
  std::string text_;
};

} // namespace tcpsight
