#include "tcpsight/pipeline/socket_query.hpp"

#include "tcpsight/model/error.hpp"

#include <sys/socket.h>

#include <algorithm>
#include <array>
#include <fmt/format.h>
#include <string>

namespace tcpsight {
namespace {

// What ss lists and tcpsight does not.
constexpr std::array kNotListed{
    "packet",       "packet_raw",  "packet_dgram",    "netlink", "dccp", "sctp",  "vsock",
    "vsock_stream", "vsock_dgram", "vsock_seqpacket", "tipc",    "xdp",  "mptcp", "link"};

[[noreturn]] void refuse(std::string_view option, std::string_view name) {
  const bool known = std::find(kNotListed.begin(), kNotListed.end(), name) != kNotListed.end();
  if (known)
    throw Error(fmt::format("{} {}: not supported; tcpsight lists TCP, UDP, raw and unix sockets",
                            option, name));
  throw Error(fmt::format("{} '{}': not a socket table tcpsight knows (tcp, udp, raw, unix, inet, "
                          "all, unix_stream, unix_dgram, unix_seqpacket)",
                          option, name.substr(0, 40)));
}

} // namespace

void SocketQuery::add_protocol(Protocol protocol) {
  if (std::find(protocols_.begin(), protocols_.end(), protocol) == protocols_.end())
    protocols_.push_back(protocol);
}

void SocketQuery::add_tables(std::string_view list) {
  std::size_t at = 0;
  while (at <= list.size()) {
    const auto comma = std::min(list.find(',', at), list.size());
    const auto name = list.substr(at, comma - at);
    at = comma + 1;
    if (name == "tcp")
      add_protocol(Protocol::Tcp);
    else if (name == "udp")
      add_protocol(Protocol::Udp);
    else if (name == "raw")
      add_protocol(Protocol::Raw);
    else if (name == "inet") {
      for (auto protocol : {Protocol::Tcp, Protocol::Udp, Protocol::Raw})
        add_protocol(protocol);
    } else if (name == "unix") {
      add_protocol(Protocol::Unix);
      any_unix_type_ = true;
    } else if (name == "all") {
      for (auto protocol : {Protocol::Tcp, Protocol::Udp, Protocol::Raw, Protocol::Unix})
        add_protocol(protocol);
      any_unix_type_ = true;
    } else if (name == "unix_stream" || name == "unix_dgram" || name == "unix_seqpacket") {
      add_protocol(Protocol::Unix);
      unix_types_.push_back(name == "unix_stream"  ? SOCK_STREAM
                            : name == "unix_dgram" ? SOCK_DGRAM
                                                   : SOCK_SEQPACKET);
    } else {
      refuse("-A", name);
    }
  }
}

void SocketQuery::add_family(std::string_view family) {
  if (family == "inet")
    ipv4_ = true;
  else if (family == "inet6")
    ipv6_ = true;
  else if (family == "unix")
    add_tables("unix");
  else
    refuse("-f", family);
}

std::vector<Protocol> SocketQuery::protocols(const std::vector<Protocol>& flagged) const {
  auto chosen = protocols_;
  for (auto protocol : flagged)
    if (std::find(chosen.begin(), chosen.end(), protocol) == chosen.end())
      chosen.push_back(protocol);
  if (!chosen.empty())
    return chosen;
  if (ipv4_ || ipv6_)
    return {Protocol::Tcp, Protocol::Udp, Protocol::Raw};
  return {Protocol::Tcp, Protocol::Udp, Protocol::Raw, Protocol::Unix};
}

bool SocketQuery::wants_ipv4(bool flagged_ipv4, bool flagged_ipv6) const {
  const bool any = flagged_ipv4 || flagged_ipv6 || ipv4_ || ipv6_;
  return !any || flagged_ipv4 || ipv4_;
}

bool SocketQuery::wants_ipv6(bool flagged_ipv4, bool flagged_ipv6) const {
  const bool any = flagged_ipv4 || flagged_ipv6 || ipv4_ || ipv6_;
  return !any || flagged_ipv6 || ipv6_;
}

bool SocketQuery::wants_unix_type(int type) const {
  return any_unix_type_ || unix_types_.empty() ||
         std::find(unix_types_.begin(), unix_types_.end(), type) != unix_types_.end();
}

} // namespace tcpsight
