#include "tcpsight/kernel/open_sockets.hpp"

#include "tcpsight/kernel/snapshot.hpp"
#include "tcpsight/kernel/sock_diag.hpp"
#include "tcpsight/kernel/socket_owners.hpp"

namespace tcpsight {

OpenSockets open_tcp_sockets(bool with_owners, bool tcp_info) {
  const auto owners = with_owners ? find_socket_owners() : SocketOwners{};
  OpenSockets open{.netns = current_netns()};
  for (const auto family : {AddressFamily::IPv4, AddressFamily::IPv6})
    inet_diag_visit(Protocol::Tcp, family, {.tcp_info = tcp_info}, [&](const SocketRow& row) {
      if (row.state == TcpState::TimeWait)
        return;
      OpenSocket socket{.row = row};
      socket.row.id.netns = open.netns;
      for (const auto& process : owners.holders(row.inode)) {
        socket.owner = Owner{
            .pid = process.pid, .uid = row.uid, .cgroup_id = row.cgroup_id, .comm = process.comm};
        break;
      }
      open.sockets.push_back(std::move(socket));
    });
  return open;
}

} // namespace tcpsight
