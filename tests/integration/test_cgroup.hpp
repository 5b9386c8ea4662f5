#pragma once

// A cgroup v2 directory of the test's own, removed at the end.

#include "tcpsight/kernel/cgroup_directory.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fmt/format.h>
#include <fstream>
#include <stdexcept>
#include <string>

namespace tcpsight::test {

class TestCgroup {
public:
  // relative: the path under the cgroup v2 root, one or two levels deep
  // ("tcpsight-test.slice/docker-<id>.scope", as systemd lays containers out).
  explicit TestCgroup(const std::string& relative = fmt::format("tcpsight-test-{}", getpid())) {
    const auto root = cgroup2_mount_point();
    if (root.empty())
      throw std::runtime_error("no cgroup v2 hierarchy is mounted");
    path_ = std::filesystem::path(root) / relative;
    top_ = std::filesystem::path(root) / *std::filesystem::path(relative).begin();
    std::filesystem::create_directories(path_);
  }
  ~TestCgroup() {
    // Innermost first; a cgroup with processes left in it cannot go.
    for (auto dir = path_; dir != top_.parent_path(); dir = dir.parent_path())
      rmdir(dir.c_str());
  }
  TestCgroup(const TestCgroup&) = delete;
  TestCgroup& operator=(const TestCgroup&) = delete;

  std::uint64_t id() const {
    struct stat status {};
    stat(path_.c_str(), &status);
    return status.st_ino;
  }
  std::string path() const { return path_.string(); }
  // Moves the calling process into the cgroup.
  void enter() const {
    std::ofstream procs(path_ / "cgroup.procs");
    procs << getpid() << std::endl;
    if (!procs)
      throw std::runtime_error("could not move into " + path_.string());
  }

private:
  std::filesystem::path path_;
  std::filesystem::path top_;
};

} // namespace tcpsight::test
