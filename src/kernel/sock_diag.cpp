#include "tcpsight/kernel/sock_diag.hpp"

#include "tcpsight/model/error.hpp"

#include <libmnl/libmnl.h>
#include <linux/inet_diag.h>
#include <linux/sock_diag.h>
#include <linux/tcp.h>
#include <linux/unix_diag.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <ctime>
#include <fmt/format.h>
#include <memory>
#include <span>

namespace tcpsight {
namespace {

struct SocketCloser {
  void operator()(mnl_socket* socket) const { mnl_socket_close(socket); }
};

// A netlink message handler for mnl_cb_run: data points to the visitor of
// the dump.
using MessageParser = int (*)(const nlmsghdr* message, void* data);

// Whether every message of a netlink answer lies within it. libmnl's own
// check compares a length as a signed int, so a message claiming 2 GiB or
// more would pass it and be read past the end of the buffer.
bool messages_fit(std::span<const char> answer) {
  std::size_t at = 0;
  while (answer.size() - at >= sizeof(nlmsghdr)) {
    nlmsghdr header;
    std::memcpy(&header, answer.data() + at, sizeof header);
    if (header.nlmsg_len < sizeof(nlmsghdr) || header.nlmsg_len > answer.size() - at)
      return false;
    at += std::min<std::size_t>(NLMSG_ALIGN(header.nlmsg_len), answer.size() - at);
  }
  return true;
}

// Hands each message of one read of an answer to parse: MNL_CB_STOP at the
// end of the dump, MNL_CB_ERROR for an answer that does not hold together.
int run_parser(std::span<const char> answer, std::uint32_t sequence, std::uint32_t port,
               MessageParser parse, const SocketVisitor& visit) {
  if (!messages_fit(answer)) {
    errno = EBADMSG; // for the caller's message
    return MNL_CB_ERROR;
  }
  return mnl_cb_run(answer.data(), answer.size(), sequence, port, parse,
                    const_cast<SocketVisitor*>(&visit));
}

// Sends one SOCK_DIAG_BY_FAMILY dump request whose family-specific part is
// request_body, and hands every answer to parse. what names the dump in errors.
template <typename Request>
void sock_diag_dump(const Request& request_body, MessageParser parse, const SocketVisitor& visit,
                    const std::string& what) {
  const auto fail = [&](const char* step) {
    return Error(fmt::format("sock_diag {} dump: {} failed: {}", what, step, std::strerror(errno)));
  };
  std::unique_ptr<mnl_socket, SocketCloser> netlink(mnl_socket_open(NETLINK_SOCK_DIAG));
  if (!netlink || mnl_socket_bind(netlink.get(), 0, MNL_SOCKET_AUTOPID) < 0)
    throw fail("opening the netlink socket");

  // The kernel fills as much of each read as the buffer allows: a large one
  // means fewer system calls.
  std::vector<char> buffer(1 << 16);
  nlmsghdr* request = mnl_nlmsg_put_header(buffer.data());
  request->nlmsg_type = SOCK_DIAG_BY_FAMILY;
  request->nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
  request->nlmsg_seq = static_cast<std::uint32_t>(time(nullptr));
  std::memcpy(mnl_nlmsg_put_extra_header(request, sizeof request_body), &request_body,
              sizeof request_body);
  const auto sequence = request->nlmsg_seq;
  if (mnl_socket_sendto(netlink.get(), request, request->nlmsg_len) < 0)
    throw fail("sending the request");

  const auto port = mnl_socket_get_portid(netlink.get());
  for (;;) {
    const auto received = mnl_socket_recvfrom(netlink.get(), buffer.data(), buffer.size());
    if (received < 0 && errno == EINTR)
      continue; // a signal (Ctrl-C, say) is for the caller's loop, not a failure
    if (received < 0)
      throw fail("receiving");
    const int status = run_parser({buffer.data(), static_cast<std::size_t>(received)}, sequence,
                                  port, parse, visit);
    if (status == MNL_CB_STOP)
      return;
    if (status < 0)
      throw fail("reading the answer");
  }
}

// The attributes after a message's fixed part, in order. mnl_attr_for_each,
// spelled out: its void* does not convert in C++.
template <typename OnAttribute>
void for_each_attribute(const nlmsghdr* message, std::size_t fixed_size, OnAttribute on_attribute) {
  const auto* tail = static_cast<const char*>(mnl_nlmsg_get_payload_tail(message));
  for (auto* attribute =
           static_cast<const nlattr*>(mnl_nlmsg_get_payload_offset(message, fixed_size));
       mnl_attr_ok(attribute, static_cast<int>(tail - reinterpret_cast<const char*>(attribute)));
       attribute = mnl_attr_next(attribute))
    on_attribute(attribute, mnl_attr_get_payload_len(attribute));
}

IpAddress address_of(AddressFamily family, const __be32 (&words)[4]) {
  IpAddress address{.family = family};
  std::memcpy(address.bytes.data(), words, family == AddressFamily::IPv4 ? 4 : 16);
  return address;
}

// SK_MEMINFO_*: as many of the values as came (older kernels send fewer).
SocketRow::Memory memory_of(const nlattr* attribute, std::size_t length) {
  SocketRow::Memory memory{};
  std::memcpy(memory.data(), mnl_attr_get_payload(attribute),
              std::min<std::size_t>(length, sizeof memory));
  return memory;
}

SocketRow::InetOptions inet_options_of(const nlattr* attribute) {
  inet_diag_sockopt set;
  std::memcpy(&set, mnl_attr_get_payload(attribute), sizeof set);
  return {.recverr = set.recverr != 0,
          .is_icsk = set.is_icsk != 0,
          .freebind = set.freebind != 0,
          .hdrincl = set.hdrincl != 0,
          .mc_loop = set.mc_loop != 0,
          .transparent = set.transparent != 0,
          .mc_all = set.mc_all != 0,
          .nodefrag = set.nodefrag != 0,
          .bind_address_no_port = set.bind_address_no_port != 0,
          .recverr_rfc4884 = set.recverr_rfc4884 != 0,
          .defer_connect = set.defer_connect != 0};
}

// tcp_info, the cgroup id and what else the dump asked for.
void read_inet_attributes(const nlmsghdr* message, SocketRow& row) {
  for_each_attribute(message, sizeof(inet_diag_msg), [&](const nlattr* attribute, auto length) {
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
    case INET_DIAG_SKMEMINFO:
      row.memory = memory_of(attribute, length);
      break;
    case INET_DIAG_MARK:
      if (length >= sizeof(std::uint32_t))
        row.mark = mnl_attr_get_u32(attribute);
      break;
    case INET_DIAG_SHUTDOWN:
      if (length >= sizeof(std::uint8_t))
        row.shutdown = mnl_attr_get_u8(attribute);
      break;
    case INET_DIAG_SKV6ONLY:
      if (length >= sizeof(std::uint8_t))
        row.v6only = mnl_attr_get_u8(attribute) != 0;
      break;
    case INET_DIAG_TOS:
      if (length >= sizeof(std::uint8_t))
        row.tos = mnl_attr_get_u8(attribute);
      break;
    case INET_DIAG_TCLASS:
      if (length >= sizeof(std::uint8_t))
        row.tclass = mnl_attr_get_u8(attribute);
      break;
    case INET_DIAG_CLASS_ID:
      if (length >= sizeof(std::uint32_t))
        row.class_id = mnl_attr_get_u32(attribute);
      break;
    case INET_DIAG_SOCKOPT:
      if (length >= sizeof(inet_diag_sockopt))
        row.inet_options = inet_options_of(attribute);
      break;
    default:
      break;
    }
  });
}

Protocol inet_protocol(std::uint8_t ip_protocol) {
  return ip_protocol == IPPROTO_UDP ? Protocol::Udp : Protocol::Tcp;
}

// The request tells the protocol; the answer does not, so each has its parser.
template <std::uint8_t kIpProtocol> int parse_inet_message(const nlmsghdr* message, void* data) {
  if (mnl_nlmsg_get_payload_len(message) < sizeof(inet_diag_msg))
    return MNL_CB_OK;
  const auto* diag = static_cast<const inet_diag_msg*>(mnl_nlmsg_get_payload(message));
  const auto family = diag->idiag_family == AF_INET6 ? AddressFamily::IPv6 : AddressFamily::IPv4;
  SocketRow row{.protocol = inet_protocol(kIpProtocol)};
  row.id.local = address_of(family, diag->id.idiag_src);
  row.id.local_port = ntohs(diag->id.idiag_sport);
  row.id.remote = address_of(family, diag->id.idiag_dst);
  row.id.remote_port = ntohs(diag->id.idiag_dport);
  row.state = static_cast<TcpState>(diag->idiag_state);
  row.recv_q = diag->idiag_rqueue;
  row.send_q = diag->idiag_wqueue;
  row.uid = diag->idiag_uid;
  row.inode = diag->idiag_inode;
  row.id.sock_id = (std::uint64_t{diag->id.idiag_cookie[1]} << 32) | diag->id.idiag_cookie[0];
  row.timer = diag->idiag_timer;
  row.timer_ms = diag->idiag_expires;
  row.retransmits = diag->idiag_retrans;
  row.bound_interface = diag->id.idiag_if;
  read_inet_attributes(message, row);
  (*static_cast<SocketVisitor*>(data))(row);
  return MNL_CB_OK;
}

// As ss shows it: "/run/app.sock" up to its terminating NUL (which the
// kernel counts in a path's length), or "@name" for the abstract
// namespace, whose name starts with a NUL and may hold more, each an '@'.
std::string unix_name(const nlattr* attribute, std::size_t length) {
  std::string name(static_cast<const char*>(mnl_attr_get_payload(attribute)), length);
  if (name.empty() || name.front() != '\0')
    return name.substr(0, name.find('\0'));
  std::replace(name.begin(), name.end(), '\0', '@');
  return name;
}

int parse_unix_message(const nlmsghdr* message, void* data) {
  if (mnl_nlmsg_get_payload_len(message) < sizeof(unix_diag_msg))
    return MNL_CB_OK;
  const auto* diag = static_cast<const unix_diag_msg*>(mnl_nlmsg_get_payload(message));
  SocketRow row{.protocol = Protocol::Unix};
  row.unix_type = diag->udiag_type;
  row.state = static_cast<TcpState>(diag->udiag_state);
  row.unix_listening = row.state == TcpState::Listen;
  row.inode = diag->udiag_ino;
  row.id.sock_id = (std::uint64_t{diag->udiag_cookie[1]} << 32) | diag->udiag_cookie[0];
  for_each_attribute(message, sizeof(unix_diag_msg), [&](const nlattr* attribute, auto length) {
    switch (mnl_attr_get_type(attribute)) {
    case UNIX_DIAG_NAME:
      row.unix_path = unix_name(attribute, length);
      break;
    case UNIX_DIAG_PEER:
      if (length >= sizeof(std::uint32_t))
        row.unix_peer = mnl_attr_get_u32(attribute);
      break;
    case UNIX_DIAG_RQLEN:
      if (length >= sizeof(unix_diag_rqlen)) {
        unix_diag_rqlen queues;
        std::memcpy(&queues, mnl_attr_get_payload(attribute), sizeof queues);
        row.recv_q = queues.udiag_rqueue;
        row.send_q = queues.udiag_wqueue;
      }
      break;
    case UNIX_DIAG_UID:
      if (length >= sizeof(std::uint32_t))
        row.uid = mnl_attr_get_u32(attribute);
      break;
    case UNIX_DIAG_SHUTDOWN:
      if (length >= sizeof(std::uint8_t))
        row.shutdown = mnl_attr_get_u8(attribute);
      break;
    case UNIX_DIAG_MEMINFO:
      row.memory = memory_of(attribute, length);
      break;
    case UNIX_DIAG_VFS:
      if (length >= sizeof(unix_diag_vfs)) {
        unix_diag_vfs file;
        std::memcpy(&file, mnl_attr_get_payload(attribute), sizeof file);
        row.unix_file =
            SocketRow::UnixFile{.inode = file.udiag_vfs_ino, .device = file.udiag_vfs_dev};
      }
      break;
    case UNIX_DIAG_ICONS: {
      // An array of inodes, empty for a listener nobody waits on (no data
      // to copy: memcpy would be handed a null pointer).
      std::vector<std::uint32_t> pending(length / sizeof(std::uint32_t));
      if (!pending.empty())
        std::memcpy(pending.data(), mnl_attr_get_payload(attribute),
                    pending.size() * sizeof(std::uint32_t));
      row.unix_pending = std::move(pending);
      break;
    }
    default:
      break;
    }
  });
  (*static_cast<SocketVisitor*>(data))(row);
  return MNL_CB_OK;
}

} // namespace

void inet_diag_visit(Protocol protocol, AddressFamily family, InetDiagDetails details,
                     const SocketVisitor& visit) {
  const auto what = fmt::format("{} {}", protocol_name(protocol), family_name(family));
  if (protocol != Protocol::Tcp && protocol != Protocol::Udp)
    throw Error(fmt::format("sock_diag: no dump of all {} sockets: it takes one IP protocol at a "
                            "time; read /proc/net instead",
                            protocol_name(protocol)));
  inet_diag_req_v2 request{};
  request.sdiag_family = family == AddressFamily::IPv4 ? AF_INET : AF_INET6;
  request.sdiag_protocol = protocol == Protocol::Udp ? IPPROTO_UDP : IPPROTO_TCP;
  // Every state but TCP_BOUND_INACTIVE (13, Linux 6.10+): sockets that are
  // only bound, which ss (without -B) and netstat do not list either.
  request.idiag_states = ~0u & ~(1u << 13);
  if (protocol == Protocol::Tcp && details.tcp_info)
    request.idiag_ext |= 1 << (INET_DIAG_INFO - 1);
  if (details.memory)
    request.idiag_ext |= 1 << (INET_DIAG_SKMEMINFO - 1);
  // The class id comes with the traffic class (its number does not fit idiag_ext).
  if (details.traffic_class)
    request.idiag_ext |= (1 << (INET_DIAG_TOS - 1)) | (1 << (INET_DIAG_TCLASS - 1));
  sock_diag_dump(request,
                 protocol == Protocol::Udp ? parse_inet_message<IPPROTO_UDP>
                                           : parse_inet_message<IPPROTO_TCP>,
                 visit, what);
}

std::vector<SocketRow> inet_diag_dump(Protocol protocol, AddressFamily family,
                                      InetDiagDetails details) {
  std::vector<SocketRow> rows;
  inet_diag_visit(protocol, family, details, [&](const SocketRow& row) { rows.push_back(row); });
  return rows;
}

int parse_sock_diag_answer(std::span<const char> answer, Protocol protocol,
                           const SocketVisitor& visit) {
  const MessageParser parse = protocol == Protocol::Unix  ? parse_unix_message
                              : protocol == Protocol::Udp ? parse_inet_message<IPPROTO_UDP>
                                                          : parse_inet_message<IPPROTO_TCP>;
  return run_parser(answer, 0, 0, parse, visit);
}

namespace {

// Requests sent at once. The kernel answers each while the send is still
// going on, into the netlink socket's receive buffer, where an answer takes
// about 1.3 KiB (what the kernel allocated for it): 64 fit in the default
// buffer (rmem_default, 208 KiB) with room to spare. A smaller buffer
// overflows (ENOBUFS) and the batch is asked again in halves.
constexpr std::size_t kLookupsPerBatch = 64;
constexpr std::size_t kRequestBytes = NLMSG_ALIGN(NLMSG_HDRLEN + sizeof(inet_diag_req_v2));
constexpr std::size_t kLookupBufferBytes = 1 << 16;
static_assert(kLookupsPerBatch * kRequestBytes <= kLookupBufferBytes);

// The answers of a batch did not all fit in the receive buffer.
struct AnswersOverflowed {};

inet_diag_req_v2 exact_request(const ConnectionId& id, std::uint8_t ip_protocol = IPPROTO_TCP) {
  inet_diag_req_v2 request{};
  const bool ipv4 = id.family() == AddressFamily::IPv4;
  request.sdiag_family = ipv4 ? AF_INET : AF_INET6;
  request.sdiag_protocol = ip_protocol;
  request.idiag_states = ~0u;
  const std::size_t size = ipv4 ? 4 : 16;
  std::memcpy(request.id.idiag_src, id.local.bytes.data(), size);
  std::memcpy(request.id.idiag_dst, id.remote.bytes.data(), size);
  request.id.idiag_sport = htons(id.local_port);
  request.id.idiag_dport = htons(id.remote_port);
  // A socket read from /proc/net has no cookie: found by its ends alone.
  const auto cookie = id.sock_id != 0 ? id.sock_id : ~std::uint64_t{0}; // INET_DIAG_NOCOOKIE
  request.id.idiag_cookie[0] = static_cast<std::uint32_t>(cookie);
  request.id.idiag_cookie[1] = static_cast<std::uint32_t>(cookie >> 32);
  return request;
}

// A lookup's error: no such socket (ENOENT), or its ends are another
// socket's now (ESTALE), is an answer; anything else is a failure.
void check_lookup_error(const nlmsghdr* message) {
  if (mnl_nlmsg_get_payload_len(message) < sizeof(nlmsgerr))
    throw Error("sock_diag lookup: a malformed error");
  const auto* error = static_cast<const nlmsgerr*>(mnl_nlmsg_get_payload(message));
  if (error->error != -ENOENT && error->error != -ESTALE)
    throw Error(fmt::format("sock_diag lookup failed: {}", std::strerror(-error->error)));
}

} // namespace

std::size_t parse_lookup_answer(std::span<const char> answer, const SocketVisitor& visit) {
  if (!messages_fit(answer))
    throw Error("sock_diag lookup: a malformed answer");
  std::size_t answers = 0;
  int left = static_cast<int>(answer.size());
  for (auto* message = reinterpret_cast<const nlmsghdr*>(answer.data());
       mnl_nlmsg_ok(message, left); message = mnl_nlmsg_next(message, &left)) {
    if (message->nlmsg_type == NLMSG_ERROR)
      check_lookup_error(message);
    else if (message->nlmsg_type == SOCK_DIAG_BY_FAMILY)
      parse_inet_message<IPPROTO_TCP>(message, const_cast<SocketVisitor*>(&visit));
    ++answers;
  }
  return answers;
}

namespace {

std::unique_ptr<mnl_socket, SocketCloser> lookup_socket() {
  std::unique_ptr<mnl_socket, SocketCloser> netlink(mnl_socket_open(NETLINK_SOCK_DIAG));
  if (!netlink || mnl_socket_bind(netlink.get(), 0, MNL_SOCKET_AUTOPID) < 0)
    throw Error(fmt::format("sock_diag lookup: opening the netlink socket failed: {}",
                            std::strerror(errno)));
  return netlink;
}

// One send for the batch, then its answers, on a socket of its own: after
// an overflow no answer of it is left to be mistaken for the next batch's.
void look_up_batch(std::span<const ConnectionId> sockets, const SocketVisitor& visit,
                   std::vector<char>& buffer) {
  const auto fail = [](const char* step) {
    return Error(fmt::format("sock_diag lookup: {} failed: {}", step, std::strerror(errno)));
  };
  const auto netlink = lookup_socket();
  std::size_t used = 0;
  for (const auto& id : sockets) {
    auto* request = mnl_nlmsg_put_header(buffer.data() + used);
    request->nlmsg_type = SOCK_DIAG_BY_FAMILY;
    request->nlmsg_flags = NLM_F_REQUEST;
    const auto body = exact_request(id);
    std::memcpy(mnl_nlmsg_put_extra_header(request, sizeof body), &body, sizeof body);
    used += NLMSG_ALIGN(request->nlmsg_len);
  }
  if (mnl_socket_sendto(netlink.get(), buffer.data(), used) < 0)
    throw fail("sending the requests");
  for (std::size_t answers = 0; answers < sockets.size();) {
    const auto received = mnl_socket_recvfrom(netlink.get(), buffer.data(), buffer.size());
    if (received < 0 && errno == EINTR)
      continue;
    if (received < 0 && errno == ENOBUFS)
      throw AnswersOverflowed{};
    if (received < 0)
      throw fail("receiving");
    answers += parse_lookup_answer({buffer.data(), static_cast<std::size_t>(received)}, visit);
  }
}

// A batch whose answers overflowed is asked again in halves: a socket found
// in the first try may be handed to visit twice.
void look_up_in_halves(std::span<const ConnectionId> sockets, const SocketVisitor& visit,
                       std::vector<char>& buffer) {
  try {
    look_up_batch(sockets, visit, buffer);
  } catch (const AnswersOverflowed&) {
    if (sockets.size() == 1)
      throw Error("sock_diag lookup: no room for one answer in the receive buffer");
    const auto half = sockets.size() / 2;
    look_up_in_halves(sockets.first(half), visit, buffer);
    look_up_in_halves(sockets.subspan(half), visit, buffer);
  }
}

} // namespace

void inet_diag_find(std::span<const ConnectionId> sockets, const SocketVisitor& visit) {
  std::vector<char> buffer(kLookupBufferBytes);
  for (std::size_t first = 0; first < sockets.size(); first += kLookupsPerBatch)
    look_up_in_halves(sockets.subspan(first, std::min(kLookupsPerBatch, sockets.size() - first)),
                      visit, buffer);
}

void unix_diag_visit(const SocketVisitor& visit, UnixDiagDetails details) {
  unix_diag_req request{};
  request.sdiag_family = AF_UNIX;
  request.udiag_states = ~0u;
  request.udiag_show = UDIAG_SHOW_NAME | UDIAG_SHOW_PEER | UDIAG_SHOW_RQLEN | UDIAG_SHOW_UID;
  if (details.memory)
    request.udiag_show |= UDIAG_SHOW_MEMINFO;
  if (details.files)
    request.udiag_show |= UDIAG_SHOW_VFS | UDIAG_SHOW_ICONS;
  sock_diag_dump(request, parse_unix_message, visit, "unix");
}

struct InetSocketDestroyer::Netlink {
  std::unique_ptr<mnl_socket, SocketCloser> socket{mnl_socket_open(NETLINK_SOCK_DIAG)};
  int error = 0; // why it could not be opened
  std::uint32_t sequence = static_cast<std::uint32_t>(time(nullptr));
  std::vector<char> buffer =
      std::vector<char>(8192); // an acknowledgement, or an error quoting the request
};

InetSocketDestroyer::InetSocketDestroyer() : netlink_(std::make_unique<Netlink>()) {
  if (!netlink_->socket || mnl_socket_bind(netlink_->socket.get(), 0, MNL_SOCKET_AUTOPID) < 0)
    netlink_->error = errno;
}

InetSocketDestroyer::~InetSocketDestroyer() = default;

int InetSocketDestroyer::destroy(const SocketRow& row) {
  if (row.protocol != Protocol::Tcp && row.protocol != Protocol::Udp)
    return EOPNOTSUPP;
  if (netlink_->error != 0)
    return netlink_->error;
  auto& buffer = netlink_->buffer;
  nlmsghdr* request = mnl_nlmsg_put_header(buffer.data());
  request->nlmsg_type = SOCK_DESTROY;
  request->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK;
  const auto sequence = ++netlink_->sequence;
  request->nlmsg_seq = sequence;
  auto body = exact_request(row.id, row.protocol == Protocol::Tcp ? IPPROTO_TCP : IPPROTO_UDP);
  // The kernel's lookup matches the device a socket is bound to.
  body.id.idiag_if = row.bound_interface.value_or(0);
  std::memcpy(mnl_nlmsg_put_extra_header(request, sizeof body), &body, sizeof body);
  if (mnl_socket_sendto(netlink_->socket.get(), request, request->nlmsg_len) < 0)
    return errno;
  for (;;) {
    const auto received = mnl_socket_recvfrom(netlink_->socket.get(), buffer.data(), buffer.size());
    if (received < 0 && errno == EINTR)
      continue;
    if (received < 0)
      return errno;
    const auto* answer = reinterpret_cast<const nlmsghdr*>(buffer.data());
    if (!mnl_nlmsg_ok(answer, static_cast<int>(received)) || answer->nlmsg_type != NLMSG_ERROR ||
        mnl_nlmsg_get_payload_len(answer) < sizeof(nlmsgerr))
      return EPROTO;
    if (answer->nlmsg_seq != sequence)
      continue; // not this request's answer
    return -static_cast<const nlmsgerr*>(mnl_nlmsg_get_payload(answer))->error;
  }
}

} // namespace tcpsight
