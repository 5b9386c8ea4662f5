#pragma once

#include "tcpsight/model/socket_row.hpp"

#include <string_view>
#include <vector>

namespace tcpsight {

// Which sockets ss's -A QUERY and -f FAMILY ask for, as `tcpsight ls` takes
// them: socket tables (tcp, udp, raw, unix, inet, all, unix_stream, ...)
// and address families (inet, inet6, unix).
class SocketQuery {
public:
  // -A: a comma-separated list. Throws tcpsight::Error for a table tcpsight
  // does not list (packet, netlink, sctp, vsock, ...) or does not know.
  void add_tables(std::string_view list);
  // -f. Throws tcpsight::Error as add_tables does.
  void add_family(std::string_view family);

  // The protocols to list: those chosen here and by the flags (-t -u -w
  // -x); none chosen: all that the families chosen allow.
  std::vector<Protocol> protocols(const std::vector<Protocol>& flagged) const;
  // Whether IPv4 and IPv6 sockets are asked for; neither chosen: both.
  bool wants_ipv4(bool flagged_ipv4, bool flagged_ipv6) const;
  bool wants_ipv6(bool flagged_ipv4, bool flagged_ipv6) const;
  // Whether a unix socket of this type (SOCK_STREAM, ...) is asked for.
  bool wants_unix_type(int type) const;

private:
  void add_protocol(Protocol protocol);

  std::vector<Protocol> protocols_;
  std::vector<int> unix_types_; // none: every type
  bool any_unix_type_ = false;  // unix itself was asked for, not only some types
  bool ipv4_ = false, ipv6_ = false;
};

} // namespace tcpsight
