#include "tcpsight/metrics/metrics_server.hpp"

#include "model/parse_number.hpp"
#include "tcpsight/kernel/socket_address.hpp"
#include "tcpsight/model/error.hpp"
#include "tcpsight/views/printable.hpp"

#include <civetweb.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <exception>
#include <fmt/format.h>
#include <prometheus/exposer.h>
#include <prometheus/registry.h>
#include <vector>

namespace tcpsight {
namespace {

std::string listen_text(const ListenAddress& where) {
  return format_endpoint(where.address, where.port);
}

// Why the port cannot be listened on, in words; empty if it can. Checked
// before the HTTP server starts, whose own error says only that it failed.
std::string bind_problem(const ListenAddress& where) {
  const auto address = socket_address(where.address, where.port);
  const int fd = socket(address.storage.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0)
    return std::strerror(errno);
  const int on = 1;
  setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof on);
  const bool bound = bind(fd, address.get(), address.length) == 0;
  const int error = errno;
  close(fd);
  if (bound)
    return {};
  switch (error) {
  case EADDRINUSE:
    return "the port is in use (another tcpsight export?); choose another with --listen";
  case EADDRNOTAVAIL:
    return "no interface of this host has that address";
  case EACCES:
    return "a port below 1024 needs CAP_NET_BIND_SERVICE";
  default:
    return std::strerror(error);
  }
}

// mg_check_feature()'s bit for IPv6 (civetweb.h: USE_IPV6).
constexpr unsigned kCivetwebIpv6 = 8;

// The server's threads must leave the stop signals to the thread that counts.
class SignalsBlocked {
public:
  SignalsBlocked() {
    sigset_t all;
    sigfillset(&all);
    pthread_sigmask(SIG_BLOCK, &all, &before_);
  }
  ~SignalsBlocked() { pthread_sigmask(SIG_SETMASK, &before_, nullptr); }
  SignalsBlocked(const SignalsBlocked&) = delete;
  SignalsBlocked& operator=(const SignalsBlocked&) = delete;

private:
  sigset_t before_;
};

} // namespace

ListenAddress parse_listen_address(std::string_view text) {
  const auto bad = [&] {
    return Error(fmt::format("'{}' is not an address to listen on: give ADDR:PORT, as "
                             "127.0.0.1:9977 or [::1]:9977",
                             printable_text(text.substr(0, 60))));
  };
  const auto colon = text.rfind(':');
  if (colon == std::string_view::npos)
    throw bad();
  auto host = text.substr(0, colon);
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']')
    host = host.substr(1, host.size() - 2);
  else if (host.find(':') != std::string_view::npos)
    throw bad(); // IPv6 needs its brackets, or the port is ambiguous
  const auto address = parse_ip_address(std::string(host));
  const auto port = detail::parse_number<std::uint16_t>(text.substr(colon + 1));
  if (!address || !port)
    throw bad();
  return {*address, *port};
}

void check_listen_address(const ListenAddress& where) {
  const auto refuse = [&](std::string_view why) {
    return Error(fmt::format("cannot serve metrics on {}: {}", listen_text(where), why));
  };
  if (where.address.family == AddressFamily::IPv6 && mg_check_feature(kCivetwebIpv6) == 0)
    throw refuse("this system's HTTP server library (civetweb) was built without IPv6; listen on "
                 "an IPv4 address");
  if (where.port != 0)
    if (const auto problem = bind_problem(where); !problem.empty())
      throw refuse(problem);
}

MetricsServer::MetricsServer(const ListenAddress& where,
                             std::shared_ptr<prometheus::Registry> registry)
    : where_(where) {
  check_listen_address(where);
  try {
    const SignalsBlocked blocked;
    // A scraper that stops reading is cut off rather than holding a thread.
    exposer_ = std::make_unique<prometheus::Exposer>(std::vector<std::string>{
        "listening_ports", listen_text(where), "num_threads", std::to_string(kThreads),
        "request_timeout_ms", std::to_string(std::chrono::milliseconds(kRequestTimeout).count())});
    exposer_->RegisterCollectable(registry);
  } catch (const std::exception& e) {
    throw Error(fmt::format("cannot serve metrics on {}: {}", listen_text(where), e.what()));
  }
  if (where_.port == 0)
    if (const auto ports = exposer_->GetListeningPorts(); !ports.empty())
      where_.port = static_cast<std::uint16_t>(ports.front());
}

MetricsServer::~MetricsServer() = default;

std::string MetricsServer::address() const { return listen_text(where_); }

} // namespace tcpsight
