#include "tcpsight/pipeline/drop_ledger.hpp"

#include <algorithm>
#include <tuple>

namespace tcpsight {
namespace {

bool is_loopback(const IpAddress& address) {
  if (address.family == AddressFamily::IPv4)
    return address.bytes[0] == 127;
  static constexpr std::array<std::uint8_t, 16> kIpv6Loopback{0, 0, 0, 0, 0, 0, 0, 0,
                                                              0, 0, 0, 0, 0, 0, 0, 1};
  return address.bytes == kIpv6Loopback;
}

// The two ends in one order, whichever socket named them, IPv4-mapped
// addresses as IPv4, and the namespace only for loopback: the key of a
// connection's drops.
ConnectionId ends_of(const ConnectionId& id) {
  ConnectionId ends;
  ends.local = unmapped(id.local);
  ends.local_port = id.local_port;
  ends.remote = unmapped(id.remote);
  ends.remote_port = id.remote_port;
  if (is_loopback(ends.local) && is_loopback(ends.remote))
    ends.netns = id.netns;
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
  const auto number = added_++;
  by_ends_[ends].push_back(
      {number, drop.ts_ns, drop.id.sock_id, drop.drop ? drop.drop->reason : std::string()});
  arrivals_.emplace_back(ends, number);
  ++size_;
  while (size_ > capacity_)
    evict_oldest();
  if (arrivals_.size() > 2 * capacity_)
    compact_arrivals();
}

ConnectionDrops DropLedger::take(const ConnectionId& id, std::uint64_t end_ns) {
  ConnectionDrops drops;
  if (size_ == 0)
    return drops;
  const auto found = by_ends_.find(ends_of(id));
  if (found == by_ends_.end())
    return drops;
  size_ -= std::erase_if(found->second, [&](const Drop& drop) {
    if (!drop.of(id.sock_id) || drop.ts_ns > end_ns)
      return false;
    ++drops.count;
    drops.last_reason = drop.reason;
    return true;
  });
  if (found->second.empty())
    by_ends_.erase(found);
  return drops;
}

void DropLedger::evict_oldest() {
  while (!arrivals_.empty()) {
    // Not a structured binding: clang 14 cannot capture one in a lambda.
    const auto ends = arrivals_.front().first;
    const auto number = arrivals_.front().second;
    arrivals_.pop_front();
    const auto found = by_ends_.find(ends);
    if (found == by_ends_.end())
      continue; // taken already
    auto& list = found->second;
    const auto drop =
        std::find_if(list.begin(), list.end(), [&](const Drop& d) { return d.number == number; });
    if (drop == list.end())
      continue; // taken already
    list.erase(drop);
    if (list.empty())
      by_ends_.erase(found);
    --size_;
    ++evicted_;
    return;
  }
}

// Drops taken leave their arrivals behind: rebuilt from what is left once
// they outnumber the drops, so adding stays cheap on average.
void DropLedger::compact_arrivals() {
  arrivals_.clear();
  for (const auto& [ends, list] : by_ends_)
    for (const auto& drop : list)
      arrivals_.emplace_back(ends, drop.number);
  std::sort(arrivals_.begin(), arrivals_.end(),
            [](const auto& a, const auto& b) { return a.second < b.second; });
}

} // namespace tcpsight
