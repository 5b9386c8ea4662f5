#pragma once

#include "tcpsight/model/socket_row.hpp"

#include <memory>
#include <span>
#include <vector>

namespace tcpsight {

// Netlink sock_diag, the interface ss uses. Each dump lists the sockets of
// the caller's network namespace (the calling thread's, after setns) and
// hands them to visit as the kernel sends them: nothing is held. Throws
// tcpsight::Error when the kernel cannot answer (no sock_diag module for
// that protocol, say): callers read /proc/net then.

// What a dump asks the kernel for beyond each socket's ends and state:
// more work for it, so only what is shown.
struct InetDiagDetails {
  bool tcp_info = false;      // TCP: rtt, cwnd and retransmissions
  bool memory = false;        // the socket's memory (ss -m's skmem)
  bool traffic_class = false; // ToS, traffic class and class id (ss --tos)
};

// Every TCP or UDP socket of one family (INET_DIAG). Raw sockets are refused:
// sock_diag lists them only one IP protocol at a time.
void inet_diag_visit(Protocol protocol, AddressFamily family, InetDiagDetails details,
                     const SocketVisitor& visit);

// The same, kept in a vector.
std::vector<SocketRow> inet_diag_dump(Protocol protocol, AddressFamily family,
                                      InetDiagDetails details = {});

// The TCP sockets of the list that exist now in the caller's network
// namespace, each found by its ends and cookie (sock_id): one exact lookup
// per socket, sent to the kernel in batches, so the cost follows the list
// and not the number of sockets. Timewait sockets are found too, in
// FIN_WAIT2 or TIME_WAIT with the time left on their timer (timer_ms); a
// socket whose ends another socket (another cookie) now has is not, nor one
// bound to a device (the lookup names none). A socket may be visited twice.
void inet_diag_find(std::span<const ConnectionId> sockets, const SocketVisitor& visit);

// Closes TCP and UDP sockets of the network namespace it was made in, as
// ss -K does (SOCK_DESTROY), through one netlink socket: a TCP connection
// sends its peer a RST, and its process sees ECONNABORTED.
class InetSocketDestroyer {
public:
  InetSocketDestroyer();
  ~InetSocketDestroyer();
  InetSocketDestroyer(const InetSocketDestroyer&) = delete;
  InetSocketDestroyer& operator=(const InetSocketDestroyer&) = delete;

  // Closes the socket found by its ends, device and cookie (sock_id).
  // Returns 0, or the kernel's errno: EOPNOTSUPP without
  // CONFIG_INET_DIAG_DESTROY (and for other protocols), EPERM without
  // CAP_NET_ADMIN, ENOENT for a socket that is gone.
  int destroy(const SocketRow& row);

private:
  struct Netlink;
  std::unique_ptr<Netlink> netlink_;
};

// What a unix dump asks for beyond each socket's name, peer and queues.
struct UnixDiagDetails {
  bool memory = false; // the socket's memory (ss -m's skmem)
  bool files = false; // the bound file's inode and device, a listener's pending connections (ss -e)
};

// Every unix socket (UNIX_DIAG), with its path, peer, queue lengths and the
// directions shut down. The kernel does not report reference counts here:
// those are in /proc/net/unix.
void unix_diag_visit(const SocketVisitor& visit, UnixDiagDetails details = {});

// One read of a dump's answer, as the dumps above parse it: the rows of
// protocol's sockets (Tcp, Udp or Unix) go to visit. Returns libmnl's
// status (MNL_CB_STOP at the end of the dump, -1 for a malformed message).
// The kernel is trusted no further than this: for tests and fuzzing.
int parse_sock_diag_answer(std::span<const char> answer, Protocol protocol,
                           const SocketVisitor& visit);

// One read of inet_diag_find's answers: the sockets found go to visit;
// returns how many answers it held (a socket, or "no such socket"). Throws
// tcpsight::Error for a malformed answer or another error. For tests.
std::size_t parse_lookup_answer(std::span<const char> answer, const SocketVisitor& visit);

} // namespace tcpsight
