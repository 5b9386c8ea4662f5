#include "connection_tracking.hpp"

#include "tcpsight/clock.hpp"
#include "tcpsight/snapshot.hpp"
#include "tcpsight/sock_diag.hpp"
#include "tcpsight/socket_owners.hpp"

#include <set>
#include <unordered_set>
#include <vector>

namespace tcpsight::cli {
namespace {

// How often the open connections are checked against the kernel's sockets,
// and how long a connection must be quiet before it can be called gone.
constexpr std::uint64_t kCheckEveryNs = 10'000'000'000;
constexpr std::uint64_t kGoneAfterNs = 5'000'000'000;

template <typename Visit> void visit_tcp_sockets(Visit visit) {
  for (const auto family : {AddressFamily::IPv4, AddressFamily::IPv6})
    inet_diag_visit(Protocol::Tcp, family, false, visit);
}

// A local port that a listener holds marks the passive side.
void seed_from_snapshot(LifecycleTracker& tracker) {
  const auto owners = find_socket_owners();
  std::set<std::uint16_t> listening;
  std::vector<SocketRow> rows;
  visit_tcp_sockets([&](const SocketRow& row) {
    if (row.state == TcpState::Listen)
      listening.insert(row.local_port);
    else
      rows.push_back(row);
  });
  const auto netns = current_netns();
  const auto now = monotonic_now_ns();
  for (const auto& row : rows) {
    SeedSocket seed{.sock_id = row.cookie,
                    .netns = netns,
                    .local = row.local,
                    .local_port = row.local_port,
                    .remote = row.remote,
                    .remote_port = row.remote_port,
                    .state = row.state,
                    .role = listening.contains(row.local_port) ? Role::Passive : Role::Active};
    for (const auto& process : owners.holders(row.inode)) {
      seed.owner = Owner{
          .pid = process.pid, .uid = row.uid, .cgroup_id = row.cgroup_id, .comm = process.comm};
      break;
    }
    tracker.seed(seed, now);
  }
}

} // namespace

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
  std::unordered_set<std::uint64_t> live;
  visit_tcp_sockets([&](const SocketRow& row) { live.insert(row.cookie); });
  tracker_.expire_missing([&](std::uint64_t id) { return live.contains(id); }, now_ns,
                          kGoneAfterNs);
}

} // namespace tcpsight::cli
