#include "tcpsight/ip_address.hpp"

#include <arpa/inet.h>
#include <fmt/format.h>

namespace tcpsight {

std::string_view family_name(AddressFamily family) {
  return family == AddressFamily::IPv4 ? "ipv4" : "ipv6";
}

std::string to_string(const IpAddress& address) {
  char text[INET6_ADDRSTRLEN];
  const int af = address.family == AddressFamily::IPv4 ? AF_INET : AF_INET6;
  if (inet_ntop(af, address.bytes.data(), text, sizeof text) == nullptr)
    return "?";
  return text;
}

std::string format_endpoint(const IpAddress& address, std::uint16_t port) {
  if (address.family == AddressFamily::IPv6)
    return fmt::format("[{}]:{}", to_string(address), port);
  return fmt::format("{}:{}", to_string(address), port);
}

} // namespace tcpsight
