#pragma once

// Runs another program with its stdout and stderr captured in files, so a
// long-running child never blocks on a full pipe.

#include <chrono>
#include <filesystem>
#include <functional>
#include <string>
#include <sys/types.h>
#include <vector>

namespace tcpsight::test {

class ChildProcess {
public:
  // before_exec runs in the child after fork (drop privileges, say).
  explicit ChildProcess(const std::vector<std::string>& argv,
                        const std::function<void()>& before_exec = {});
  ~ChildProcess();
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;

  std::string stdout_text() const;
  std::string stderr_text() const;

  // Waits until stderr holds text, the child exits, or timeout passes.
  bool wait_for_stderr(const std::string& text, std::chrono::milliseconds timeout) const;
  // Waits until the condition on stdout holds or timeout passes.
  bool wait_for_stdout(const std::function<bool(const std::string&)>& condition,
                       std::chrono::milliseconds timeout) const;

  void send_signal(int signal) const;
  pid_t pid() const { return pid_; }
  // Waits for the child and returns its exit status, or 128 + signal.
  int wait();

private:
  bool exited() const;

  std::filesystem::path directory_;
  pid_t pid_ = -1;
  bool waited_ = false;
};

} // namespace tcpsight::test
