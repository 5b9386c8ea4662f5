#pragma once

// Runs test code in a child process: another owner for sockets, another
// network namespace or cgroup.

#include <functional>
#include <string>
#include <sys/types.h>

namespace tcpsight::test {

class Forked {
public:
  // Starts body in a child process named comm (at most 15 bytes). The child
  // exits 0 when body returns and 1 when it throws: it never returns into
  // the test framework.
  Forked(const std::string& comm, const std::function<void()>& body);
  ~Forked();
  Forked(const Forked&) = delete;
  Forked& operator=(const Forked&) = delete;

  pid_t pid() const { return pid_; }
  // Waits for the child (at most 20 s, then kills it); true if it exited 0.
  bool succeeded();

private:
  pid_t pid_ = -1;
  bool waited_ = false;
};

// A pipe for one-way messages between a test and its children.
class Pipe {
public:
  Pipe();
  ~Pipe();
  Pipe(const Pipe&) = delete;
  Pipe& operator=(const Pipe&) = delete;

  void send(const void* data, std::size_t size) const;
  // Waits for size bytes, at most 20 s; throws if they do not come.
  void receive(void* data, std::size_t size) const;

  template <typename T> void send(const T& value) const { send(&value, sizeof value); }
  template <typename T> T receive() const {
    T value{};
    receive(&value, sizeof value);
    return value;
  }

private:
  int fds_[2] = {-1, -1};
};

} // namespace tcpsight::test
