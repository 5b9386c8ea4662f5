#include "loopback.hpp"

#include <arpa/inet.h>
#include <net/if.h>
#include <netinet/in.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstring>
#include <stdexcept>
#include <string>
#include <system_error>
#include <utility>

namespace tcpsight::test {
namespace {

[[noreturn]] void throw_errno(const std::string& what) {
  throw std::system_error(errno, std::generic_category(), what);
}

int check(int result, const char* what) {
  if (result < 0)
    throw_errno(what);
  return result;
}

int socket_family(AddressFamily family) {
  return family == AddressFamily::IPv4 ? AF_INET : AF_INET6;
}

// A sockaddr for the loopback address and port.
struct LoopbackSockaddr {
  sockaddr_storage storage{};
  socklen_t length = 0;

  LoopbackSockaddr(AddressFamily family, std::uint16_t port) {
    if (family == AddressFamily::IPv4) {
      auto* in = reinterpret_cast<sockaddr_in*>(&storage);
      in->sin_family = AF_INET;
      in->sin_port = htons(port);
      in->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
      length = sizeof(sockaddr_in);
    } else {
      auto* in6 = reinterpret_cast<sockaddr_in6*>(&storage);
      in6->sin6_family = AF_INET6;
      in6->sin6_port = htons(port);
      in6->sin6_addr = in6addr_loopback;
      length = sizeof(sockaddr_in6);
    }
  }

  const sockaddr* get() const { return reinterpret_cast<const sockaddr*>(&storage); }
};

} // namespace

Fd& Fd::operator=(Fd&& other) noexcept {
  if (this != &other) {
    close();
    fd_ = other.release();
  }
  return *this;
}

Fd::~Fd() { close(); }

int Fd::release() { return std::exchange(fd_, -1); }

void Fd::close() {
  if (fd_ >= 0)
    ::close(std::exchange(fd_, -1));
}

bool bring_loopback_up() {
  Fd control(socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0));
  if (control.get() < 0)
    return false;
  ifreq request{};
  std::strncpy(request.ifr_name, "lo", IFNAMSIZ - 1);
  if (ioctl(control.get(), SIOCGIFFLAGS, &request) != 0)
    return false;
  request.ifr_flags |= IFF_UP;
  return ioctl(control.get(), SIOCSIFFLAGS, &request) == 0;
}

IpAddress loopback_address(AddressFamily family) {
  IpAddress address{.family = family};
  if (family == AddressFamily::IPv4)
    address.bytes = {127, 0, 0, 1};
  else
    address.bytes[15] = 1;
  return address;
}

Fd listen_on_loopback(AddressFamily family, std::uint16_t port) {
  Fd listener(check(socket(socket_family(family), SOCK_STREAM | SOCK_CLOEXEC, 0), "socket"));
  const LoopbackSockaddr address(family, port);
  check(bind(listener.get(), address.get(), address.length), "bind");
  check(listen(listener.get(), 16), "listen");
  return listener;
}

Fd listen_dual_stack() {
  Fd listener(check(socket(AF_INET6, SOCK_STREAM | SOCK_CLOEXEC, 0), "socket"));
  const int v6_only = 0;
  check(setsockopt(listener.get(), IPPROTO_IPV6, IPV6_V6ONLY, &v6_only, sizeof v6_only),
        "setsockopt");
  sockaddr_in6 any{.sin6_family = AF_INET6, .sin6_addr = in6addr_any};
  check(bind(listener.get(), reinterpret_cast<const sockaddr*>(&any), sizeof any), "bind");
  check(listen(listener.get(), 16), "listen");
  return listener;
}

std::uint16_t local_port(const Fd& socket) {
  sockaddr_storage storage{};
  socklen_t length = sizeof storage;
  check(getsockname(socket.get(), reinterpret_cast<sockaddr*>(&storage), &length), "getsockname");
  if (storage.ss_family == AF_INET)
    return ntohs(reinterpret_cast<sockaddr_in*>(&storage)->sin_port);
  return ntohs(reinterpret_cast<sockaddr_in6*>(&storage)->sin6_port);
}

Fd connect_to_loopback(AddressFamily family, std::uint16_t port) {
  Fd client(check(socket(socket_family(family), SOCK_STREAM | SOCK_CLOEXEC, 0), "socket"));
  const LoopbackSockaddr address(family, port);
  check(connect(client.get(), address.get(), address.length), "connect");
  return client;
}

void send_datagram_to_loopback(AddressFamily family, std::uint16_t port) {
  Fd sender(check(socket(socket_family(family), SOCK_DGRAM | SOCK_CLOEXEC, 0), "socket"));
  const LoopbackSockaddr address(family, port);
  check(static_cast<int>(sendto(sender.get(), "x", 1, 0, address.get(), address.length)), "sendto");
}

Fd accept_one(const Fd& listener) {
  return Fd(check(accept4(listener.get(), nullptr, nullptr, SOCK_CLOEXEC), "accept4"));
}

void send_all(const Fd& socket, const void* data, std::size_t size) {
  const auto* bytes = static_cast<const char*>(data);
  while (size > 0) {
    const auto sent =
        check(static_cast<int>(send(socket.get(), bytes, size, MSG_NOSIGNAL)), "send");
    bytes += sent;
    size -= static_cast<std::size_t>(sent);
  }
}

std::size_t read_to_eof(const Fd& socket) {
  std::size_t total = 0;
  char buffer[4096];
  for (;;) {
    const auto got = check(static_cast<int>(recv(socket.get(), buffer, sizeof buffer, 0)), "recv");
    if (got == 0)
      return total;
    total += static_cast<std::size_t>(got);
  }
}

ConnectionPorts run_client_closes_first(AddressFamily family) {
  Fd listener = listen_on_loopback(family);
  return run_client_closes_first(listener, family);
}

std::uint16_t unused_port(AddressFamily family) {
  Fd socket(check(::socket(socket_family(family), SOCK_STREAM | SOCK_CLOEXEC, 0), "socket"));
  const LoopbackSockaddr address(family, 0);
  check(bind(socket.get(), address.get(), address.length), "bind");
  return local_port(socket);
}

void close_with_reset(Fd& socket) {
  const linger abortive{.l_onoff = 1, .l_linger = 0};
  check(setsockopt(socket.get(), SOL_SOCKET, SO_LINGER, &abortive, sizeof abortive), "SO_LINGER");
  socket.close();
}

ConnectionPorts run_client_closes_first(const Fd& listener, AddressFamily family) {
  ConnectionPorts ports{.server = local_port(listener)};
  Fd client = connect_to_loopback(family, ports.server);
  ports.client = local_port(client);
  Fd server = accept_one(listener);

  const char hello[] = "hello";
  send_all(client, hello, sizeof hello);
  client.close();
  if (read_to_eof(server) != sizeof hello)
    throw std::runtime_error("server did not receive the client's bytes");
  server.close();
  return ports;
}

} // namespace tcpsight::test
