#include "tcpsight/model/filter.hpp"

#include "tcpsight/model/error.hpp"

#include "sample_event.hpp"

#include <gtest/gtest.h>

#include <filesystem>

namespace tcpsight {
namespace {

// The sample: 127.0.0.1:40000 -> 10.1.2.3:8080, SYN_SENT -> ESTABLISHED,
// owner curl pid 4242 cgroup 77, netns 4026531840.
const Event kSample = test::sample_event();

TEST(Filter, EmptyMatchesEverything) { EXPECT_TRUE(Filter{}.matches(kSample)); }

TEST(Filter, Ports) {
  EXPECT_TRUE(Filter{.ports = {8080}}.matches(kSample));
  EXPECT_TRUE(Filter{.ports = {40000}}.matches(kSample));
  EXPECT_TRUE((Filter{.ports = {1, 8080}}).matches(kSample));
  EXPECT_FALSE(Filter{.ports = {1}}.matches(kSample));
  EXPECT_TRUE(Filter{.local_ports = {40000}}.matches(kSample));
  EXPECT_FALSE(Filter{.local_ports = {8080}}.matches(kSample));
  EXPECT_TRUE(Filter{.remote_ports = {8080}}.matches(kSample));
  EXPECT_FALSE(Filter{.remote_ports = {40000}}.matches(kSample));
  // Each filter that is set must match.
  EXPECT_FALSE((Filter{.local_ports = {40000}, .remote_ports = {9}}).matches(kSample));
}

TEST(Filter, StatesMatchOldOrNew) {
  EXPECT_TRUE(Filter{.states = {TcpState::SynSent}}.matches(kSample));
  EXPECT_TRUE(Filter{.states = {TcpState::Established}}.matches(kSample));
  EXPECT_FALSE((Filter{.states = {TcpState::Listen, TcpState::TimeWait}}).matches(kSample));
}

TEST(Filter, FamilyNetnsAndOwner) {
  EXPECT_TRUE(Filter{.family = AddressFamily::IPv4}.matches(kSample));
  EXPECT_FALSE(Filter{.family = AddressFamily::IPv6}.matches(kSample));
  EXPECT_TRUE(Filter{.netns = 4026531840}.matches(kSample));
  EXPECT_FALSE(Filter{.netns = 1}.matches(kSample));
  EXPECT_TRUE(Filter{.pid = 4242}.matches(kSample));
  EXPECT_FALSE(Filter{.pid = 1}.matches(kSample));
  EXPECT_TRUE(Filter{.comm = "curl"}.matches(kSample));
  EXPECT_FALSE(Filter{.comm = "cur"}.matches(kSample));
  EXPECT_TRUE(Filter{.cgroup = 77}.matches(kSample));
  EXPECT_FALSE(Filter{.cgroup = 78}.matches(kSample));
}

TEST(Filter, OwnerFiltersNeedAKnownOwner) {
  auto e = kSample;
  e.owner.reset();
  EXPECT_FALSE(Filter{.pid = 4242}.matches(e));
  EXPECT_FALSE(Filter{.comm = "curl"}.matches(e));
  EXPECT_TRUE(Filter{.ports = {8080}}.matches(e));
}

TEST(Filter, ParsePort) {
  EXPECT_EQ(parse_port("1"), 1);
  EXPECT_EQ(parse_port("65535"), 65535);
  for (const char* bad : {"0", "65536", "-1", "80x", "", "http", "99999999999"})
    EXPECT_THROW(parse_port(bad), Error) << bad;
}

TEST(Filter, ParseState) {
  EXPECT_EQ(parse_state("ESTABLISHED"), TcpState::Established);
  EXPECT_EQ(parse_state("time-wait"), TcpState::TimeWait);
  EXPECT_EQ(parse_state("syn_sent"), TcpState::SynSent);
  EXPECT_EQ(parse_state("closed"), TcpState::Close);
  EXPECT_THROW(parse_state("OPEN"), Error);
}

TEST(Filter, ResolveNamespacesAndCgroups) {
  EXPECT_EQ(resolve_netns("4026531840"), 4026531840u);
  EXPECT_GT(resolve_netns("/proc/self/ns/net"), 0u);
  EXPECT_THROW(resolve_netns("/no/such/namespace"), Error);
  EXPECT_EQ(resolve_cgroup("123"), 123u);
  EXPECT_THROW(resolve_cgroup("/no/such/cgroup"), Error);
  // Ids are inode numbers, never 0; files must be what they claim.
  EXPECT_THROW(resolve_netns("0"), Error);
  EXPECT_THROW(resolve_cgroup("0"), Error);
  EXPECT_THROW(resolve_netns("/etc/passwd"), Error);
  EXPECT_THROW(resolve_cgroup("/etc"), Error);
  if (std::filesystem::exists("/sys/fs/cgroup/cgroup.controllers")) {
    EXPECT_GT(resolve_cgroup("/sys/fs/cgroup"), 0u);
  }
}

} // namespace
} // namespace tcpsight
