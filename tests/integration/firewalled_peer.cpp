#include "firewalled_peer.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <filesystem>
#include <fmt/format.h>
#include <fstream>
#include <stdexcept>
#include <utility>

namespace tcpsight::test {

FirewalledPeer::FirewalledPeer(const std::string& dropped)
    : client_(fmt::format("tsc{}", getpid())), server_(fmt::format("tss{}", getpid())),
      veth_(client_, server_, 1) {
  const auto rules =
      std::filesystem::temp_directory_path() / fmt::format("tcpsight-{}.nft", getpid());
  std::ofstream(rules) << "table inet tcpsight {\n"
                          "  chain input {\n"
                          "    type filter hook input priority 0; policy accept;\n"
                          "    "
                       << dropped
                       << " drop\n"
                          "  }\n"
                          "}\n";
  server_.exec("nft -f " + rules.string());
  std::filesystem::remove(rules);
}

int listen_in(const NetworkNamespace& ns, std::uint16_t port, int backlog) {
  ns.enter();
  const int listener = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{.sin_family = AF_INET, .sin_port = htons(port)};
  if (bind(listener, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0 ||
      listen(listener, backlog) != 0)
    throw std::runtime_error("listen failed");
  return listener;
}

namespace {

// A socket of the namespace (which the calling thread enters), and what
// connect() to the address returned for it, errno as it left it.
std::pair<int, int> connect_in(const NetworkNamespace& ns, const std::string& address,
                               std::uint16_t port) {
  ns.enter();
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in peer{.sin_family = AF_INET, .sin_port = htons(port)};
  inet_pton(AF_INET, address.c_str(), &peer.sin_addr);
  return {fd, connect(fd, reinterpret_cast<sockaddr*>(&peer), sizeof peer)};
}

} // namespace

int connect_to_server(const FirewalledPeer& peer, std::uint16_t port) {
  const auto [fd, result] = connect_in(peer.client(), peer.server_address(), port);
  if (result != 0)
    throw std::runtime_error("connect failed");
  return fd;
}

bool connect_from(const NetworkNamespace& ns, const std::string& address, std::uint16_t port,
                  int expected_errno) {
  const auto [fd, result] = connect_in(ns, address, port);
  return expected_errno == 0 ? result == 0 : result != 0 && errno == expected_errno;
}

} // namespace tcpsight::test
