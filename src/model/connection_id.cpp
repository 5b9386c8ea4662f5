#include "tcpsight/model/connection_id.hpp"

#include <cstring>

namespace tcpsight {
namespace {

// Folds one more word into a hash (a multiply-xorshift step, as in
// MurmurHash's finalizer), so that each bit of every word moves the result.
std::uint64_t mix(std::uint64_t hash, std::uint64_t word) {
  hash = (hash ^ word) * 0x9e3779b97f4a7c15;
  return hash ^ (hash >> 32);
}

std::uint64_t mix_address(std::uint64_t hash, const IpAddress& address) {
  std::uint64_t halves[2];
  std::memcpy(halves, address.bytes.data(), sizeof halves);
  return mix(mix(mix(hash, static_cast<std::uint64_t>(address.family)), halves[0]), halves[1]);
}

} // namespace

ConnectionId ConnectionId::without_socket() const {
  auto id = *this;
  id.sock_id = 0;
  return id;
}

ConnectionId ConnectionId::as_seen_by_peer() const {
  return {.netns = netns,
          .local = remote,
          .local_port = remote_port,
          .remote = local,
          .remote_port = local_port};
}

} // namespace tcpsight

std::size_t
std::hash<tcpsight::ConnectionId>::operator()(const tcpsight::ConnectionId& id) const noexcept {
  const std::uint64_t ports_and_netns =
      std::uint64_t{id.netns} << 32 | std::uint64_t{id.local_port} << 16 | id.remote_port;
  std::uint64_t hash = tcpsight::mix(id.sock_id, ports_and_netns);
  hash = tcpsight::mix_address(hash, id.local);
  return tcpsight::mix_address(hash, id.remote);
}
