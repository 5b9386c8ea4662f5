#pragma once

// Real TCP connections over loopback, for the integration tests.

#include "tcpsight/model/ip_address.hpp"

#include <cstdint>

namespace tcpsight::test {

// Owns a file descriptor.
class Fd {
public:
  Fd() = default;
  explicit Fd(int fd) : fd_(fd) {}
  Fd(Fd&& other) noexcept : fd_(other.release()) {}
  Fd& operator=(Fd&& other) noexcept;
  ~Fd();

  int get() const { return fd_; }
  int release();
  void close();

private:
  int fd_ = -1;
};

// Sets the loopback interface of this network namespace up; a new
// namespace starts with it down.
bool bring_loopback_up();

// 127.0.0.1 or ::1.
IpAddress loopback_address(AddressFamily family);

// A socket listening on the loopback address on a port the kernel picks.
Fd listen_on_loopback(AddressFamily family, std::uint16_t port = 0);
std::uint16_t local_port(const Fd& socket);
// An IPv6 socket listening on [::] that also accepts IPv4 connections, whose
// addresses it sees IPv4-mapped (::ffff:127.0.0.1).
Fd listen_dual_stack();

Fd connect_to_loopback(AddressFamily family, std::uint16_t port);
// One UDP datagram to that port on the loopback address.
void send_datagram_to_loopback(AddressFamily family, std::uint16_t port);
Fd accept_one(const Fd& listener);

void send_all(const Fd& socket, const void* data, std::size_t size);
// Reads until the peer closes; returns how many bytes came.
std::size_t read_to_eof(const Fd& socket);

// The ports of one finished connection.
struct ConnectionPorts {
  std::uint16_t server = 0;
  std::uint16_t client = 0;
};

// Opens a connection to the listener, sends a few bytes, and closes the
// client first and then the server.
ConnectionPorts run_client_closes_first(const Fd& listener, AddressFamily family);

// The same with a listener of its own, closed at the end.
ConnectionPorts run_client_closes_first(AddressFamily family);

// A port on which nothing listens (bound once, then released).
std::uint16_t unused_port(AddressFamily family);

// Closes with SO_LINGER 0: the kernel sends a RST instead of a FIN.
void close_with_reset(Fd& socket);

// Sockets the listing tests look for: an IPv4 and an IPv6 listener, and a
// connection to the IPv4 one with both of its ends.
struct KnownSockets {
  Fd listener4 = listen_on_loopback(AddressFamily::IPv4);
  Fd listener6 = listen_on_loopback(AddressFamily::IPv6);
  std::uint16_t port4 = local_port(listener4);
  std::uint16_t port6 = local_port(listener6);
  Fd client = connect_to_loopback(AddressFamily::IPv4, port4);
  Fd server = accept_one(listener4);
};

} // namespace tcpsight::test
