#include "connection_tracking.hpp"

#include "tcpsight/kernel/snapshot.hpp"
#include "tcpsight/kernel/sock_diag.hpp"
#include "tcpsight/kernel/socket_owners.hpp"
#include "tcpsight/model/clock.hpp"

#include <set>
#include <unordered_set>
#include <vector>

namespace tcpsight::cli {
namespace {

// How often the open connections are checked against the kernel's sockets,
// and how long a connection must be quiet before it can be called gone.
constexpr std::uint64_t kCheckEveryNs = 10'000'000'000;
constexpr std::uint64_t kGoneAfterNs = 5'000'000'000;

// A local port that a listener holds marks the passive side.
void seed_from_snapshot(LifecycleTracker& tracker) {
  // Before the dump: a socket that closes meanwhile must not start after its end.
  const auto now = monotonic_now_ns();
  const auto sockets = open_tcp_sockets(/*with_owners=*/true);
  std::set<std::uint16_t> listening;
  for (const auto& socket : sockets)
    if (socket.row.state == TcpState::Listen)
      listening.insert(socket.row.id.local_port);
  for (const auto& [row, owner] : sockets)
    tracker.seed(row, owner, listening.contains(row.id.local_port) ? Role::Passive : Role::Active,
                 now);
}

} // namespace

std::vector<OpenSocket> open_tcp_sockets(bool with_owners) {
  const auto owners = with_owners ? find_socket_owners() : SocketOwners{};
  const auto netns = current_netns();
  std::vector<OpenSocket> sockets;
  for (const auto family : {AddressFamily::IPv4, AddressFamily::IPv6})
    inet_diag_visit(Protocol::Tcp, family, false, [&](const SocketRow& row) {
      if (row.state == TcpState::TimeWait)
        return;
      OpenSocket socket{.row = row};
      socket.row.id.netns = netns;
      for (const auto& process : owners.holders(row.inode)) {
        socket.owner = Owner{
            .pid = process.pid, .uid = row.uid, .cgroup_id = row.cgroup_id, .comm = process.comm};
        break;
      }
      sockets.push_back(std::move(socket));
    });
  return sockets;
}

ConnectionTracking::ConnectionTracking(const EventSource& source, LifecycleTracker& tracker)
    : tracker_(tracker), active_(source.live() && source.ids_are_socket_cookies()),
      last_check_ns_(monotonic_now_ns()) {
  if (active_)
    seed_from_snapshot(tracker_);
}

void ConnectionTracking::after_batch(std::uint64_t now_ns) {
  if (!active_ || now_ns < last_check_ns_ + kCheckEveryNs)
    return;
  last_check_ns_ = now_ns;
  // sock_diag lists this network namespace only: connections of others
  // (containers, say) are taken to be alive.
  const auto netns = current_netns();
  std::unordered_set<std::uint64_t> live;
  for (const auto& socket : open_tcp_sockets(/*with_owners=*/false))
    live.insert(socket.row.id.sock_id);
  tracker_.expire_missing(
      [&](std::uint64_t id, std::uint32_t in) { return in != netns || live.contains(id); }, now_ns,
      kGoneAfterNs);
}

} // namespace tcpsight::cli
