#pragma once

#include "tcpsight/model/connection_id.hpp"
#include "tcpsight/model/connection_record.hpp"
#include "tcpsight/model/event.hpp"

#include <cstddef>
#include <cstdint>
#include <deque>
#include <string>
#include <unordered_map>
#include <vector>

namespace tcpsight {

// Drops waiting for the connection they belong to. A drop names a
// connection by its two ends, either way round (a SYN dropped on its way in
// to a server names the client's connection backwards) and in any network
// namespace (the server's may not be the client's); a time between the
// connection's start and end tells it from an earlier one on the same ends,
// and a socket id, where the kernel had found the socket, which of the two
// sockets of a local connection it was.
// Bounded: beyond capacity the oldest drops go, and are counted.
class DropLedger {
public:
  explicit DropLedger(std::size_t capacity = 4096) : capacity_(capacity) {}

  void add(const Event& drop);

  // The drops of the connection with these ends between start and end, of
  // its socket (id.sock_id) or of none known.
  ConnectionDrops find(const ConnectionId& id, std::uint64_t start_ns,
                       std::uint64_t end_ns) const;

  // Forgets the drops find() gives it up to end: the connection is over.
  void forget(const ConnectionId& id, std::uint64_t end_ns);

  std::size_t size() const { return size_; }
  std::uint64_t evicted() const { return evicted_; }

private:
  struct Drop {
    std::uint64_t ts_ns;
    std::uint64_t sock_id;
    std::string reason;

    bool of(std::uint64_t socket) const { return sock_id == 0 || sock_id == socket; }
  };
  void evict_oldest();

  std::size_t capacity_;
  std::size_t size_ = 0;
  std::uint64_t evicted_ = 0;
  // By the ends in one order (see ends_of()); each list in arrival order.
  std::unordered_map<ConnectionId, std::vector<Drop>> by_ends_;
  // The ends of every drop added, oldest first, for eviction; some already
  // forgotten.
  std::deque<ConnectionId> arrival_;
};

} // namespace tcpsight
