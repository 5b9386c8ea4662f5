#include "tcpsight/history/history_file.hpp"

#include "tcpsight/model/error.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fmt/format.h>

namespace tcpsight {
namespace {

constexpr mode_t kPrivateFile = 0600;
constexpr mode_t kPrivateDirectory = 0700;

std::string error_text(int error) { return std::strerror(error); }

// Creates the missing directories above path, each private. Those that
// exist are left as they are: they may be shared (/var/lib, a home).
void create_private_directories(const std::filesystem::path& directory) {
  if (directory.empty() || std::filesystem::exists(directory))
    return;
  create_private_directories(directory.parent_path());
  if (mkdir(directory.c_str(), kPrivateDirectory) != 0 && errno != EEXIST)
    throw Error(fmt::format("cannot create {}: {}", directory.string(), error_text(errno)));
  chmod(directory.c_str(), kPrivateDirectory); // whatever the umask took away
}

// Narrows the file at path to its owner, if it exists and is wider.
void keep_private(const std::string& path) {
  struct stat status {};
  if (stat(path.c_str(), &status) == 0 && (status.st_mode & 077) != 0)
    chmod(path.c_str(), status.st_mode & 0700);
}

} // namespace

HistoryFile::HistoryFile(const std::string& path, Access access) : path_(path) {
  if (access == Access::Read)
    open_for_reading();
  else
    open_for_writing();
  try {
    check_is_sqlite();
  } catch (...) {
    close(fd_);
    throw;
  }
}

HistoryFile::~HistoryFile() { close(fd_); }

void HistoryFile::open_for_reading() {
  fd_ = open(path_.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd_ < 0 && errno == ENOENT)
    throw Error(fmt::format("no history at {}: `tcpsight record` writes it", path_));
  if (fd_ < 0)
    throw Error(fmt::format("cannot open {}: {}", path_, error_text(errno)));
}

void HistoryFile::open_for_writing() {
  create_private_directories(std::filesystem::path(path_).parent_path());
  fd_ = open(path_.c_str(), O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, kPrivateFile);
  if (fd_ >= 0)
    fchmod(fd_, kPrivateFile); // whatever the umask took away
  else if (errno == EEXIST)
    fd_ = open(path_.c_str(), O_RDWR | O_CLOEXEC);
  if (fd_ < 0)
    throw Error(fmt::format("cannot open {}: {}", path_, error_text(errno)));
  // The lock goes with the descriptor, which stays open until the store is
  // closed (closing it earlier would drop SQLite's own locks on the file).
  if (flock(fd_, LOCK_EX | LOCK_NB) != 0) {
    const int error = errno;
    close(fd_);
    if (error == EWOULDBLOCK)
      throw Error(fmt::format("another `tcpsight record` is writing to {}: one recorder per "
                              "history (stop it, or give another --db)",
                              path_));
    throw Error(fmt::format("cannot lock {}: {}", path_, error_text(error)));
  }
  for (const char* suffix : {"", "-wal", "-shm"})
    keep_private(path_ + suffix);
}

// Before SQLite touches it: anything else is left alone.
void HistoryFile::check_is_sqlite() {
  std::array<char, 16> header{};
  const auto size = pread(fd_, header.data(), header.size(), 0);
  if (size < 0)
    throw Error(fmt::format("cannot read {}: {}", path_, error_text(errno)));
  fresh_ = size == 0;
  if (!fresh_ && (static_cast<std::size_t>(size) < header.size() ||
                  std::memcmp(header.data(), "SQLite format 3", header.size()) != 0))
    throw Error(fmt::format("{} is not a tcpsight history (not an SQLite database); it is left "
                            "untouched: give another --db",
                            path_));
}

} // namespace tcpsight
