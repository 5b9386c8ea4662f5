#pragma once

#include "tcpsight/model/connection_record.hpp"
#include "tcpsight/model/log2_histogram.hpp"

#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

namespace tcpsight {

// The three distributions `life --hist` and `history --hist` draw.
struct ConnectionHistograms {
  std::uint64_t connections = 0;
  Log2Histogram handshake_us; // those whose handshake tcpsight saw
  Log2Histogram duration_ms;  // those it saw from their start
  Log2Histogram srtt_us;      // those whose close had a round-trip sample

  void add(const ConnectionFacts& facts, std::uint64_t duration_ns);
};

// Where a connection counts, as `history --summary` groups them: the
// address and port it connected to, or for a client of a local listener
// its address alone (its port is an ephemeral one).
struct RemoteEndpoint {
  std::string address;
  std::optional<std::uint16_t> port;

  friend auto operator<=>(const RemoteEndpoint&, const RemoteEndpoint&) = default;
};
RemoteEndpoint remote_endpoint_of(const ConnectionFacts& facts);

// The distributions of all connections and of each remote endpoint. Bounded:
// past max_remotes endpoints, new ones count in all() only, and are counted.
class HistogramsByRemote {
public:
  explicit HistogramsByRemote(std::size_t max_remotes = 4096) : max_remotes_(max_remotes) {}
  // Charts these endpoints only (the busiest, known beforehand), and all.
  explicit HistogramsByRemote(const std::vector<RemoteEndpoint>& only);

  void add(const ConnectionFacts& facts, std::uint64_t duration_ns);

  const ConnectionHistograms& all() const { return all_; }
  // At most n endpoints, the most connections first; equal ones in address
  // and port order, as `history --summary` lists them.
  std::vector<std::pair<RemoteEndpoint, const ConnectionHistograms*>> busiest(std::size_t n) const;
  // Endpoints seen past max_remotes: in all() only.
  std::uint64_t endpoints_left_out() const { return left_out_.size(); }
  std::size_t max_remotes() const { return max_remotes_; }

private:
  std::size_t max_remotes_;
  ConnectionHistograms all_;
  std::map<RemoteEndpoint, ConnectionHistograms> by_remote_;
  std::set<RemoteEndpoint> left_out_; // with only: not counted
  bool fixed_ = false;                // endpoints given beforehand
};

} // namespace tcpsight
