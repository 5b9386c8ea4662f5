#include "tcpsight/views/output_writer.hpp"

#include "tcpsight/model/error.hpp"

#include <cerrno>
#include <cstring>
#include <fmt/format.h>

namespace tcpsight {

OutputWriter::OutputWriter(int fd, std::size_t chunk_bytes) : fd_(fd), chunk_bytes_(chunk_bytes) {
  text_.reserve(chunk_bytes_ + 512);
}

OutputWriter::~OutputWriter() { flush(); }

bool OutputWriter::flush() {
  std::string_view rest = open() ? text_ : std::string_view();
  while (!rest.empty()) {
    const auto written = ::write(fd_, rest.data(), rest.size());
    if (written < 0 && errno == EINTR) // a signal that stops the command: write what is formatted
      continue;
    if (written < 0) {
      error_ = errno;
      break;
    }
    rest.remove_prefix(static_cast<std::size_t>(written));
  }
  text_.clear();
  return open();
}

void OutputWriter::finish() {
  flush();
  if (error_ != 0 && error_ != EPIPE)
    throw Error(fmt::format("writing the output failed: {}", std::strerror(error_)));
}

} // namespace tcpsight
