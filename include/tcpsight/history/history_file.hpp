#pragma once

#include <string>

namespace tcpsight {

// The file a history lives in, as tcpsight finds it before SQLite opens it.
// It holds everyone's connections (pids, commands, addresses), so a writer
// creates it 0600 in directories 0700 whatever the umask, and narrows an
// existing history of its own (and its -wal and -shm files) to its owner,
// once it is known to be one (keep_private). Its -wal and -shm, which
// SQLite opens by name, must be regular files of the database's owner. A
// writer also holds a lock on it for its
// whole life: a second recorder on the same file is refused rather than
// writing every connection twice.
//
// Throws tcpsight::Error: a missing file when reading, one that cannot be
// opened (and why: permission denied, say), one that is not an SQLite
// database (left untouched), one another recorder holds.
class HistoryFile {
public:
  enum class Access { Read, Write };

  HistoryFile(const std::string& path, Access access);
  ~HistoryFile();
  HistoryFile(const HistoryFile&) = delete;
  HistoryFile& operator=(const HistoryFile&) = delete;

  // Empty: just created, or left empty; it needs its schema.
  bool fresh() const { return fresh_; }

  // A writer's: narrows the file and its -wal and -shm to their owner. Call
  // once the file is known to be a tcpsight history.
  void keep_private();

private:
  void open_for_reading();
  void open_for_writing();
  void check_is_sqlite();
  void check_companions() const;

  std::string path_;
  int fd_ = -1;
  bool fresh_ = false;
};

} // namespace tcpsight
