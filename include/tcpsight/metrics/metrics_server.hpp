#pragma once

#include "tcpsight/model/ip_address.hpp"

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

namespace prometheus {
class Exposer;
class Registry;
} // namespace prometheus

namespace tcpsight {

// Where the exporter listens.
struct ListenAddress {
  IpAddress address;
  std::uint16_t port = 0; // 0: any free port
};

// Where it listens unless told: loopback only, as the metrics name every
// connection's peer and process, and the server has no authentication.
inline constexpr std::string_view kDefaultListenAddress = "127.0.0.1:9977";

// "127.0.0.1:9977", "0.0.0.0:9977", "[::1]:9977", "[::]:9977". Throws
// tcpsight::Error for anything else.
ListenAddress parse_listen_address(std::string_view text);

// Throws tcpsight::Error saying why the server could not listen there (the
// port is in use, the address is not this host's, IPv6 is not built in):
// before anything slower is started.
void check_listen_address(const ListenAddress& where);

// Serves a registry's metrics in the Prometheus text format at /metrics,
// from threads of its own: a scrape reads the counters as they are and never
// waits for, or holds up, the thread that counts.
class MetricsServer {
public:
  // Throws tcpsight::Error if it cannot listen there (the port is in use, say).
  MetricsServer(const ListenAddress& where, std::shared_ptr<prometheus::Registry> registry);
  ~MetricsServer();

  // Threads that answer scrapes, and how long one waits for a client to
  // send its request or take the answer before it lets it go.
  static constexpr std::size_t kThreads = 4;
  static constexpr std::chrono::seconds kRequestTimeout{10};

  // "127.0.0.1:9977", with the port it got if asked for port 0.
  std::string address() const;

private:
  ListenAddress where_;
  std::unique_ptr<prometheus::Exposer> exposer_;
};

} // namespace tcpsight
