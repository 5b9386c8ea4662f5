#pragma once

#include "tcpsight/model/connection_record.hpp"
#include "tcpsight/model/event.hpp"
#include "tcpsight/model/socket_row.hpp"
#include "tcpsight/pipeline/event_sink.hpp"

#include <array>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <unordered_map>
#include <vector>

namespace tcpsight {

// Folds interpreted events (after EventPipeline) into one record per
// connection and hands each finished one to on_finished. Pure: no kernel, no
// clock but the events' own. Listeners are not connections and get no record.
//
// Memory: an open connection costs one fixed-size entry (under 256 bytes
// with the hash table's share, see state_bytes()). Connections whose close
// was lost are dropped by expire_missing() and counted, never kept forever;
// beyond max_open, new connections are counted and not tracked.
class LifecycleTracker : public EventSink {
public:
  using RecordSink = std::function<void(const ConnectionRecord&)>;

  explicit LifecycleTracker(RecordSink on_finished, std::size_t max_open = 1'000'000);

  // Starts tracking a connection that was open before tracing (seeded),
  // as a snapshot lists it (row.id.sock_id the socket cookie). Listeners and
  // sockets already in TIME_WAIT or CLOSE are ignored.
  void seed(const SocketRow& row, std::optional<Owner> owner, Role role, std::uint64_t now_ns);

  void observe(const Event& event);
  void event(const Event& event) override { observe(event); }

  // Drops open connections that have been quiet for grace_ns and that
  // is_live says no longer exist: their close was lost. is_live learns each
  // connection's network namespace too, so that a caller that looked at one
  // namespace only can say yes to the others. Returns how many went.
  std::size_t
  expire_missing(const std::function<bool(std::uint64_t sock_id, std::uint32_t netns)>& is_live,
                 std::uint64_t now_ns, std::uint64_t grace_ns);

  // The connections still open, as records with outcome StillOpen, in no order.
  std::vector<ConnectionRecord> open_records() const;

  // Whether the connection of this socket is open and followed.
  bool tracks(std::uint64_t sock_id) const { return open_.contains(sock_id); }

  // How many open connections are in each state, indexed by TcpState.
  using StateCounts =
      std::array<std::size_t, static_cast<std::size_t>(TcpState::BoundInactive) + 1>;
  StateCounts count_by_state() const;

  struct Stats {
    std::size_t open = 0;
    std::uint64_t finished = 0;
    std::uint64_t expired = 0;   // close lost (expire_missing)
    std::uint64_t untracked = 0; // over max_open
  };
  Stats stats() const;

  // Bytes the open connections take: entries and hash buckets.
  std::size_t state_bytes() const;

  // The most states a path keeps; longer paths keep the first ones and the last.
  static constexpr std::size_t kMaxPath = 8;

private:
  // Everything about one open connection, in fixed size.
  struct Open {
    std::uint64_t start_ns = 0;
    std::uint64_t last_ns = 0;        // the last event
    std::uint64_t state_since_ns = 0; // when it entered its current state
    std::uint64_t handshake_ns = 0;
    std::uint64_t cgroup_id = 0;
    ConnectionId id;
    std::uint32_t pid = 0;
    std::uint32_t uid = 0;
    std::uint16_t syn_retransmits = 0;
    std::array<char, 16> comm{};
    Role role = Role::Unknown;
    std::uint8_t flags = 0; // kOwnerKnown, kHandshakeKnown, kSeeded
    std::uint8_t path_length = 0;
    std::array<TcpState, kMaxPath> states{};
    std::array<std::uint64_t, kMaxPath> state_ns{}; // time in each state but the current one
  };
  static constexpr std::uint8_t kOwnerKnown = 1 << 0;
  static constexpr std::uint8_t kHandshakeKnown = 1 << 1;
  static constexpr std::uint8_t kSeeded = 1 << 2;

  // How a connection comes to be tracked.
  enum class Start { Opened, Seeded, MidLife };
  Open* start(const ConnectionId& id, TcpState state, std::uint64_t ts_ns, Role role, Start how);
  void enter(Open& open, TcpState state, std::uint64_t ts_ns);
  void take_details(Open& open, const Event& event);
  static void take_owner(Open& open, const Owner& owner);
  void finish(Open& open, const Event& end);
  ConnectionRecord record_of(const Open& open) const;

  RecordSink on_finished_;
  std::size_t max_open_;
  std::unordered_map<std::uint64_t, Open> open_;
  Stats totals_;
};

} // namespace tcpsight
