#pragma once

#include "tcpsight/model/connection_record.hpp"
#include "tcpsight/model/socket_row.hpp"
#include "tcpsight/pipeline/event_sink.hpp"
#include "tcpsight/pipeline/socket_filter.hpp"
#include "tcpsight/session/lifecycle_tracker.hpp"
#include "tcpsight/session/snapshot_sync.hpp"

#include <cstdint>
#include <deque>
#include <map>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

namespace tcpsight {

// What a row of `tcpsight top` is showing off, as TCPView colours it.
enum class Highlight : std::uint8_t { None, New, Changed, Closed };

// One TCP socket on the live table.
struct TopRow {
  SocketRow socket; // identity and state, for the columns and the filter
  std::optional<Owner> owner;
  std::uint64_t first_seen_ns = 0; // CLOCK_MONOTONIC; the age column counts from here
  std::uint64_t last_heard_ns = 0; // appeared, or its last event: reconcile spares it a while
  std::optional<std::uint64_t> handshake_ns;
  // Round trip and retransmissions while open, as of the latest snapshot.
  std::optional<SocketRow::TcpInfo> tcp_info;
  std::optional<ConnectionTotals> totals; // once closed
  std::optional<Outcome> outcome;         // once closed
  Highlight highlight = Highlight::None;
  std::uint64_t highlight_until_ns = 0; // then plain; a closed row then goes
};

enum class TopColumn : std::uint8_t {
  Protocol,
  Local,
  Remote,
  State,
  Process,
  Age,
  Handshake,
  RoundTrip,
  Retransmits,
  Bytes,
};
inline constexpr int kTopColumnCount = 10;

// How the table is shown: kept by the screen, applied by the model.
struct TopViewOptions {
  TopColumn sort = TopColumn::Age;
  bool descending = false; // Age ascending: the newest first
  bool listeners = true;
  const SocketFilter* filter = nullptr; // none: every row
};

// The state of `tcpsight top`, without a terminal: seeded from a snapshot,
// kept current by interpreted events, reconciled with later snapshots.
// Rows that appear are New, rows whose state changes are Changed, and rows
// that close are Closed, each for highlight_ns; a closed row then leaves.
// Finished connections also go to a "recently closed" list with their
// outcome, so that one shorter than a screen refresh is still seen.
class TopModel : public EventSink, public SnapshotTarget {
public:
  struct Settings {
    std::uint64_t highlight_ns = 3'000'000'000;
    std::size_t recently_closed = 100;
  };
  explicit TopModel(Settings settings);
  TopModel() : TopModel(Settings{}) {}

  // A socket that existed before tracing (no highlight).
  void seed(const OpenSocket& socket, Role role, std::uint64_t now_ns) override;
  // An interpreted event, after EventPipeline.
  void event(const Event& event) override;
  // Ends highlights that are over and drops closed rows whose time is up.
  void tick(std::uint64_t now_ns);
  void lost_events(std::uint64_t count) { lost_ += count; }

  // With a fresh snapshot of the TCP sockets of one network namespace:
  // open rows take its tcp_info, and rows the events missed appear; rows of
  // that namespace that are gone although no event said so, and have been
  // there for quiet_ns, close (their close was lost), and so do the
  // connections the tracker still waits for.
  void reconcile(const OpenSockets& snapshot, std::uint64_t now_ns,
                 std::uint64_t quiet_ns) override;

  // The rows to show, filtered and sorted; with a limit, only the first
  // that many (a screenful), which is cheaper to sort.
  std::vector<const TopRow*> rows(const TopViewOptions& options, std::size_t limit = 0) const;
  // Open rows per state, as netstat names them.
  std::map<std::string, std::size_t> state_counts() const;
  // Newest first.
  const std::deque<ConnectionRecord>& recently_closed() const { return recently_closed_; }
  // Events per second over the last full second.
  double events_per_second() const { return events_last_second_; }
  std::uint64_t lost_events() const { return lost_; }

private:
  TopRow& add(const SocketRow& socket, std::uint64_t now_ns, Highlight highlight);
  void update_row(const Event& event);
  void mark(TopRow& row, Highlight highlight, std::uint64_t now_ns);
  void close(TopRow& row, std::uint64_t now_ns);
  void finished(const ConnectionRecord& record);
  void count_event(std::uint64_t now_ns);
  void roll_rate_window(std::uint64_t now_ns);

  Settings settings_;
  std::unordered_map<std::uint64_t, TopRow> rows_;
  LifecycleTracker tracker_;
  std::deque<ConnectionRecord> recently_closed_;
  std::uint64_t lost_ = 0;
  std::uint64_t second_start_ns_ = 0;
  std::uint64_t events_this_second_ = 0;
  double events_last_second_ = 0;
};

} // namespace tcpsight
