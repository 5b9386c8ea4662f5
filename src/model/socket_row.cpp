#include "tcpsight/model/socket_row.hpp"

namespace tcpsight {

std::string_view protocol_name(Protocol protocol) {
  switch (protocol) {
  case Protocol::Tcp:
    return "tcp";
  case Protocol::Udp:
    return "udp";
  case Protocol::Raw:
    return "raw";
  case Protocol::Unix:
    return "unix";
  }
  return "?";
}

std::string_view socket_netid(const SocketRow& row) {
  const bool v6 = row.id.local.family == AddressFamily::IPv6;
  switch (row.protocol) {
  case Protocol::Tcp:
    return v6 ? "tcp6" : "tcp";
  case Protocol::Udp:
    return v6 ? "udp6" : "udp";
  case Protocol::Raw:
    return v6 ? "raw6" : "raw";
  case Protocol::Unix:
    return "unix";
  }
  return "?";
}

} // namespace tcpsight
