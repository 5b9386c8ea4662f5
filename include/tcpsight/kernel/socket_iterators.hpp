#pragma once

#include "tcpsight/model/socket_row.hpp"

namespace tcpsight {

// The TCP or UDP sockets of one family from a BPF iterator (iter/tcp,
// iter/udp): the source when netlink sock_diag cannot answer and the caller
// may load BPF programs. Lists the calling thread's network namespace; rows
// go to visit as the kernel writes them. Throws tcpsight::Error when the
// iterator cannot run (no CAP_BPF, a kernel without these iterators).
void iterate_inet_sockets(Protocol protocol, AddressFamily family, const SocketVisitor& visit);

// Whether this process may try BPF iterators at all (root, kernel BTF).
bool bpf_iterators_allowed();

} // namespace tcpsight
