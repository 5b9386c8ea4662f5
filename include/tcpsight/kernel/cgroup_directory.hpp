#pragma once

#include "tcpsight/model/cgroup_name.hpp"

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <string>
#include <unordered_map>

namespace tcpsight {

// A field of /proc/self/mountinfo with its \ooo escapes (space, tab,
// newline, backslash) undone.
std::string unescape_mountinfo(const std::string& field);

// Where cgroup v2 is mounted, from /proc/self/mountinfo: /sys/fs/cgroup, or
// /sys/fs/cgroup/unified on hybrid systems. Empty if it is not mounted.
std::string cgroup2_mount_point();

// Turns the cgroup ids that events carry into paths and names. A cgroup's id
// is its directory's inode number, so the directory tree is walked and
// remembered; an unknown id walks it again, at most once per rescan_after,
// so that a stream of ids of cgroups already gone costs one walk a second.
class CgroupDirectory {
public:
  using Now = std::function<std::chrono::steady_clock::time_point()>;

  // root: the cgroup v2 mount point; empty finds it (and finds nothing where
  // cgroup v2 is not mounted).
  explicit CgroupDirectory(std::string root = cgroup2_mount_point(),
                           std::chrono::milliseconds rescan_after = std::chrono::seconds(1),
                           Now now = std::chrono::steady_clock::now);

  // Null for 0 and for an id no walk found. Valid until the next find().
  const CgroupInfo* find(std::uint64_t id);
  // The id of a path under the root ("/system.slice/x.service"); 0 if none.
  std::uint64_t id_of(const std::string& path) const;

  std::size_t walks() const { return walks_; }

private:
  void walk();
  void walk_below(const std::filesystem::path& directory, const std::string& path);
  void remember(const std::filesystem::path& directory, const std::string& path);

  std::string root_;
  std::chrono::milliseconds rescan_after_;
  Now now_;
  std::unordered_map<std::uint64_t, CgroupInfo> known_;
  std::chrono::steady_clock::time_point last_walk_{};
  bool walked_ = false;
  std::size_t walks_ = 0;
};

} // namespace tcpsight
