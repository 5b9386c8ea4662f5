#include "child_process.hpp"

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fstream>
#include <sstream>
#include <stdexcept>
#include <thread>

namespace tcpsight::test {
namespace {

std::string read_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

template <typename Condition>
bool wait_until(Condition condition, std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!condition()) {
    if (std::chrono::steady_clock::now() >= deadline)
      return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return true;
}

std::filesystem::path make_temp_directory() {
  std::string pattern = (std::filesystem::temp_directory_path() / "tcpsight-test-XXXXXX").string();
  if (mkdtemp(pattern.data()) == nullptr)
    throw std::runtime_error("mkdtemp failed");
  return pattern;
}

} // namespace

ChildProcess::ChildProcess(const std::vector<std::string>& argv,
                           const std::function<void()>& before_exec)
    : directory_(make_temp_directory()) {
  const auto out_path = (directory_ / "stdout").string();
  const auto err_path = (directory_ / "stderr").string();
  pid_ = fork();
  if (pid_ < 0)
    throw std::runtime_error("fork failed");
  if (pid_ == 0) {
    const int out = open(out_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    const int err = open(err_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (out < 0 || err < 0 || dup2(out, STDOUT_FILENO) < 0 || dup2(err, STDERR_FILENO) < 0)
      _exit(126);
    if (before_exec)
      before_exec();
    std::vector<char*> args;
    for (const auto& arg : argv)
      args.push_back(const_cast<char*>(arg.c_str()));
    args.push_back(nullptr);
    execvp(args[0], args.data()); // a bare name is looked up in PATH
    _exit(127);
  }
}

ChildProcess::~ChildProcess() {
  if (!waited_) {
    kill(pid_, SIGKILL);
    wait();
  }
  std::error_code ignored;
  std::filesystem::remove_all(directory_, ignored);
}

std::string ChildProcess::stdout_text() const { return read_file(directory_ / "stdout"); }
std::string ChildProcess::stderr_text() const { return read_file(directory_ / "stderr"); }

bool ChildProcess::exited() const {
  if (waited_)
    return true;
  siginfo_t info{};
  // WNOWAIT leaves the child to be reaped by wait().
  return waitid(P_PID, static_cast<id_t>(pid_), &info, WEXITED | WNOHANG | WNOWAIT) == 0 &&
         info.si_pid == pid_;
}

bool ChildProcess::wait_for_stderr(const std::string& text,
                                   std::chrono::milliseconds timeout) const {
  return wait_until([&] { return stderr_text().find(text) != std::string::npos || exited(); },
                    timeout) &&
         stderr_text().find(text) != std::string::npos;
}

bool ChildProcess::wait_for_stdout(const std::function<bool(const std::string&)>& condition,
                                   std::chrono::milliseconds timeout) const {
  return wait_until([&] { return condition(stdout_text()); }, timeout);
}

void ChildProcess::send_signal(int signal) const { kill(pid_, signal); }

int ChildProcess::wait() {
  int status = 0;
  while (waitpid(pid_, &status, 0) < 0 && errno == EINTR) {
  }
  waited_ = true;
  if (WIFEXITED(status))
    return WEXITSTATUS(status);
  return 128 + WTERMSIG(status);
}

} // namespace tcpsight::test
