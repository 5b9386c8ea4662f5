#pragma once

// A pipe whose reader has gone, as after `| head`: writes to it fail with
// EPIPE (SIGPIPE is ignored, as the program ignores it).

#include <unistd.h>

#include <csignal>
#include <stdexcept>

namespace tcpsight::test {

class PipeWithoutReader {
public:
  PipeWithoutReader() {
    std::signal(SIGPIPE, SIG_IGN);
    int fds[2];
    if (pipe(fds) != 0)
      throw std::runtime_error("pipe failed");
    close(fds[0]);
    write_end_ = fds[1];
  }
  ~PipeWithoutReader() { close(write_end_); }
  PipeWithoutReader(const PipeWithoutReader&) = delete;
  PipeWithoutReader& operator=(const PipeWithoutReader&) = delete;

  int fd() const { return write_end_; }

private:
  int write_end_ = -1;
};

} // namespace tcpsight::test
