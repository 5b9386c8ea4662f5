#include "tcpsight/kernel/socket_iterators.hpp"

#include "kernel/bpf_iterator.hpp"
#include "tcpsight/kernel/preflight.hpp"
#include "tcpsight/model/error.hpp"

#include <linux/types.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <cstring>
#include <fstream>

#include "inet_sockets.h"
#include "inet_sockets.skel.h"

namespace tcpsight {
namespace {

struct SkeletonDeleter {
  void operator()(inet_sockets_bpf* skeleton) const { inet_sockets_bpf::destroy(skeleton); }
};

SocketRow row_of(const tcpsight_socket_record& record) {
  const auto family = record.family == AF_INET6 ? AddressFamily::IPv6 : AddressFamily::IPv4;
  SocketRow row{.protocol = record.protocol == IPPROTO_UDP ? Protocol::Udp : Protocol::Tcp};
  row.id.local.family = row.id.remote.family = family;
  const std::size_t address_size = family == AddressFamily::IPv4 ? 4 : 16;
  std::memcpy(row.id.local.bytes.data(), record.local, address_size);
  std::memcpy(row.id.remote.bytes.data(), record.remote, address_size);
  row.id.local_port = record.local_port;
  row.id.remote_port = record.remote_port;
  row.state = static_cast<TcpState>(record.state);
  row.recv_q = record.recv_q;
  row.send_q = record.send_q;
  row.uid = record.uid;
  row.inode = record.inode;
  row.id.sock_id = record.cookie;
  row.timer = record.timer;
  row.timer_ms = record.timer_ms;
  row.retransmits = record.retransmits;
  row.cgroup_id = record.cgroup_id;
  return row;
}

// The iterator turns timers from jiffies into milliseconds with this (see
// inet_sockets.bpf.c); 0 if it cannot be read. /proc/sys/net shows the
// network namespace of the reading thread, the one the iterator lists.
std::uint32_t keepalive_seconds() {
  std::ifstream in("/proc/sys/net/ipv4/tcp_keepalive_time");
  std::uint32_t seconds = 0;
  return in >> seconds ? seconds : 0;
}

} // namespace

bool bpf_iterators_allowed() {
  return !tracing_preflight_error(effective_capabilities(), kKernelBtfPath);
}

void iterate_inet_sockets(Protocol protocol, AddressFamily family, const SocketVisitor& visit) {
  static_assert(sizeof(tcpsight_socket_record) == TCPSIGHT_SOCKET_RECORD_SIZE);
  if (protocol != Protocol::Tcp && protocol != Protocol::Udp)
    throw Error(fmt::format("no BPF iterator lists {} sockets", protocol_name(protocol)));
  std::unique_ptr<inet_sockets_bpf, SkeletonDeleter> skeleton(inet_sockets_bpf::open());
  if (!skeleton)
    throw Error(fmt::format("the socket iterators failed to open: {}", std::strerror(errno)));
  skeleton->rodata->keepalive_seconds = keepalive_seconds();
  // Load only the program this listing runs.
  bpf_program__set_autoload(skeleton->progs.list_tcp_sockets, protocol == Protocol::Tcp);
  bpf_program__set_autoload(skeleton->progs.list_udp_sockets, protocol == Protocol::Udp);
  if (inet_sockets_bpf::load(skeleton.get()) != 0)
    throw Error(fmt::format("the {} socket iterator failed to load: {}", protocol_name(protocol),
                            std::strerror(errno)));
  const auto wanted = family == AddressFamily::IPv6 ? AF_INET6 : AF_INET;
  detail::read_bpf_iterator<tcpsight_socket_record>(protocol == Protocol::Tcp
                                                        ? skeleton->progs.list_tcp_sockets
                                                        : skeleton->progs.list_udp_sockets,
                                                    [&](const tcpsight_socket_record& record) {
                                                      if (record.family == wanted)
                                                        visit(row_of(record));
                                                    });
}

} // namespace tcpsight
