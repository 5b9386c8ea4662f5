#include "tcpsight/views/chunked_writer.hpp"

#include "tcpsight/model/error.hpp"

#include <cerrno>
#include <cstring>
#include <fmt/format.h>

namespace tcpsight {

ChunkedWriter::ChunkedWriter(std::FILE* stream, std::size_t chunk_bytes)
    : stream_(stream), chunk_bytes_(chunk_bytes) {
  text_.reserve(chunk_bytes_ + 512);
}

ChunkedWriter::~ChunkedWriter() {
  try {
    flush();
  } catch (const Error&) {
    // Unwinding already, or the caller did not flush: nothing more to do.
  }
}

void ChunkedWriter::flush() {
  if (!text_.empty() && std::fwrite(text_.data(), 1, text_.size(), stream_) != text_.size()) {
    text_.clear();
    throw Error(fmt::format("writing the output failed: {}", std::strerror(errno)));
  }
  text_.clear();
  if (std::fflush(stream_) != 0)
    throw Error(fmt::format("writing the output failed: {}", std::strerror(errno)));
}

} // namespace tcpsight
