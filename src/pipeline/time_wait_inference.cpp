#include "tcpsight/pipeline/time_wait_inference.hpp"

#include <algorithm>
#include <unordered_set>
#include <utility>

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

// When a socket found in TIME_WAIT entered it: its timer was set to
// TIME_WAIT's length then, and had timer_ms left when the kernel answered.
// The timer counts in jiffies and a FIN sent again sets it again, so the
// estimate is kept within the bounds.
std::uint64_t entered_time_wait(const TimeBounds& bounds, std::uint32_t timer_ms) {
  const std::uint64_t left_ns = std::uint64_t{timer_ms} * 1'000'000;
  if (left_ns > kTimeWaitNs)
    return bounds.not_after_ns;
  const std::uint64_t since_ns = kTimeWaitNs - left_ns;
  const auto entered = bounds.not_after_ns > since_ns ? bounds.not_after_ns - since_ns : 0;
  return std::clamp(entered, bounds.not_before_ns, bounds.not_after_ns);
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
      handovers_.insert_or_assign(
          key, Handover{.event = e, .fin_wait2_until_ns = e.ts_ns, .asked_ns = e.ts_ns});
    }
  } else if (e.new_state == TcpState::LastAck) {
    // The hand-over it completes is the same connection, from the other end.
    const auto key = e.id.as_seen_by_peer();
    if (auto handover = handovers_.find(key); handover != handovers_.end()) {
      inferred.push_back(time_wait_of(handover->second.event, e.ts_ns));
      handovers_.erase(handover);
    } else {
      fins_.insert_or_assign(key, e.ts_ns);
    }
  }
}

std::vector<ConnectionId> TimeWaitInference::due_lookups(std::uint64_t now_ns,
                                                         const Wanted& wanted) {
  asked_.clear();
  if (handovers_.empty() || now_ns < round_ns_ + kConfirmEveryNs)
    return {};
  round_ns_ = now_ns;
  std::vector<Handover*> waiting;
  for (auto& [key, handover] : handovers_)
    if (wanted(time_wait_of(handover.event, handover.event.ts_ns)))
      waiting.push_back(&handover);
  if (waiting.size() > kMaxLookupsPerRound) {
    std::nth_element(
        waiting.begin(), waiting.begin() + kMaxLookupsPerRound, waiting.end(),
        [](const Handover* a, const Handover* b) { return a->asked_ns < b->asked_ns; });
    waiting.resize(kMaxLookupsPerRound);
  }
  std::vector<ConnectionId> ids;
  for (auto* handover : waiting) {
    handover->asked_ns = now_ns;
    ids.push_back(handover->event.id);
  }
  asked_ = ids;
  return ids;
}

void TimeWaitInference::answered(const SocketLookupAnswer& answer, std::vector<Event>& inferred) {
  std::unordered_map<std::uint64_t, const SocketRow*> found;
  for (const auto& socket : answer.found)
    found.emplace(socket.id.sock_id, &socket);
  const std::unordered_set<std::uint32_t> not_searched(answer.namespaces_not_searched.begin(),
                                                       answer.namespaces_not_searched.end());
  for (const auto& id : std::exchange(asked_, {})) {
    const auto waiting = handovers_.find(id.without_socket());
    if (waiting == handovers_.end() || waiting->second.event.id.sock_id != id.sock_id)
      continue; // settled meanwhile (a local peer's FIN), or another socket's now
    auto& handover = waiting->second;
    const auto socket = found.find(id.sock_id);
    if (socket == found.end()) {
      if (!not_searched.contains(id.netns))
        handovers_.erase(waiting); // gone from the kernel
      continue;
    }
    if (socket->second->state == TcpState::FinWait2) {
      handover.fin_wait2_until_ns = round_ns_; // so when the kernel was asked, after round_ns_
      continue;
    }
    if (socket->second->state == TcpState::TimeWait)
      confirm(handover, *socket->second, answer.answered_ns, inferred);
    handovers_.erase(waiting);
  }
}

void TimeWaitInference::confirm(const Handover& handover, const SocketRow& socket,
                                std::uint64_t answered_ns, std::vector<Event>& inferred) {
  const TimeBounds bounds{.not_before_ns = handover.fin_wait2_until_ns,
                          .not_after_ns = std::max(answered_ns, handover.fin_wait2_until_ns)};
  auto e = time_wait_of(handover.event, entered_time_wait(bounds, socket.timer_ms));
  e.confirmed = bounds;
  inferred.push_back(std::move(e));
}

void TimeWaitInference::expire(std::uint64_t now_ns) {
  std::erase_if(handovers_, [&](const auto& entry) {
    return entry.second.event.ts_ns + kFinWait2TimeoutNs <= now_ns;
  });
  std::erase_if(fins_,
                [&](const auto& entry) { return entry.second + kFinBeforeHandoverNs <= now_ns; });
}

} // namespace tcpsight
