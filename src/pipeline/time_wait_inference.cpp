#include "tcpsight/pipeline/time_wait_inference.hpp"

#include <algorithm>

namespace tcpsight {
namespace {

// How long a timewait socket waits in FIN_WAIT2 (tcp_fin_timeout's default).
constexpr std::uint64_t kFinWait2TimeoutNs = 60'000'000'000;
// How long a local peer's FIN may precede the hand-over it completes.
constexpr std::uint64_t kFinBeforeHandoverNs = 1'000'000'000;

Event time_wait_of(const Event& handover, std::uint64_t fin_ts_ns) {
  Event e = handover;
  const std::uint64_t ts = std::max(fin_ts_ns, handover.ts_ns);
  e.ts_ns = ts;
  e.old_state = TcpState::FinWait2;
  e.new_state = TcpState::TimeWait;
  e.inferred = true;
  e.handover = false;
  e.closes_socket = false; // the full socket closed at the hand-over
  if (handover.ns_in_old)
    e.ns_in_old = *handover.ns_in_old + (ts - handover.ts_ns);
  return e;
}

} // namespace

void TimeWaitInference::observe(const Event& e, std::vector<Event>& inferred) {
  if (e.type != EventType::Transition)
    return;
  if (e.handover) {
    // Met by the peer's LAST_ACK, whose socket has an id of its own.
    const auto key = e.id.without_socket();
    if (auto fin = fins_.find(key); fin != fins_.end()) {
      inferred.push_back(time_wait_of(e, fin->second));
      fins_.erase(fin);
    } else {
      handovers_.insert_or_assign(key, e);
    }
  } else if (e.new_state == TcpState::LastAck) {
    // The hand-over it completes is the same connection, from the other end.
    const auto key = e.id.as_seen_by_peer();
    if (auto handover = handovers_.find(key); handover != handovers_.end()) {
      inferred.push_back(time_wait_of(handover->second, e.ts_ns));
      handovers_.erase(handover);
    } else {
      fins_.insert_or_assign(key, e.ts_ns);
    }
  }
}

void TimeWaitInference::expire(std::uint64_t now_ns) {
  std::erase_if(handovers_, [&](const auto& entry) {
    return entry.second.ts_ns + kFinWait2TimeoutNs <= now_ns;
  });
  std::erase_if(fins_,
                [&](const auto& entry) { return entry.second + kFinBeforeHandoverNs <= now_ns; });
}

} // namespace tcpsight
