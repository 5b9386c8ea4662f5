#include "tcpsight/pipeline/drop_ledger.hpp"

#include <algorithm>
#include <tuple>

namespace tcpsight {
namespace {

// The two ends in one order, whichever socket named them, IPv4-mapped
// addresses as IPv4: the key of a connection's drops.
ConnectionId ends_of(const ConnectionId& id) {
  ConnectionId ends;
  ends.local = unmapped(id.local);
  ends.local_port = id.local_port;
  ends.remote = unmapped(id.remote);
  ends.remote_port = id.remote_port;
  const auto first = std::tie(ends.local.bytes, ends.local_port);
  const auto second = std::tie(ends.remote.bytes, ends.remote_port);
  if (second < first) {
    std::swap(ends.local, ends.remote);
    std::swap(ends.local_port, ends.remote_port);
  }
  return ends;
}

} // namespace

void DropLedger::add(const Event& drop) {
  if (capacity_ == 0)
    return;
  const auto ends = ends_of(drop.id);
  by_ends_[ends].push_back({drop.ts_ns, drop.id.sock_id, drop.drop_reason});
  arrival_.push_back(ends);
  ++size_;
  while (size_ > capacity_)
    evict_oldest();
  // Forgotten drops leave their ends behind in arrival_: keep it bounded.
  if (arrival_.size() > 2 * capacity_) {
    std::erase_if(arrival_, [&](const ConnectionId& ends) { return !by_ends_.contains(ends); });
  }
}

ConnectionDrops DropLedger::find(const ConnectionId& id, std::uint64_t start_ns,
                                 std::uint64_t end_ns) const {
  ConnectionDrops drops;
  if (size_ == 0)
    return drops;
  const auto found = by_ends_.find(ends_of(id));
  if (found == by_ends_.end())
    return drops;
  for (const auto& drop : found->second)
    if (drop.of(id.sock_id) && drop.ts_ns >= start_ns && drop.ts_ns <= end_ns) {
      ++drops.count;
      drops.last_reason = drop.reason;
    }
  return drops;
}

void DropLedger::forget(const ConnectionId& id, std::uint64_t end_ns) {
  if (size_ == 0)
    return;
  const auto found = by_ends_.find(ends_of(id));
  if (found == by_ends_.end())
    return;
  size_ -= std::erase_if(found->second, [&](const Drop& drop) {
    return drop.of(id.sock_id) && drop.ts_ns <= end_ns;
  });
  if (found->second.empty())
    by_ends_.erase(found);
}

void DropLedger::evict_oldest() {
  while (!arrival_.empty()) {
    const auto ends = arrival_.front();
    arrival_.pop_front();
    const auto found = by_ends_.find(ends);
    if (found == by_ends_.end())
      continue; // forgotten already
    found->second.erase(found->second.begin());
    if (found->second.empty())
      by_ends_.erase(found);
    --size_;
    ++evicted_;
    return;
  }
}

} // namespace tcpsight
