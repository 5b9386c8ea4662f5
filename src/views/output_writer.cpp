#include "tcpsight/views/output_writer.hpp"

#include "tcpsight/model/error.hpp"
#include "tcpsight/session/stop_signals.hpp"

#include <cerrno>
#include <cstring>
#include <fmt/format.h>
#include <utility>

namespace tcpsight {

OutputWriter::OutputWriter(int fd, std::size_t chunk_bytes) : fd_(fd), chunk_bytes_(chunk_bytes) {
  text_.reserve(chunk_bytes_ + 512);
}

OutputWriter::~OutputWriter() { flush(); }

bool OutputWriter::flush() {
  std::string_view rest = open() ? text_ : std::string_view();
  while (!rest.empty()) {
    const auto written = ::write(fd_, rest.data(), rest.size());
    if (written < 0) {
      error_ = errno;
      break;
    }
    rest.remove_prefix(static_cast<std::size_t>(written));
    // A reader that stopped reading holds the write up until a signal cuts
    // it short: the command is stopping, and what is left goes.
    if (!rest.empty() && stop_requested()) {
      error_ = EINTR;
      break;
    }
  }
  text_.clear();
  (open() ? records_written_ : records_dropped_) += std::exchange(pending_records_, 0);
  return open();
}

void OutputWriter::finish() {
  flush();
  if (error_ == EBADF && fd_ == STDOUT_FILENO)
    throw Error("writing the output failed: standard output is closed");
  if (error_ != 0 && !stopped_quietly())
    throw Error(fmt::format("writing the output failed: {}", std::strerror(error_)));
}

std::string shown_summary(const OutputWriter& out, std::string_view noun) {
  auto text = fmt::format("{} {} shown", out.records_written(), noun);
  if (out.records_dropped() > 0)
    text += fmt::format(", {} not written", out.records_dropped());
  return text;
}

} // namespace tcpsight
