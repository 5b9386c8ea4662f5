#pragma once

// A history database file of this test process, removed with its WAL files.

#include <unistd.h>

#include <filesystem>
#include <string>

namespace tcpsight::test {

class TemporaryDatabase {
public:
  explicit TemporaryDatabase(const std::string& name)
      : path_((std::filesystem::temp_directory_path() /
               ("tcpsight-" + name + "-" + std::to_string(getpid()) + ".db"))
                  .string()) {}
  ~TemporaryDatabase() {
    for (const char* suffix : {"", "-wal", "-shm"})
      std::filesystem::remove(path_ + suffix);
  }
  TemporaryDatabase(const TemporaryDatabase&) = delete;
  TemporaryDatabase& operator=(const TemporaryDatabase&) = delete;

  const std::string& path() const { return path_; }

private:
  std::string path_;
};

} // namespace tcpsight::test
