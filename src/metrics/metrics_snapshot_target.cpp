#include "tcpsight/metrics/metrics_snapshot_target.hpp"

#include <algorithm>

namespace tcpsight {

void MetricsSnapshotTarget::seed(const OpenSocket& socket, Role role, std::uint64_t now_ns) {
  if (socket.row.state == TcpState::Listen)
    ++listeners_;
  tracker_target_.seed(socket, role, now_ns);
}

void MetricsSnapshotTarget::reconcile(const OpenSockets& snapshot, std::uint64_t now_ns,
                                      std::uint64_t quiet_ns) {
  listeners_ = static_cast<std::size_t>(
      std::count_if(snapshot.sockets.begin(), snapshot.sockets.end(),
                    [](const OpenSocket& s) { return s.row.state == TcpState::Listen; }));
  tracker_target_.reconcile(snapshot, now_ns, quiet_ns);
}

} // namespace tcpsight
