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
// exist, or that another process creates meanwhile, are left as they are:
// they may be shared (/var/lib, a home).
void create_private_directories(const std::filesystem::path& directory) {
  std::error_code error;
  if (directory.empty() || std::filesystem::exists(directory, error) || error)
    return; // a directory that cannot be looked at: open() says why
  create_private_directories(directory.parent_path());
  if (mkdir(directory.c_str(), kPrivateDirectory) == 0)
    chmod(directory.c_str(), kPrivateDirectory); // whatever the umask took away
  else if (errno != EEXIST)
    throw Error(fmt::format("cannot create {}: {}", directory.string(), error_text(errno)));
}

// A regular file, not a FIFO, a device or a directory.
bool is_regular(int fd) {
  struct stat status {};
  return fstat(fd, &status) == 0 && S_ISREG(status.st_mode);
}

// Narrows an open file this user owns to its owner, if it is wider.
void narrow(int fd) {
  struct stat status {};
  if (fstat(fd, &status) == 0 && S_ISREG(status.st_mode) && status.st_uid == geteuid() &&
      (status.st_mode & 077) != 0)
    fchmod(fd, status.st_mode & 0700);
}

// The same for SQLite's -wal or -shm file beside the database, if there is
// one: opened without following a link, which someone who may write in the
// directory could plant to have another file's permissions changed.
void narrow_companion(const std::string& path) {
  const int fd = open(path.c_str(), O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
  if (fd < 0)
    return;
  narrow(fd);
  close(fd);
}

constexpr const char* kCompanions[] = {"-wal", "-shm"};

} // namespace

HistoryFile::HistoryFile(const std::string& path, Access access) : path_(path) {
  if (access == Access::Read)
    open_for_reading();
  else
    open_for_writing();
  try {
    check_is_sqlite();
    check_companions();
  } catch (...) {
    close(fd_);
    throw;
  }
  if (access == Access::Read) {
    // A reader has no lock to hold; closing this descriptor later, while
    // SQLite has the file open, would drop SQLite's own locks on it.
    close(fd_);
    fd_ = -1;
  }
}

void HistoryFile::keep_private() {
  if (fd_ < 0)
    return;
  narrow(fd_);
  for (const char* suffix : kCompanions)
    narrow_companion(path_ + suffix);
}

// SQLite opens its -wal and -shm files by name, following links: one that
// is a link, a FIFO or another user's would take a writer's pages
// elsewhere, or block a reader for ever. Refused before SQLite opens them.
void HistoryFile::check_companions() const {
  struct stat database {};
  fstat(fd_, &database);
  for (const char* suffix : kCompanions) {
    const auto companion = path_ + suffix;
    struct stat status {};
    if (lstat(companion.c_str(), &status) != 0)
      continue; // none yet: SQLite creates it
    if (!S_ISREG(status.st_mode) || status.st_uid != database.st_uid)
      throw Error(fmt::format("{} is not SQLite's own file (a link, a special file or another "
                              "user's); it is left untouched: remove it, or give another --db",
                              companion));
  }
}

HistoryFile::~HistoryFile() {
  if (fd_ >= 0)
    close(fd_);
}

void HistoryFile::open_for_reading() {
  // Without blocking on a FIFO: it is refused below like anything else.
  fd_ = open(path_.c_str(), O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
  if (fd_ < 0 && errno == ENOENT)
    throw Error(fmt::format("no history at {}: `tcpsight record` writes it", path_));
  if (fd_ < 0)
    throw Error(fmt::format("cannot open {}: {}", path_, error_text(errno)));
}

void HistoryFile::open_for_writing() {
  create_private_directories(std::filesystem::path(path_).parent_path());
  fd_ = open(path_.c_str(), O_RDWR | O_CREAT | O_EXCL | O_NOCTTY | O_CLOEXEC, kPrivateFile);
  if (fd_ >= 0)
    fchmod(fd_, kPrivateFile); // whatever the umask took away
  else if (errno == EEXIST)
    fd_ = open(path_.c_str(), O_RDWR | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
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
}

// Before SQLite touches it, and before its permissions are: anything else
// is left alone.
void HistoryFile::check_is_sqlite() {
  if (!is_regular(fd_))
    throw Error(fmt::format("{} is not a tcpsight history (not a regular file); it is left "
                            "untouched: give another --db",
                            path_));
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
