#include "thread_privileges.hpp"

#include <filesystem>
#include <fmt/format.h>
#include <fstream>
#include <string>

namespace tcpsight::test {
namespace {

// The value of a "Name:\tvalue" line of a status file.
std::string status_field(const std::filesystem::path& status, const std::string& name) {
  std::ifstream in(status);
  for (std::string line; std::getline(in, line);)
    if (line.rfind(name + ":", 0) == 0)
      return line.substr(line.find_first_not_of(" \t", name.size() + 1));
  return "";
}

} // namespace

std::vector<ThreadPrivileges> threads_of(pid_t pid) {
  std::vector<ThreadPrivileges> threads;
  for (const auto& task : std::filesystem::directory_iterator(fmt::format("/proc/{}/task", pid))) {
    const auto status = task.path() / "status";
    const auto effective = status_field(status, "CapEff");
    const auto permitted = status_field(status, "CapPrm");
    const auto bounding = status_field(status, "CapBnd");
    if (effective.empty() || permitted.empty() || bounding.empty())
      continue;
    threads.push_back({.effective = std::stoull(effective, nullptr, 16),
                       .permitted = std::stoull(permitted, nullptr, 16),
                       .bounding = std::stoull(bounding, nullptr, 16),
                       .no_new_privs = status_field(status, "NoNewPrivs") == "1"});
  }
  return threads;
}

std::uint64_t permitted_here() {
  return std::stoull(status_field("/proc/self/status", "CapPrm"), nullptr, 16);
}

} // namespace tcpsight::test
