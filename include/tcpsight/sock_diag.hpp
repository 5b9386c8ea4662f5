#pragma once

#include "tcpsight/socket_row.hpp"

#include <vector>

namespace tcpsight {

// Every socket of one inet protocol and family in the caller's network
// namespace, dumped through netlink sock_diag (INET_DIAG), the interface ss
// uses. Throws tcpsight::Error when the kernel cannot answer (no sock_diag
// module for that protocol, say): callers fall back to /proc/net.
std::vector<SocketRow> inet_diag_dump(Protocol protocol, AddressFamily family);

} // namespace tcpsight
