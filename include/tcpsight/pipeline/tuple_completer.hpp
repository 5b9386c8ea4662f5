#pragma once

#include "tcpsight/model/event.hpp"

#include <cstdint>
#include <unordered_map>
#include <vector>

namespace tcpsight {

// The kernel reports CLOSE -> SYN_SENT before connect() picks the local
// port. This holds such an event back until the same socket's next event,
// takes the missing fields from it, and lets everything else pass at once.
// (A passive open's LISTEN -> SYN_RECV, which some kernels also report before
// its fields are set, is held back in the kernel, where the socket is known
// by its address before its cookie is right.)
class TupleCompleter {
public:
  // An event held longer than max_hold_ns goes out as it is. One second
  // covers the first SYN retransmission of a connect() that gets no answer.
  explicit TupleCompleter(std::uint64_t max_hold_ns = 1'500'000'000) : max_hold_ns_(max_hold_ns) {}

  // Appends to ready what can go out now, in order.
  void push(Event event, std::vector<Event>& ready);
  // Appends to ready the events held since before now_ns - max_hold_ns.
  void expire(std::uint64_t now_ns, std::vector<Event>& ready);
  // Appends to ready everything still held.
  void flush(std::vector<Event>& ready);

  std::size_t held() const { return held_.size(); }

private:
  std::uint64_t max_hold_ns_;
  std::unordered_map<std::uint64_t, Event> held_; // by sock_id
};

} // namespace tcpsight
