#pragma once

#include "tcpsight/model/socket_row.hpp"

#include <cstdint>
#include <vector>

namespace tcpsight {

// What the kernel said, when asked, of sockets named by their ends and
// cookie (ConnectionId with sock_id): those it found, as they are now, and
// the network namespaces it could not be asked in. A socket of a namespace
// it was asked in that is not found is gone.
struct SocketLookupAnswer {
  std::vector<SocketRow> found;
  std::vector<std::uint32_t> namespaces_not_searched;
  std::uint64_t answered_ns = 0; // CLOCK_MONOTONIC, once the last answer came
};

} // namespace tcpsight
