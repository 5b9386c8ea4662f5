#pragma once

#include "tcpsight/model/event.hpp"
#include "tcpsight/model/socket_lookup_answer.hpp"

#include <cstdint>
#include <functional>
#include <unordered_map>
#include <vector>

namespace tcpsight {

// A closed socket handed over in FIN_WAIT2 (Event::handover) enters TIME_WAIT
// when the peer's FIN reaches its timewait socket, which no tracepoint
// reports. When the peer is a local socket, its move to LAST_ACK is that
// FIN: this then adds the inferred FIN_WAIT2 -> TIME_WAIT of the handed-over
// socket. A remote peer's FIN cannot be seen: the kernel can be asked
// instead, at a bounded rate, whether the timewait socket has reached
// TIME_WAIT (due_lookups, then answered).
class TimeWaitInference {
public:
  // At most one round of questions this often, about at most this many
  // hand-overs, those asked about (or handed over) longest ago first.
  static constexpr std::uint64_t kConfirmEveryNs = 1'000'000'000;
  static constexpr std::size_t kMaxLookupsPerRound = 1024;

  // Looks at an interpreted event; appends to inferred what it implies.
  void observe(const Event& event, std::vector<Event>& inferred);
  // The handed-over sockets to ask the kernel about, if a round is due as of
  // monotonic now_ns (taken before asking); none otherwise. Only those whose
  // TIME_WAIT would be shown: wanted says of each such event.
  using Wanted = std::function<bool(const Event& time_wait)>;
  std::vector<ConnectionId> due_lookups(std::uint64_t now_ns, const Wanted& wanted);
  // What the kernel answered about the last due_lookups: a timewait socket
  // found in TIME_WAIT adds its FIN_WAIT2 -> TIME_WAIT, confirmed, to
  // inferred; one the kernel no longer has is forgotten (its FIN_WAIT2 timed
  // out, or a reset ended it).
  void answered(const SocketLookupAnswer& answer, std::vector<Event>& inferred);
  // Forgets hand-overs older than the FIN_WAIT2 timeout and peer FINs older
  // than a second, as of monotonic now_ns.
  void expire(std::uint64_t now_ns);

  std::size_t waiting() const { return handovers_.size(); }

private:
  struct Handover {
    Event event;
    std::uint64_t fin_wait2_until_ns = 0; // still FIN_WAIT2 when last asked, or handed over
    std::uint64_t asked_ns = 0;           // when last asked, or handed over
  };
  void confirm(const Handover& handover, const SocketRow& socket, std::uint64_t answered_ns,
               std::vector<Event>& inferred);

  // Keyed by the connection alone (ConnectionId::without_socket).
  std::unordered_map<ConnectionId, Handover> handovers_;
  std::unordered_map<ConnectionId, std::uint64_t> fins_; // the peers' LAST_ACK
  std::uint64_t round_ns_ = 0;                           // when the last round was due
  std::vector<ConnectionId> asked_;                      // in the last round
};

} // namespace tcpsight
