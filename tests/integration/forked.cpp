#include "forked.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <stdexcept>
#include <system_error>
#include <thread>

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
  // A child stuck on a message that never comes must fail the test, not hang it.
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  int status = 0;
  while (waitpid(pid_, &status, WNOHANG) == 0) {
    if (std::chrono::steady_clock::now() > deadline) {
      kill(pid_, SIGKILL);
      waitpid(pid_, &status, 0);
      waited_ = true;
      return false;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
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
    // Both ends stay open in every process, so a writer that died is a
    // silence, not an EOF: wait a bounded time.
    pollfd readable{.fd = fds_[0], .events = POLLIN};
    if (poll(&readable, 1, 20'000) != 1)
      throw std::runtime_error("no message on the pipe within 20 s");
    const auto got = read(fds_[0], bytes, size);
    if (got <= 0)
      throw std::runtime_error("pipe closed before the message came");
    bytes += got;
    size -= static_cast<std::size_t>(got);
  }
}

} // namespace tcpsight::test
