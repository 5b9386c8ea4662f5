#include "tcpsight/kernel/socket_owners.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fmt/format.h>
#include <fstream>

namespace tcpsight {
namespace {

namespace fs = std::filesystem;

// A /proc of one process with two threads, a socket shared by both and
// one that only the second holds (a thread that unshared its files).
class FakeProc : public ::testing::Test {
protected:
  FakeProc() {
    task(40, "server", {{3, "socket:[7001]"}, {4, "pipe:[9]"}});
    task(41, "worker", {{3, "socket:[7001]"}, {5, "socket:[7002]"}});
    fs::create_directories(root_ / "self"); // not a process
  }
  ~FakeProc() override { fs::remove_all(root_); }

  void task(int tid, const std::string& comm, const std::map<int, std::string>& fds) {
    const auto directory = root_ / "40" / "task" / std::to_string(tid);
    fs::create_directories(directory / "fd");
    std::ofstream(directory / "comm") << comm << "\n";
    for (const auto& [fd, target] : fds)
      fs::create_symlink(target, directory / "fd" / std::to_string(fd));
    if (tid == 40) { // the process's own view is its main thread's
      std::ofstream(root_ / "40" / "comm") << comm << "\n";
      fs::create_directories(root_ / "40" / "fd");
      for (const auto& [fd, target] : fds)
        fs::create_symlink(target, root_ / "40" / "fd" / std::to_string(fd));
    }
  }

  std::vector<ProcessRef> holders(const SocketOwners& owners, std::uint64_t inode) {
    std::vector<ProcessRef> list;
    for (const auto& process : owners.holders(inode))
      list.push_back(process);
    return list;
  }

  fs::path root_ = fs::temp_directory_path() / fmt::format("tcpsight-proc-{}", getpid());
};

TEST_F(FakeProc, ProcessesHoldTheirSockets) {
  const auto owners = scan_socket_owners(root_);
  ASSERT_EQ(holders(owners, 7001).size(), 1u);
  EXPECT_EQ(holders(owners, 7001)[0].pid, 40u);
  EXPECT_EQ(holders(owners, 7001)[0].tid, 0u);
  EXPECT_EQ(holders(owners, 7001)[0].comm, "server");
  EXPECT_TRUE(holders(owners, 7002).empty()); // not in the process's own table
}

// As ss -T: every thread holding the socket, by its own name.
TEST_F(FakeProc, ThreadsHoldTheirSockets) {
  const auto owners = scan_socket_threads(root_);
  auto shared = holders(owners, 7001);
  // In the order the directory lists them: /proc's is by tid, a test file system's need not be.
  std::sort(shared.begin(), shared.end(),
            [](const ProcessRef& a, const ProcessRef& b) { return a.tid < b.tid; });
  ASSERT_EQ(shared.size(), 2u);
  EXPECT_EQ(shared[0].pid, 40u);
  EXPECT_EQ(shared[0].tid, 40u);
  EXPECT_EQ(shared[0].comm, "server");
  EXPECT_EQ(shared[1].tid, 41u);
  EXPECT_EQ(shared[1].comm, "worker");
  const auto own = holders(owners, 7002);
  ASSERT_EQ(own.size(), 1u);
  EXPECT_EQ(own[0].tid, 41u);
  EXPECT_EQ(owners.inodes(), (std::vector<std::uint64_t>{7001, 7002}));
}

} // namespace
} // namespace tcpsight
