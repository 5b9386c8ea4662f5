#pragma once

#include "tcpsight/model/connection_id.hpp"
#include "tcpsight/model/event.hpp"

#include <cstddef>
#include <cstdint>
#include <deque>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

namespace tcpsight {

// Drops waiting for the connection they belong to, until its socket closes.
// A drop names a connection by its two ends, either way round (a SYN
// dropped on its way in to a server names the client's connection
// backwards) and in any network namespace (the server's may not be the
// client's), except on loopback, which never leaves its namespace. A socket
// id, where the kernel had found the socket, says which of the two sockets
// of a local connection it was. A close takes the drops of its ends since
// those ends last closed. Bounded: beyond capacity the oldest drops go, and
// are counted.
class DropLedger {
public:
  static constexpr std::size_t kDefaultCapacity = 4096;

  explicit DropLedger(std::size_t capacity = kDefaultCapacity) : capacity_(capacity) {}

  void add(const Event& drop);

  // The drops of the connection id names (of its socket, or of none known)
  // up to end_ns, taken out of the ledger.
  ConnectionDrops take(const ConnectionId& id, std::uint64_t end_ns);

  std::size_t size() const { return size_; }
  std::uint64_t evicted() const { return evicted_; }

private:
  struct Drop {
    std::uint64_t number; // in the order added
    std::uint64_t ts_ns;
    std::uint64_t sock_id;
    std::string reason;

    bool of(std::uint64_t socket) const { return sock_id == 0 || sock_id == socket; }
  };
  void evict_oldest();
  void compact_arrivals();

  std::size_t capacity_;
  std::size_t size_ = 0;
  std::uint64_t added_ = 0;
  std::uint64_t evicted_ = 0;
  // By the ends in one order (see ends_of()); each list in arrival order.
  std::unordered_map<ConnectionId, std::vector<Drop>> by_ends_;
  // Every drop's ends and number, oldest first, for eviction; those taken
  // since are skipped.
  std::deque<std::pair<ConnectionId, std::uint64_t>> arrivals_;
};

} // namespace tcpsight
