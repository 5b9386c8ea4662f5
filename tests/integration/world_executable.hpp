#pragma once

// A copy of the tcpsight binary any user may run, wherever the build tree
// is: for the tests that run it as another user.

#include <filesystem>
#include <stdlib.h>
#include <string>

namespace tcpsight::test {

class WorldExecutableCopy {
public:
  WorldExecutableCopy() {
    std::string pattern = (std::filesystem::temp_directory_path() / "tcpsight-bin-XXXXXX").string();
    directory_ = mkdtemp(pattern.data());
    path_ = directory_ / "tcpsight";
    std::filesystem::copy_file(TCPSIGHT_BINARY, path_);
    std::filesystem::permissions(directory_, std::filesystem::perms(0755));
    std::filesystem::permissions(path_, std::filesystem::perms(0755));
  }
  ~WorldExecutableCopy() { std::filesystem::remove_all(directory_); }
  WorldExecutableCopy(const WorldExecutableCopy&) = delete;
  WorldExecutableCopy& operator=(const WorldExecutableCopy&) = delete;

  std::string path() const { return path_.string(); }

private:
  std::filesystem::path directory_;
  std::filesystem::path path_;
};

} // namespace tcpsight::test
