#include "tcpsight/model/connection_histograms.hpp"

#include <algorithm>

namespace tcpsight {

void ConnectionHistograms::add(const ConnectionFacts& facts, std::uint64_t duration_ns) {
  ++connections;
  if (facts.handshake_ns)
    handshake_us.add(*facts.handshake_ns / 1000);
  if (!facts.seeded)
    duration_ms.add(duration_ns / 1'000'000);
  if (facts.totals && facts.totals->srtt_us)
    srtt_us.add(facts.totals->srtt_us);
}

RemoteEndpoint remote_endpoint_of(const ConnectionFacts& facts) {
  RemoteEndpoint remote{.address = to_string(facts.id.remote)};
  if (facts.role != Role::Passive)
    remote.port = facts.id.remote_port;
  return remote;
}

HistogramsByRemote::HistogramsByRemote(const std::vector<RemoteEndpoint>& only)
    : max_remotes_(only.size()), fixed_(true) {
  for (const auto& remote : only)
    by_remote_.emplace(remote, ConnectionHistograms{});
}

void HistogramsByRemote::add(const ConnectionFacts& facts, std::uint64_t duration_ns) {
  all_.add(facts, duration_ns);
  auto remote = remote_endpoint_of(facts);
  auto found = by_remote_.find(remote);
  if (found == by_remote_.end()) {
    if (fixed_)
      return;
    if (by_remote_.size() >= max_remotes_) {
      // Remembered to count them, up to as many again.
      if (left_out_.size() < max_remotes_)
        left_out_.insert(std::move(remote));
      return;
    }
    found = by_remote_.emplace(std::move(remote), ConnectionHistograms{}).first;
  }
  found->second.add(facts, duration_ns);
}

std::vector<std::pair<RemoteEndpoint, const ConnectionHistograms*>>
HistogramsByRemote::busiest(std::size_t n) const {
  std::vector<std::pair<RemoteEndpoint, const ConnectionHistograms*>> remotes;
  for (const auto& [remote, histograms] : by_remote_)
    remotes.emplace_back(remote, &histograms);
  // The most connections first; equal counts in the endpoints' order.
  std::stable_sort(remotes.begin(), remotes.end(), [](const auto& a, const auto& b) {
    return a.second->connections > b.second->connections;
  });
  if (remotes.size() > n)
    remotes.resize(n);
  return remotes;
}

} // namespace tcpsight
