#include "tcpsight/kernel/cgroup_directory.hpp"

#include <linux/magic.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <unistd.h>

#include <filesystem>
#include <gtest/gtest.h>

namespace tcpsight {
namespace {

// A directory tree standing in for a cgroup v2 mount: ids are inode numbers.
class CgroupDirectoryTest : public ::testing::Test {
protected:
  void SetUp() override {
    root_ =
        std::filesystem::temp_directory_path() / ("tcpsight-cgroups-" + std::to_string(::getpid()));
    std::filesystem::create_directories(root_ / "system.slice" / "nginx.service");
  }
  void TearDown() override { std::filesystem::remove_all(root_); }

  std::uint64_t inode(const std::filesystem::path& relative) const {
    struct stat file {};
    EXPECT_EQ(stat((root_ / relative).c_str(), &file), 0);
    return file.st_ino;
  }

  std::filesystem::path root_;
  std::chrono::steady_clock::time_point now_{};
};

TEST_F(CgroupDirectoryTest, FindsPathsAndNamesByInode) {
  CgroupDirectory directory(root_.string(), std::chrono::seconds(1), [this] { return now_; });
  const auto* info = directory.find(inode("system.slice/nginx.service"));
  ASSERT_NE(info, nullptr);
  EXPECT_EQ(info->path, "/system.slice/nginx.service");
  EXPECT_EQ(info->name.unit, "nginx.service");
  EXPECT_EQ(directory.id_of("/system.slice/nginx.service"), inode("system.slice/nginx.service"));
  EXPECT_EQ(directory.find(0), nullptr);
}

TEST_F(CgroupDirectoryTest, AnUnknownIdWalksAgainAtMostOncePerInterval) {
  CgroupDirectory directory(root_.string(), std::chrono::seconds(1), [this] { return now_; });
  EXPECT_EQ(directory.find(1), nullptr);
  EXPECT_EQ(directory.walks(), 1u);
  const std::string id(64, 'c');
  std::filesystem::create_directories(root_ / "docker" / id);
  EXPECT_EQ(directory.find(inode("docker/" + id)), nullptr); // too soon to walk again
  EXPECT_EQ(directory.walks(), 1u);
  now_ += std::chrono::seconds(2);
  const auto* info = directory.find(inode("docker/" + id));
  ASSERT_NE(info, nullptr);
  EXPECT_EQ(info->name.container, id);
  EXPECT_EQ(directory.walks(), 2u);
  // Known ids cost no walk.
  now_ += std::chrono::seconds(2);
  EXPECT_NE(directory.find(inode("system.slice/nginx.service")), nullptr);
  EXPECT_EQ(directory.walks(), 2u);
}

TEST_F(CgroupDirectoryTest, NoMountNamesNothing) {
  CgroupDirectory directory("");
  EXPECT_EQ(directory.find(inode("system.slice")), nullptr);
  EXPECT_EQ(directory.id_of("/system.slice"), 0u);
}

TEST(UnescapeMountinfo, UndoesOctalEscapes) {
  EXPECT_EQ(unescape_mountinfo("/sys/fs/cgroup"), "/sys/fs/cgroup");
  EXPECT_EQ(unescape_mountinfo("/mnt/a\\040b\\011c\\134d"), "/mnt/a b\tc\\d");
  EXPECT_EQ(unescape_mountinfo("/mnt/x\\04"), "/mnt/x\\04"); // cut short: as it is
  EXPECT_EQ(unescape_mountinfo("/mnt/x\\9ab"), "/mnt/x\\9ab");
}

// Every machine the tests run on mounts cgroup v2 (alone, or beside v1).
TEST(Cgroup2MountPoint, IsFoundInMountinfo) {
  const auto mount = cgroup2_mount_point();
  ASSERT_FALSE(mount.empty());
  struct statfs fs {};
  ASSERT_EQ(statfs(mount.c_str(), &fs), 0) << mount;
  EXPECT_EQ(fs.f_type, CGROUP2_SUPER_MAGIC) << mount;
}

} // namespace
} // namespace tcpsight
