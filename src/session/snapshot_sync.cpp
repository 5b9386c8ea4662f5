#include "tcpsight/session/snapshot_sync.hpp"

#include <unordered_set>

namespace tcpsight {
namespace {

std::vector<OpenSocket> listeners_in(const OpenSockets& snapshot) {
  std::vector<OpenSocket> listeners;
  for (const auto& socket : snapshot.sockets)
    if (socket.row.state == TcpState::Listen)
      listeners.push_back(socket);
  return listeners;
}

} // namespace

SnapshotSync::SnapshotSync(EventSource& source, SnapshotTarget& target, std::uint64_t now_ns,
                           Settings settings)
    : target_(target), settings_(std::move(settings)),
      active_(source.live() && source.ids_are_socket_cookies()), last_check_ns_(now_ns) {
  if (active_)
    seed(source, now_ns);
}

// now_ns is taken before the dump: a socket that closes meanwhile must not
// start after its end.
void SnapshotSync::seed(EventSource& source, std::uint64_t now_ns) {
  const auto snapshot = settings_.take(/*with_owners=*/true);
  const auto listeners = listeners_in(snapshot);
  source.seed_listener_owners(listeners);
  std::unordered_set<std::uint16_t> listening;
  for (const auto& listener : listeners)
    listening.insert(listener.row.id.local_port);
  for (const auto& socket : snapshot.sockets)
    if (socket.row.state == TcpState::Listen ||
        settings_.filter.matches(socket.row.id, socket.owner))
      target_.seed(socket,
                   listening.contains(socket.row.id.local_port) ? Role::Passive : Role::Active,
                   now_ns);
}

void SnapshotSync::after_batch(std::uint64_t now_ns) {
  if (!active_ || now_ns < last_check_ns_ + settings_.policy.every_ns)
    return;
  last_check_ns_ = now_ns;
  target_.reconcile(settings_.take(/*with_owners=*/false), now_ns, settings_.policy.quiet_ns);
}

void TrackerSnapshotTarget::seed(const OpenSocket& socket, Role role, std::uint64_t now_ns) {
  tracker_.seed(socket.row, socket.owner, role, now_ns);
}

void TrackerSnapshotTarget::reconcile(const OpenSockets& snapshot, std::uint64_t now_ns,
                                      std::uint64_t quiet_ns) {
  std::unordered_set<std::uint64_t> listed;
  for (const auto& socket : snapshot.sockets)
    listed.insert(socket.row.id.sock_id);
  std::unordered_set<std::uint64_t> missed;
  tracker_.expire_missing(
      [&](std::uint64_t id, std::uint32_t netns) {
        if (netns != snapshot.netns || listed.contains(id))
          return true;
        missed.insert(id);
        return !missed_last_time_.contains(id);
      },
      now_ns, quiet_ns);
  missed_last_time_ = std::move(missed);
}

} // namespace tcpsight
