#include "tcpsight/kernel/socket_address.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>

#include <algorithm>

namespace tcpsight {

SocketAddress socket_address(const IpAddress& address, std::uint16_t port) {
  SocketAddress socket;
  if (address.family == AddressFamily::IPv4) {
    auto* in = reinterpret_cast<sockaddr_in*>(&socket.storage);
    in->sin_family = AF_INET;
    in->sin_port = htons(port);
    std::copy_n(address.bytes.begin(), 4, reinterpret_cast<std::uint8_t*>(&in->sin_addr));
    socket.length = sizeof(sockaddr_in);
  } else {
    auto* in6 = reinterpret_cast<sockaddr_in6*>(&socket.storage);
    in6->sin6_family = AF_INET6;
    in6->sin6_port = htons(port);
    std::copy_n(address.bytes.begin(), 16, in6->sin6_addr.s6_addr);
    socket.length = sizeof(sockaddr_in6);
  }
  return socket;
}

} // namespace tcpsight
