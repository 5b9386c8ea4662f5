#include "tcpsight/sock_diag.hpp"

#include "tcpsight/error.hpp"

#include <libmnl/libmnl.h>
#include <linux/inet_diag.h>
#include <linux/sock_diag.h>
#include <linux/tcp.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <ctime>
#include <fmt/format.h>
#include <memory>

namespace tcpsight {
namespace {

struct SocketCloser {
  void operator()(mnl_socket* socket) const { mnl_socket_close(socket); }
};

std::uint8_t ip_protocol(Protocol protocol) {
  return protocol == Protocol::Udp ? IPPROTO_UDP : IPPROTO_TCP;
}

struct DumpContext {
  Protocol protocol;
  AddressFamily family;
  std::vector<SocketRow>* rows;
};

IpAddress address_of(AddressFamily family, const __be32 (&words)[4]) {
  IpAddress address{.family = family};
  std::memcpy(address.bytes.data(), words, family == AddressFamily::IPv4 ? 4 : 16);
  return address;
}

// The netlink attributes after the message: tcp_info and the cgroup id.
void read_attributes(const nlmsghdr* message, SocketRow& row) {
  // mnl_attr_for_each, spelled out: its void* does not convert in C++.
  const auto* tail = static_cast<const char*>(mnl_nlmsg_get_payload_tail(message));
  for (auto* attribute =
           static_cast<const nlattr*>(mnl_nlmsg_get_payload_offset(message, sizeof(inet_diag_msg)));
       mnl_attr_ok(attribute, static_cast<int>(tail - reinterpret_cast<const char*>(attribute)));
       attribute = mnl_attr_next(attribute)) {
    const auto length = mnl_attr_get_payload_len(attribute);
    switch (mnl_attr_get_type(attribute)) {
    case INET_DIAG_INFO: {
      // Older kernels send a shorter tcp_info: copy what came.
      tcp_info info{};
      std::memcpy(&info, mnl_attr_get_payload(attribute),
                  std::min<std::size_t>(length, sizeof info));
      row.tcp_info = SocketRow::TcpInfo{.rtt_us = info.tcpi_rtt,
                                        .rttvar_us = info.tcpi_rttvar,
                                        .cwnd = info.tcpi_snd_cwnd,
                                        .total_retransmits = info.tcpi_total_retrans};
      break;
    }
    case INET_DIAG_CGROUP_ID:
      if (length >= sizeof(std::uint64_t))
        row.cgroup_id = mnl_attr_get_u64(attribute);
      break;
    default:
      break;
    }
  }
}

int on_message(const nlmsghdr* message, void* data) {
  auto* context = static_cast<DumpContext*>(data);
  if (mnl_nlmsg_get_payload_len(message) < sizeof(inet_diag_msg))
    return MNL_CB_OK;
  const auto* diag = static_cast<const inet_diag_msg*>(mnl_nlmsg_get_payload(message));
  SocketRow row{.protocol = context->protocol};
  row.local = address_of(context->family, diag->id.idiag_src);
  row.local_port = ntohs(diag->id.idiag_sport);
  row.remote = address_of(context->family, diag->id.idiag_dst);
  row.remote_port = ntohs(diag->id.idiag_dport);
  row.state = static_cast<TcpState>(diag->idiag_state);
  row.recv_q = diag->idiag_rqueue;
  row.send_q = diag->idiag_wqueue;
  row.uid = diag->idiag_uid;
  row.inode = diag->idiag_inode;
  row.cookie = (std::uint64_t{diag->id.idiag_cookie[1]} << 32) | diag->id.idiag_cookie[0];
  row.timer = diag->idiag_timer;
  row.timer_ms = diag->idiag_expires;
  row.retransmits = diag->idiag_retrans;
  read_attributes(message, row);
  context->rows->push_back(row);
  return MNL_CB_OK;
}

} // namespace

std::vector<SocketRow> inet_diag_dump(Protocol protocol, AddressFamily family, bool tcp_info) {
  const auto fail = [&](const char* step) {
    return Error(fmt::format("sock_diag {} {} dump: {} failed: {}", protocol_name(protocol),
                             family_name(family), step, std::strerror(errno)));
  };
  if (protocol != Protocol::Tcp && protocol != Protocol::Udp)
    throw Error(fmt::format("sock_diag: no dump of all {} sockets: it takes one IP protocol at a "
                            "time; read /proc/net instead",
                            protocol_name(protocol)));
  std::unique_ptr<mnl_socket, SocketCloser> netlink(mnl_socket_open(NETLINK_SOCK_DIAG));
  if (!netlink || mnl_socket_bind(netlink.get(), 0, MNL_SOCKET_AUTOPID) < 0)
    throw fail("opening the netlink socket");

  std::vector<char> buffer(1 << 16);
  nlmsghdr* request = mnl_nlmsg_put_header(buffer.data());
  request->nlmsg_type = SOCK_DIAG_BY_FAMILY;
  request->nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
  request->nlmsg_seq = static_cast<std::uint32_t>(time(nullptr));
  auto* diag =
      static_cast<inet_diag_req_v2*>(mnl_nlmsg_put_extra_header(request, sizeof(inet_diag_req_v2)));
  diag->sdiag_family = family == AddressFamily::IPv4 ? AF_INET : AF_INET6;
  diag->sdiag_protocol = ip_protocol(protocol);
  // Every state but TCP_BOUND_INACTIVE (13, Linux 6.10+): sockets that are
  // only bound, which ss (without -B) and netstat do not list either.
  diag->idiag_states = ~0u & ~(1u << 13);
  if (protocol == Protocol::Tcp && tcp_info)
    diag->idiag_ext = 1 << (INET_DIAG_INFO - 1);
  const auto sequence = request->nlmsg_seq;
  if (mnl_socket_sendto(netlink.get(), request, request->nlmsg_len) < 0)
    throw fail("sending the request");

  std::vector<SocketRow> rows;
  DumpContext context{protocol, family, &rows};
  const auto port = mnl_socket_get_portid(netlink.get());
  for (;;) {
    const auto received = mnl_socket_recvfrom(netlink.get(), buffer.data(), buffer.size());
    if (received < 0)
      throw fail("receiving");
    const int status = mnl_cb_run(buffer.data(), static_cast<std::size_t>(received), sequence, port,
                                  on_message, &context);
    if (status == MNL_CB_STOP)
      return rows;
    if (status < 0)
      throw fail("reading the answer");
  }
}

} // namespace tcpsight
