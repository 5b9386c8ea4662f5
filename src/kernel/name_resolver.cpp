#include "tcpsight/kernel/name_resolver.hpp"

#include "tcpsight/kernel/socket_address.hpp"

#include <arpa/inet.h>
#include <netdb.h>
#include <pwd.h>

#include <algorithm>
#include <future>
#include <memory>
#include <thread>

namespace tcpsight {
namespace {

// ::ffff:a.b.c.d, an IPv4 peer of an IPv6 socket, is named as a.b.c.d, as ss names it.
std::string lookup_host(const IpAddress& address) {
  const auto socket = socket_address(unmapped(address));
  char name[NI_MAXHOST];
  if (getnameinfo(socket.get(), socket.length, name, sizeof name, nullptr, 0, NI_NAMEREQD) != 0)
    return {};
  return name;
}

} // namespace

std::string NameResolver::host(const IpAddress& address) {
  if (is_unspecified(address))
    return to_string(address);
  if (auto it = hosts_.find(address); it != hosts_.end())
    return it->second;
  // The resolver has no timeout of its own: ask on a thread and stop
  // waiting after a while. A late answer is dropped.
  auto answer = std::make_shared<std::promise<std::string>>();
  auto name = answer->get_future();
  std::thread([answer, address] { answer->set_value(lookup_host(address)); }).detach();
  std::string text;
  if (name.wait_for(host_timeout_) == std::future_status::ready)
    text = name.get();
  if (text.empty())
    text = to_string(address);
  return hosts_[address] = text;
}

std::string NameResolver::service(std::uint16_t port, Protocol protocol) {
  if (port == 0)
    return "*";
  const auto key = std::pair(port, protocol);
  if (auto it = services_.find(key); it != services_.end())
    return it->second;
  const char* proto = protocol == Protocol::Udp ? "udp" : "tcp";
  servent entry{};
  servent* found = nullptr;
  char buffer[1024];
  std::string text = std::to_string(port);
  if (protocol != Protocol::Raw &&
      getservbyport_r(htons(port), proto, &entry, buffer, sizeof buffer, &found) == 0 && found)
    text = found->s_name;
  return services_[key] = text;
}

std::string NameResolver::user(std::uint32_t uid) {
  if (auto it = users_.find(uid); it != users_.end())
    return it->second;
  passwd entry{};
  passwd* found = nullptr;
  char buffer[1024];
  std::string text = std::to_string(uid);
  if (getpwuid_r(uid, &entry, buffer, sizeof buffer, &found) == 0 && found)
    text = found->pw_name;
  return users_[uid] = text;
}

} // namespace tcpsight
