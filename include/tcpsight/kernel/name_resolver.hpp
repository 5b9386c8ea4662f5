#pragma once

#include "tcpsight/model/socket_row.hpp"

#include <chrono>
#include <cstdint>
#include <map>
#include <string>

namespace tcpsight {

// Host, service and user names for views that show names (netstat without
// -n). Every answer is cached. A host lookup that takes longer than the
// timeout gives the number, as does one that finds no name.
class NameResolver {
public:
  explicit NameResolver(std::chrono::milliseconds host_timeout = std::chrono::seconds(1))
      : host_timeout_(host_timeout) {}

  // "localhost", or the address in numbers; the unspecified address stays "0.0.0.0"/"::".
  std::string host(const IpAddress& address);
  // "http" for TCP port 80, or the number; "*" for port 0.
  std::string service(std::uint16_t port, Protocol protocol);
  // "root" for uid 0, or the number.
  std::string user(std::uint32_t uid);

private:
  std::chrono::milliseconds host_timeout_;
  std::map<IpAddress, std::string> hosts_;
  std::map<std::pair<std::uint16_t, Protocol>, std::string> services_;
  std::map<std::uint32_t, std::string> users_;
};

} // namespace tcpsight
