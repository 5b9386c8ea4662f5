#pragma once

#include "tcpsight/model/event.hpp"
#include "tcpsight/model/socket_lookup.hpp"

#include <cstdint>
#include <unordered_map>
#include <vector>

namespace tcpsight {

// A closed socket handed over in FIN_WAIT2 (Event::handover) enters TIME_WAIT
// when the peer's FIN reaches its timewait socket, which no tracepoint
// reports. When the peer is a local socket, its move to LAST_ACK is that
// FIN: this then adds the inferred FIN_WAIT2 -> TIME_WAIT of the handed-over
// socket. A remote peer's FIN cannot be seen: confirm() asks the kernel
// instead, at a bounded rate, whether the timewait socket has reached
// TIME_WAIT.
class TimeWaitInference {
public:
  // At most one round of questions this often, about at most this many
  // hand-overs, those asked about least recently first.
  static constexpr std::uint64_t kConfirmEveryNs = 1'000'000'000;
  static constexpr std::size_t kMaxLookupsPerRound = 1024;

  // Looks at an interpreted event; appends to inferred what it implies.
  void observe(const Event& event, std::vector<Event>& inferred);
  // When a round is due as of monotonic now_ns, asks lookup about the
  // hand-overs still waiting: a timewait socket found in TIME_WAIT adds its
  // FIN_WAIT2 -> TIME_WAIT, confirmed, to inferred; one the kernel no longer
  // has is forgotten (its FIN_WAIT2 timed out, or a reset ended it).
  void confirm(std::uint64_t now_ns, const SocketLookup& lookup, std::vector<Event>& inferred);
  // Forgets hand-overs older than the FIN_WAIT2 timeout and peer FINs older
  // than a second, as of monotonic now_ns.
  void expire(std::uint64_t now_ns);

  std::size_t waiting() const { return handovers_.size(); }
  std::uint64_t confirmed() const { return confirmed_; }

private:
  struct Handover {
    Event event;
    std::uint64_t fin_wait2_until_ns = 0; // still FIN_WAIT2 when last asked, or handed over
    std::uint64_t asked_ns = 0;           // 0: never
  };
  void confirm_found(Handover& handover, const SocketRow& socket, std::uint64_t answered_ns,
                     std::vector<Event>& inferred);
  std::vector<Handover*> least_recently_asked();

  // Keyed by the connection alone (ConnectionId::without_socket).
  std::unordered_map<ConnectionId, Handover> handovers_;
  std::unordered_map<ConnectionId, std::uint64_t> fins_; // the peers' LAST_ACK
  std::uint64_t last_round_ns_ = 0;
  std::uint64_t confirmed_ = 0;
};

} // namespace tcpsight
