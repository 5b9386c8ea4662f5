#include "forked.hpp"

#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <stdexcept>
#include <system_error>

namespace tcpsight::test {

Forked::Forked(const std::string& comm, const std::function<void()>& body) {
  pid_ = fork();
  if (pid_ < 0)
    throw std::system_error(errno, std::generic_category(), "fork");
  if (pid_ == 0) {
    prctl(PR_SET_NAME, comm.c_str());
    try {
      body();
    } catch (...) {
      _exit(1);
    }
    _exit(0);
  }
}

Forked::~Forked() {
  if (!waited_) {
    kill(pid_, SIGKILL);
    succeeded();
  }
}

bool Forked::succeeded() {
  int status = 0;
  while (waitpid(pid_, &status, 0) < 0 && errno == EINTR) {
  }
  waited_ = true;
  return WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

Pipe::Pipe() {
  if (pipe2(fds_, O_CLOEXEC) != 0)
    throw std::system_error(errno, std::generic_category(), "pipe2");
}

Pipe::~Pipe() {
  close(fds_[0]);
  close(fds_[1]);
}

void Pipe::send(const void* data, std::size_t size) const {
  if (write(fds_[1], data, size) != static_cast<ssize_t>(size))
    throw std::system_error(errno, std::generic_category(), "pipe write");
}

void Pipe::receive(void* data, std::size_t size) const {
  auto* bytes = static_cast<char*>(data);
  while (size > 0) {
    const auto got = read(fds_[0], bytes, size);
    if (got <= 0)
      throw std::runtime_error("pipe closed before the message came");
    bytes += got;
    size -= static_cast<std::size_t>(got);
  }
}

} // namespace tcpsight::test
