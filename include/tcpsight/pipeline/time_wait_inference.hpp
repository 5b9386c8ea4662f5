#pragma once

#include "tcpsight/model/event.hpp"

#include <cstdint>
#include <unordered_map>
#include <vector>

namespace tcpsight {

// A closed socket handed over in FIN_WAIT2 (Event::handover) enters TIME_WAIT
// when the peer's FIN reaches its timewait socket, which no tracepoint
// reports. When the peer is a local socket, its move to LAST_ACK is that
// FIN: this then adds the inferred FIN_WAIT2 -> TIME_WAIT of the handed-over
// socket. A remote peer's FIN cannot be seen, and nothing is added.
class TimeWaitInference {
public:
  // Looks at an interpreted event; appends to inferred what it implies.
  void observe(const Event& event, std::vector<Event>& inferred);
  // Forgets hand-overs older than the FIN_WAIT2 timeout and peer FINs older
  // than a second, as of monotonic now_ns.
  void expire(std::uint64_t now_ns);

  std::size_t waiting() const { return handovers_.size(); }

private:
  // Keyed by the connection alone (ConnectionId::without_socket).
  std::unordered_map<ConnectionId, Event> handovers_;
  std::unordered_map<ConnectionId, std::uint64_t> fins_; // the peers' LAST_ACK
};

} // namespace tcpsight
