#pragma once

#include "tcpsight/history/history_file.hpp"
#include "tcpsight/model/connection_record.hpp"
#include "tcpsight/pipeline/record_filter.hpp"

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

struct sqlite3;

namespace tcpsight {

// The connection history: an SQLite database of finished connections (and,
// when asked, every transition). WAL mode, so a reader never blocks the
// recorder and a killed recorder loses only its open transaction. Times are
// wall-clock nanoseconds since the Unix epoch.
//
// A file that is not a tcpsight history (another program's SQLite database,
// anything else, a corrupt one) is refused with a clear error and never
// written to.
class HistoryStore {
public:
  enum class Mode { ReadOnly, ReadWrite };

  // Creates the file (and its directory) in ReadWrite mode when it does not
  // exist, private to its owner, and locks it for this writer (HistoryFile).
  // Throws tcpsight::Error.
  HistoryStore(const std::string& path, Mode mode);
  ~HistoryStore();
  HistoryStore(const HistoryStore&) = delete;
  HistoryStore& operator=(const HistoryStore&) = delete;

  // Writing, in transactions: begin(), add...(), commit().
  void begin();
  void add_connection(const WallConnectionRecord& record);
  void add_transition(const Event& event, WallTime time);
  void commit();

  // Deletes connections and transitions that ended before cutoff, then,
  // while the file is larger than max_bytes, the oldest tenth. Returns the
  // number of connections deleted.
  std::uint64_t apply_retention(std::optional<WallTime> cutoff,
                                std::optional<std::uint64_t> max_bytes);

  // Bytes the database takes (pages in use and free, without the WAL).
  std::uint64_t size_bytes();

  struct Query {
    std::optional<WallTime> since, until; // by end time
    std::optional<std::string> address;   // local or remote; a network too (history_address)
    RecordFilter records;                 // ports, pids, comm, outcome, duration
    std::size_t limit = 0;                // 0: all
  };
  // Matching connections, oldest end first.
  void connections(const Query& query,
                   const std::function<void(const WallConnectionRecord&)>& visit);
  std::uint64_t transition_count();

  struct Count {
    std::string key;                   // an outcome, or a remote address
    std::optional<std::uint16_t> port; // the remote port; none for the clients of a listener
    std::uint64_t connections = 0;
    std::uint64_t failed = 0; // refused, timed out, reset or failed
  };
  // Matching connections counted per outcome, and per remote endpoint (most
  // first): address and port for connections made here, address alone for
  // the clients of local listeners.
  std::vector<Count> count_by_outcome(const Query& query);
  std::vector<Count> count_by_remote(const Query& query, std::size_t limit);

private:
  struct Statements;
  void check_identity(bool fresh);
  void create_schema();
  void upgrade_schema();
  void exec(const char* sql);

  std::string path_;
  HistoryFile file_; // outlives db_: it holds the writer's lock
  sqlite3* db_ = nullptr;
  std::unique_ptr<Statements> statements_;
  int schema_version_ = 0; // of the file as opened, or as created or upgraded
};

// The path used without --db: /var/lib/tcpsight/history.db for root, else
// $XDG_STATE_HOME/tcpsight/history.db (~/.local/state/tcpsight/history.db).
std::string default_history_path();

// An address as the history keeps it (10.0.0.7, ::1), from one as a user
// typed it (::0001, say), or a network (10.0.0.0/8), which Query::address
// also takes. Throws tcpsight::Error for anything else.
std::string history_address(std::string_view text);

} // namespace tcpsight
