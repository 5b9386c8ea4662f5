#pragma once

#include "tcpsight/history/history_store.hpp"
#include "tcpsight/model/connection_record.hpp"

#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <utility>
#include <vector>

namespace tcpsight {

// Writes to a HistoryStore on a thread of its own, so that whoever reads the
// kernel's events never waits for the disk: a slow commit or a retention
// pass would otherwise let the ring buffer overflow. Rows are written in
// one transaction per batch; retention runs on the same thread.
class HistoryWriter {
public:
  struct Retention {
    std::optional<std::uint64_t> max_age_ns; // checked every minute
    std::optional<std::uint64_t> max_bytes;  // checked every 5 s
  };

  // Takes the store. The thread starts with start(), or else the first row
  // or flush: `record` starts it once it has given up its capabilities,
  // which a thread started before would keep.
  HistoryWriter(std::unique_ptr<HistoryStore> store, Retention retention,
                std::size_t max_queued_rows = 1'000'000);
  // Writes what is queued, then stops.
  ~HistoryWriter();
  HistoryWriter(const HistoryWriter&) = delete;
  HistoryWriter& operator=(const HistoryWriter&) = delete;

  // Starts writing, and the retention checks; once.
  void start();

  // Beyond max_queued_rows waiting, rows are dropped and counted (the disk
  // cannot keep up), never queued without bound.
  void add_connection(WallConnectionRecord record);
  void add_transition(const Event& event, WallTime time);

  // Writes what is queued and waits for it. Throws tcpsight::Error if a
  // write failed (disk full, say): the first failure stops the writer.
  void flush();
  // Throws that failure, if there was one, without waiting.
  void check() const;

  struct Stats {
    std::uint64_t connections_written = 0;
    std::uint64_t transitions_written = 0;
    std::uint64_t rows_dropped = 0;        // the queue was full
    std::uint64_t connections_deleted = 0; // by retention
  };
  Stats stats() const;

private:
  struct Batch {
    std::vector<WallConnectionRecord> connections;
    std::vector<std::pair<Event, WallTime>> transitions;
    std::size_t size() const { return connections.size() + transitions.size(); }
  };
  void run();
  void write(Batch& batch);
  void apply_retention(bool check_age);

  std::unique_ptr<HistoryStore> store_;
  Retention retention_;
  std::size_t max_queued_rows_;

  mutable std::mutex mutex_;
  std::condition_variable wake_;    // the thread: work or stop
  std::condition_variable written_; // flush(): the queue is empty
  Batch queued_;
  bool writing_ = false;
  bool stopping_ = false;
  std::optional<std::string> failure_;
  Stats stats_;
  void start_writing(); // under mutex_
  std::thread thread_;
  bool started_ = false;
};

} // namespace tcpsight
