#include "tcpsight/model/connection_id.hpp"

#include "sample_event.hpp"

#include <gtest/gtest.h>

#include <functional>
#include <unordered_map>
#include <vector>

namespace tcpsight {
namespace {

// 127.0.0.1:40000 -> 10.1.2.3:8080, socket 8193.
ConnectionId sample_id() { return test::sample_event().id; }

std::size_t hash_of(const ConnectionId& id) { return std::hash<ConnectionId>{}(id); }

TEST(ConnectionId, EqualIdsHashAlike) {
  EXPECT_EQ(sample_id(), sample_id());
  EXPECT_EQ(hash_of(sample_id()), hash_of(sample_id()));
}

TEST(ConnectionId, EveryPartTellsIdsApart) {
  std::vector<ConnectionId> changed(7, sample_id());
  changed[0].sock_id += 1;
  changed[1].netns += 1;
  changed[2].local.bytes[3] = 2;
  changed[3].local_port += 1;
  changed[4].remote.bytes[3] = 4;
  changed[5].remote_port += 1;
  changed[6].local.family = changed[6].remote.family = AddressFamily::IPv6;
  for (std::size_t i = 0; i < changed.size(); ++i) {
    EXPECT_NE(changed[i], sample_id()) << i;
    EXPECT_NE(hash_of(changed[i]), hash_of(sample_id())) << i;
  }
}

TEST(ConnectionId, SwappedEndsHashApart) {
  const auto id = sample_id().without_socket();
  EXPECT_NE(id.as_seen_by_peer(), id);
  EXPECT_NE(hash_of(id.as_seen_by_peer()), hash_of(id));
}

TEST(ConnectionId, WithoutSocketKeepsTheConnection) {
  const auto connection = sample_id().without_socket();
  EXPECT_EQ(connection.sock_id, 0u);
  auto expected = sample_id();
  expected.sock_id = 0;
  EXPECT_EQ(connection, expected);
}

TEST(ConnectionId, ThePeerSeesTheEndsSwapped) {
  const auto id = sample_id();
  const auto peer = id.as_seen_by_peer();
  EXPECT_EQ(peer.sock_id, 0u) << "the peer's socket is another";
  EXPECT_EQ(peer.netns, id.netns);
  EXPECT_EQ(peer.local, id.remote);
  EXPECT_EQ(peer.local_port, id.remote_port);
  EXPECT_EQ(peer.remote, id.local);
  EXPECT_EQ(peer.remote_port, id.local_port);
  EXPECT_EQ(peer.as_seen_by_peer(), id.without_socket());
}

TEST(ConnectionId, KeysAHashMap) {
  std::unordered_map<ConnectionId, int> seen;
  seen[sample_id().without_socket()] = 1;
  seen[sample_id().as_seen_by_peer()] = 2;
  EXPECT_EQ(seen.size(), 2u);
  EXPECT_EQ(seen.at(sample_id().as_seen_by_peer().as_seen_by_peer()), 1);
}

} // namespace
} // namespace tcpsight
