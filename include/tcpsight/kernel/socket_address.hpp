#pragma once

#include "tcpsight/model/ip_address.hpp"

#include <sys/socket.h>

#include <cstdint>

namespace tcpsight {

// An address and port in the form the socket calls (bind, getnameinfo) take.
struct SocketAddress {
  sockaddr_storage storage{};
  socklen_t length = 0;

  const sockaddr* get() const { return reinterpret_cast<const sockaddr*>(&storage); }
};

SocketAddress socket_address(const IpAddress& address, std::uint16_t port = 0);

} // namespace tcpsight
