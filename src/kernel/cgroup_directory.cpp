#include "tcpsight/kernel/cgroup_directory.hpp"

#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <utility>

namespace tcpsight {
namespace {

// Cgroups come and go; ids of ones long gone are forgotten past this many.
constexpr std::size_t kMaxRemembered = 65536;

std::uint64_t inode_of(const std::filesystem::path& path) {
  struct stat file {};
  if (stat(path.c_str(), &file) != 0)
    return 0;
  return file.st_ino;
}

} // namespace

std::string unescape_mountinfo(const std::string& field) {
  std::string text;
  for (std::size_t i = 0; i < field.size(); ++i) {
    if (field[i] == '\\' && i + 3 < field.size()) {
      const auto octal = field.substr(i + 1, 3);
      if (octal.find_first_not_of("01234567") == std::string::npos) {
        text += static_cast<char>(std::stoi(octal, nullptr, 8));
        i += 3;
        continue;
      }
    }
    text += field[i];
  }
  return text;
}

std::string cgroup2_mount_point() {
  std::ifstream mounts("/proc/self/mountinfo");
  std::string line;
  while (std::getline(mounts, line)) {
    // ID PARENT MAJ:MIN ROOT MOUNT_POINT OPTIONS [OPTIONAL...] - TYPE SOURCE SUPER_OPTIONS
    const auto separator = line.find(" - ");
    if (separator == std::string::npos)
      continue;
    std::istringstream after(line.substr(separator + 3));
    std::string type;
    after >> type;
    if (type != "cgroup2")
      continue;
    std::istringstream before(line.substr(0, separator));
    std::string id, parent, device, root, mount_point;
    before >> id >> parent >> device >> root >> mount_point;
    return unescape_mountinfo(mount_point);
  }
  return {};
}

CgroupDirectory::CgroupDirectory(std::string root, std::chrono::milliseconds rescan_after, Now now)
    : root_(std::move(root)), rescan_after_(rescan_after), now_(std::move(now)) {}

const CgroupInfo* CgroupDirectory::find(std::uint64_t id) {
  if (id == 0 || root_.empty())
    return nullptr;
  if (const auto found = known_.find(id); found != known_.end())
    return &found->second;
  if (walked_ && now_() - last_walk_ < rescan_after_)
    return nullptr;
  walk();
  const auto found = known_.find(id);
  return found == known_.end() ? nullptr : &found->second;
}

std::uint64_t CgroupDirectory::id_of(const std::string& path) const {
  if (root_.empty())
    return 0;
  return inode_of(std::filesystem::path(root_) / std::filesystem::path(path).relative_path());
}

void CgroupDirectory::walk() {
  walked_ = true;
  last_walk_ = now_();
  ++walks_;
  if (known_.size() > kMaxRemembered)
    known_.clear();
  remember(root_, "/");
  walk_below(root_, "");
}

// Every directory under directory, depth first. One that goes away or
// cannot be read meanwhile (cgroups come and go) is skipped, not the rest.
void CgroupDirectory::walk_below(const std::filesystem::path& directory, const std::string& path) {
  std::error_code error;
  for (std::filesystem::directory_iterator entry(directory, error), end; !error && entry != end;
       entry.increment(error)) {
    std::error_code type_error;
    if (!entry->is_directory(type_error) || entry->is_symlink(type_error))
      continue;
    auto below = path + "/" + entry->path().filename().string();
    remember(entry->path(), below);
    walk_below(entry->path(), below);
  }
}

void CgroupDirectory::remember(const std::filesystem::path& directory, const std::string& path) {
  if (const auto id = inode_of(directory); id != 0 && !known_.contains(id))
    known_.emplace(id, CgroupInfo{.path = path, .name = name_cgroup(path)});
}

} // namespace tcpsight
