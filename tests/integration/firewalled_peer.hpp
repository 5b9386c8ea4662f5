#pragma once

#include "network_namespace.hpp"

#include <cstdint>
#include <string>

namespace tcpsight::test {

// A client namespace and a server namespace whose firewall drops the TCP
// segments that match an nft expression on their way in.
class FirewalledPeer {
public:
  explicit FirewalledPeer(const std::string& dropped);

  const NetworkNamespace& client() const { return client_; }
  const NetworkNamespace& server() const { return server_; }
  const std::string& client_address() const { return veth_.a_address; }
  const std::string& server_address() const { return veth_.b_address; }

private:
  NetworkNamespace client_;
  NetworkNamespace server_;
  VethPair veth_;
};

// nft expressions for FirewalledPeer.
inline constexpr const char* kSyns = "tcp flags & (syn | ack) == syn";
inline constexpr const char* kPureAcks = "tcp flags & (syn | ack | fin | rst) == ack";

// A listening IPv4 socket on every address of the namespace, which the
// calling thread enters (for a forked child). Throws if it cannot listen.
int listen_in(const NetworkNamespace& ns, std::uint16_t port, int backlog);

// A connected IPv4 socket from the client's namespace (which the calling
// thread enters) to the server's port. Throws if it cannot connect.
int connect_to_server(const FirewalledPeer& peer, std::uint16_t port);

// connect() from the namespace (which the calling thread enters) to the
// address; true if it ends with the errno expected (0: connected).
bool connect_from(const NetworkNamespace& ns, const std::string& address, std::uint16_t port,
                  int expected_errno);

} // namespace tcpsight::test
