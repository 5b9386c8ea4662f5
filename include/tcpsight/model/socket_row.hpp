#pragma once

#include "tcpsight/model/connection_id.hpp"
#include "tcpsight/model/tcp_state.hpp"

#include <array>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace tcpsight {

enum class Protocol : std::uint8_t { Tcp, Udp, Raw, Unix };

// "tcp", "udp", "raw", "unix".
std::string_view protocol_name(Protocol protocol);

// One socket as a snapshot sees it, from any source (netlink sock_diag,
// /proc/net). Fields a source does not know stay at their defaults.
struct SocketRow {
  Protocol protocol = Protocol::Tcp;
  // Inet sockets; the family tells IPv4 from IPv6. sock_id is the socket
  // cookie where the source gives it (not /proc/net); netns the namespace the
  // socket was listed in. For raw sockets local_port is the IP protocol
  // number, as netstat shows it.
  ConnectionId id;
  // Kernel TCP state numbers; UDP and raw use them too (CLOSE when
  // unconnected, ESTABLISHED when connected).
  TcpState state = TcpState::Close;
  std::uint32_t recv_q = 0;
  std::uint32_t send_q = 0;
  std::uint32_t uid = 0;
  std::uint64_t inode = 0;
  // The pending TCP timer, as netstat -o shows it: 0 none, 1 retransmit,
  // 2 keepalive, 3 TIME_WAIT, 4 zero-window probe.
  std::uint8_t timer = 0;
  std::uint32_t timer_ms = 0; // until it fires
  std::uint32_t retransmits = 0;
  std::uint64_t cgroup_id = 0; // sock_diag on 5.7+: the cgroup v2 the socket was created in
  // sock_diag only: the device it is bound to (SO_BINDTODEVICE; 0: none), and
  // its mark (SO_MARK, told to CAP_NET_ADMIN only).
  std::optional<std::uint32_t> bound_interface;
  std::optional<std::uint32_t> mark;
  // sock_diag, when asked (ss --tos): the IPv4 type of service, the IPv6
  // traffic class, and the class id (the priority where no net_cls class is set).
  std::optional<std::uint8_t> tos;
  std::optional<std::uint8_t> tclass;
  std::optional<std::uint32_t> class_id;
  // sock_diag, full sockets: the directions shut down (1 receiving, 2 sending).
  std::optional<std::uint8_t> shutdown;
  // sock_diag, IPv6 listening and unconnected sockets: IPV6_V6ONLY.
  std::optional<bool> v6only;
  // sock_diag on 5.10+ (ss --inet-sockopt): inet socket options that are set.
  struct InetOptions {
    bool recverr = false, is_icsk = false, freebind = false, hdrincl = false, mc_loop = false,
         transparent = false, mc_all = false, nodefrag = false, bind_address_no_port = false,
         recverr_rfc4884 = false, defer_connect = false;

    friend bool operator==(const InetOptions&, const InetOptions&) = default;
  };
  std::optional<InetOptions> inet_options;

  // TCP internals (tcp_info), when the source gives them: sock_diag does.
  struct TcpInfo {
    std::uint32_t rtt_us = 0;
    std::uint32_t rttvar_us = 0;
    std::uint32_t cwnd = 0; // segments
    std::uint32_t total_retransmits = 0;

    friend bool operator==(const TcpInfo&, const TcpInfo&) = default;
  };
  std::optional<TcpInfo> tcp_info;
  // The socket's memory, in bytes, as sock_diag gives it (SK_MEMINFO_*, ss
  // -m's skmem): receive queue, receive buffer, send queue, send buffer,
  // forward-allocated, queued to send, options, backlog, drops (a count).
  using Memory = std::array<std::uint32_t, 9>;
  std::optional<Memory> memory;

  // Unix sockets.
  int unix_type = 0;               // SOCK_STREAM, SOCK_DGRAM, SOCK_SEQPACKET
  std::uint32_t unix_refcount = 0; // /proc/net/unix only
  std::uint64_t unix_peer = 0;     // the peer's inode; UNIX_DIAG only
  bool unix_listening = false;
  std::string unix_path; // "@name" for the abstract namespace; empty if unbound
  // UNIX_DIAG, when asked (ss -e): the file a socket is bound to, and the
  // sockets waiting on a listener to accept them.
  struct UnixFile {
    std::uint32_t inode = 0;
    std::uint32_t device = 0; // as the kernel keeps it: major in the top 12 bits, minor below

    friend bool operator==(const UnixFile&, const UnixFile&) = default;
  };
  std::optional<UnixFile> unix_file;
  std::optional<std::vector<std::uint32_t>> unix_pending; // their inodes

  friend bool operator==(const SocketRow&, const SocketRow&) = default;
};

// Where a snapshot hands each socket, one at a time.
using SocketVisitor = std::function<void(const SocketRow&)>;

// "tcp", "tcp6", "udp6", "raw", "unix": the protocol and, for inet sockets,
// the family, as ss's Netid and netstat's Proto columns name them.
std::string_view socket_netid(const SocketRow& row);

} // namespace tcpsight
