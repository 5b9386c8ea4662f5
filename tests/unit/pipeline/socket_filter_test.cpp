#include "tcpsight/pipeline/socket_filter.hpp"

#include "tcpsight/model/error.hpp"

#include <gtest/gtest.h>

namespace tcpsight {
namespace {

using enum TcpState;

SocketRow row(TcpState state, std::array<std::uint8_t, 4> local, std::uint16_t local_port,
              std::array<std::uint8_t, 4> remote, std::uint16_t remote_port) {
  SocketRow r;
  r.state = state;
  r.id.local = {.family = AddressFamily::IPv4, .bytes = {local[0], local[1], local[2], local[3]}};
  r.id.local_port = local_port;
  r.id.remote = {.family = AddressFamily::IPv4,
                 .bytes = {remote[0], remote[1], remote[2], remote[3]}};
  r.id.remote_port = remote_port;
  return r;
}

const SocketRow kHttps = row(Established, {10, 0, 0, 5}, 443, {10, 1, 2, 3}, 50000);
const SocketRow kSshClient = row(Established, {192, 168, 1, 2}, 40000, {10, 9, 9, 9}, 22);
const SocketRow kListener = row(Listen, {0, 0, 0, 0}, 8080, {0, 0, 0, 0}, 0);
const SocketRow kTimeWait = row(TimeWait, {127, 0, 0, 1}, 40001, {127, 0, 0, 1}, 8080);

// The names these tests use, without the system's files.
const FilterNames kNames{
    .port = [](const std::string& service) -> std::optional<std::uint16_t> {
      if (service == "ssh")
        return 22;
      if (service == "https")
        return 443;
      return std::nullopt;
    },
    .device_index = [](const std::string& device) -> std::optional<std::uint32_t> {
      if (device == "lo")
        return 1;
      return std::nullopt;
    },
    .cgroup_id = [](const std::string& path) -> std::uint64_t {
      if (path == "/system.slice")
        return 7;
      throw Error("filter: no such cgroup");
    }};

SocketFilter parsed(const std::vector<std::string>& words) {
  return SocketFilter::parse(words, kNames);
}

bool matches(const std::vector<std::string>& words, const SocketRow& r) {
  return parsed(words).matches(r);
}

// Without lookups, names are refused and numbers still work.
TEST(SocketFilter, NamesNeedLookups) {
  EXPECT_THROW(SocketFilter::parse({"sport", ":ssh"}), Error);
  EXPECT_THROW(SocketFilter::parse({"dev", "lo"}), Error);
  EXPECT_THROW(SocketFilter::parse({"cgroup", "/system.slice"}), Error);
  EXPECT_TRUE(SocketFilter::parse({"sport :443 and dev 1 and cgroup 7"}).matches([] {
    auto bound = kHttps;
    bound.bound_interface = 1;
    bound.cgroup_id = 7;
    return bound;
  }()));
}

TEST(SocketFilter, EmptyMatchesEverything) {
  EXPECT_TRUE(matches({}, kHttps));
  EXPECT_TRUE(matches({}, kListener));
}

TEST(SocketFilter, StatesInEitherSpelling) {
  EXPECT_TRUE(matches({"state", "established"}, kHttps));
  EXPECT_FALSE(matches({"state", "established"}, kListener));
  EXPECT_TRUE(matches({"state", "time-wait"}, kTimeWait));
  EXPECT_TRUE(matches({"state", "TIME_WAIT"}, kTimeWait));
  EXPECT_TRUE(matches({"state", "listening", "state", "established"}, kListener));
  EXPECT_TRUE(matches({"state", "connected"}, kTimeWait));
  EXPECT_FALSE(matches({"state", "connected"}, kListener));
  EXPECT_FALSE(matches({"state", "synchronized"}, row(SynSent, {1, 1, 1, 1}, 1, {2, 2, 2, 2}, 2)));
}

TEST(SocketFilter, Ports) {
  EXPECT_TRUE(matches({"sport", "=", ":443"}, kHttps));
  EXPECT_FALSE(matches({"sport", "=", ":443"}, kSshClient));
  EXPECT_TRUE(matches({"dport", "!=", ":22"}, kHttps));
  EXPECT_FALSE(matches({"dport", "!=", ":22"}, kSshClient));
  EXPECT_TRUE(matches({"sport", "<", ":1024"}, kHttps));
  EXPECT_TRUE(matches({"sport", "ge", ":40000"}, kSshClient));
}

// ss's own examples: a filter quoted as one argument, services by name,
// the comparison left out, its words for and, or and the comparisons.
TEST(SocketFilter, AsSsReadsIt) {
  EXPECT_TRUE(matches({"( dport = :ssh or sport = :ssh )"}, kSshClient));
  EXPECT_FALSE(matches({"( dport = :ssh or sport = :ssh )"}, kHttps));
  EXPECT_TRUE(matches({"state", "established", "( dport = :ssh )"}, kSshClient));
  EXPECT_TRUE(matches({"sport = :https"}, kHttps));
  EXPECT_TRUE(matches({"sport", "https"}, kHttps));
  EXPECT_TRUE(matches({"dport :22"}, kSshClient));
  EXPECT_TRUE(matches({"dport", "22"}, kSshClient));
  EXPECT_TRUE(matches({"sport geq :443 & dport leq :50000"}, kHttps));
  EXPECT_TRUE(matches({"sport = :1 | sport = :443"}, kHttps));
  EXPECT_TRUE(matches({"src", "10.0.0.5:https"}, kHttps));
  EXPECT_TRUE(matches({"  sport\t=\n:443  "}, kHttps));
}

// dev, fwmark and cgroup, from what sock_diag tells of each socket.
TEST(SocketFilter, DeviceMarkAndCgroup) {
  auto bound = kHttps;
  bound.bound_interface = 1;
  bound.mark = 0x12;
  bound.cgroup_id = 7;
  EXPECT_TRUE(matches({"dev", "1"}, bound));
  EXPECT_FALSE(matches({"dev", "1"}, kHttps));
  auto unbound = kHttps;
  unbound.bound_interface = 0;
  EXPECT_TRUE(matches({"dev != 1"}, unbound));
  EXPECT_FALSE(matches({"dev != 1"}, kHttps)); // not told (not from sock_diag): neither matches
  EXPECT_TRUE(matches({"dev lo"}, bound));
  EXPECT_TRUE(parsed({"dev lo"}).names_devices());
  EXPECT_FALSE(SocketFilter::parse({"dev 1"}).names_devices());
  EXPECT_TRUE(SocketFilter::parse({" "}).passes_everything());
  EXPECT_FALSE(SocketFilter::parse({"exclude closed"}).passes_everything());
  EXPECT_TRUE(matches({"fwmark = 0x12"}, bound));
  EXPECT_TRUE(matches({"fwmark", "0x2/0xf"}, bound));
  EXPECT_FALSE(matches({"fwmark", "0x2"}, bound));
  EXPECT_FALSE(matches({"fwmark", "0"}, kHttps)); // no mark told: nothing matches
  EXPECT_TRUE(matches({"fwmark", "18"}, bound));
  EXPECT_TRUE(matches({"cgroup", "7"}, bound));
  EXPECT_TRUE(matches({"cgroup", "!=", "7"}, kHttps));
  EXPECT_TRUE(matches({"cgroup", "/system.slice"}, bound));
  EXPECT_THROW(parsed({"cgroup", "/user.slice"}), Error);
  EXPECT_THROW(SocketFilter::parse({"fwmark", "0xzz"}), Error);
  EXPECT_THROW(parsed({"dev", "no-such-device-here"}), Error);
  EXPECT_THROW(SocketFilter::parse({"autobound"}), Error);
}

// exclude takes states away: from all when it comes first, as in ss.
TEST(SocketFilter, ExcludeAndStateClasses) {
  EXPECT_FALSE(matches({"exclude", "listening"}, kListener));
  EXPECT_TRUE(matches({"exclude", "listening"}, kTimeWait));
  EXPECT_TRUE(matches({"state", "connected", "exclude", "time-wait"}, kHttps));
  EXPECT_FALSE(matches({"state", "connected", "exclude", "time-wait"}, kTimeWait));
  EXPECT_FALSE(matches({"state", "listening", "exclude", "listening"}, kListener));
  EXPECT_TRUE(matches({"state", "bucket"}, kTimeWait));
  EXPECT_FALSE(matches({"state", "bucket"}, kHttps));
  EXPECT_TRUE(matches({"state", "big"}, kHttps));
  EXPECT_TRUE(matches({"state", "big"}, kListener));
  EXPECT_FALSE(matches({"state", "big"}, kTimeWait));
  EXPECT_TRUE(SocketFilter::parse({"exclude", "closed"}).chooses_states());
  EXPECT_TRUE(SocketFilter::parse({"state", "established"}).chooses_states());
  EXPECT_FALSE(SocketFilter::parse({"sport", "=", ":1"}).chooses_states());
}

TEST(SocketFilter, AddressesWithPrefixesAndPorts) {
  EXPECT_TRUE(matches({"dst", "10.0.0.0/8"}, kHttps));
  EXPECT_TRUE(matches({"dst", "10.0.0.0/8"}, kSshClient));
  EXPECT_FALSE(matches({"src", "10.0.0.0/8"}, kSshClient));
  EXPECT_TRUE(matches({"src", "192.168.1.2"}, kSshClient));
  EXPECT_TRUE(matches({"dst", "10.9.9.9:22"}, kSshClient));
  EXPECT_FALSE(matches({"dst", "10.9.9.9:23"}, kSshClient));
  EXPECT_TRUE(matches({"src", "*:8080"}, kListener));
  EXPECT_FALSE(matches({"src", "::1"}, kHttps)); // another family
}

// As iproute2 reads them: the parts of an IPv4 address left out are zero.
TEST(SocketFilter, ShortIpv4Addresses) {
  EXPECT_TRUE(matches({"src", "10.0.0/24"}, kHttps));
  EXPECT_TRUE(matches({"dst", "10/8"}, kHttps));
  EXPECT_FALSE(matches({"dst", "10.1"}, kHttps)); // 10.1.0.0, one address
  EXPECT_TRUE(matches({"dst", "10.1/16"}, kHttps));
}

SocketRow unix_row(std::string path) {
  SocketRow r;
  r.protocol = Protocol::Unix;
  r.state = Listen;
  r.unix_path = std::move(path);
  return r;
}

// ss(8)'s `ss -x src /tmp/.X11-unix/*`: unix socket names as shell patterns,
// with -x (Addresses::UnixNames) or after unix:.
TEST(SocketFilter, UnixSocketNames) {
  const auto unix_names = [](const std::vector<std::string>& words, const SocketRow& r) {
    return SocketFilter::parse(words, kNames, SocketFilter::Addresses::UnixNames).matches(r);
  };
  const auto x11 = unix_row("/tmp/.X11-unix/X0");
  EXPECT_TRUE(unix_names({"src", "/tmp/.X11-unix/*"}, x11));
  EXPECT_FALSE(unix_names({"src", "/run/*"}, x11));
  EXPECT_TRUE(matches({"src", "unix:/tmp/.X11-unix/X?"}, x11));
  EXPECT_TRUE(unix_names({"src", "@tcpsight*"}, unix_row("@tcpsight-1")));
  EXPECT_TRUE(unix_names({"src", "*"}, unix_row(""))); // unbound
  EXPECT_FALSE(unix_names({"src", "/tmp/*"}, unix_row("")));
  // The peer's name is not known: only a pattern that matches none does.
  EXPECT_TRUE(unix_names({"dst", "*"}, x11));
  EXPECT_FALSE(unix_names({"dst", "/tmp/*"}, x11));
  // Patterns match unix sockets only; addresses, inet sockets only.
  EXPECT_FALSE(unix_names({"src", "*"}, kHttps));
  EXPECT_FALSE(matches({"src", "0.0.0.0/0"}, x11));
}

TEST(SocketFilter, BracketedIpv6WithPrefixAndPort) {
  SocketRow r;
  r.id.local = {.family = AddressFamily::IPv6,
                .bytes = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1}};
  r.id.local_port = 8080;
  EXPECT_TRUE(matches({"src", "[::1]:8080"}, r));
  EXPECT_TRUE(matches({"src", "[::1]/128:8080"}, r));
  EXPECT_FALSE(matches({"src", "[::1]/128:8081"}, r));
  EXPECT_TRUE(matches({"src", "[::]/0"}, r));
  EXPECT_THROW(matches({"src", "[::1]x"}, r), Error);
}

TEST(SocketFilter, BooleanCombinations) {
  EXPECT_TRUE(matches({"(", "dport", "=", ":22", "or", "sport", "=", ":22", ")"}, kSshClient));
  EXPECT_FALSE(matches({"sport", "=", ":443", "and", "dst", "192.168.0.0/16"}, kHttps));
  // Side by side means and.
  EXPECT_TRUE(matches({"sport", "=", ":443", "dst", "10.1.0.0/16"}, kHttps));
  EXPECT_TRUE(matches({"not", "dport", "=", ":22"}, kHttps));
  EXPECT_TRUE(matches({"state", "established", "dport", "=", ":22"}, kSshClient));
  EXPECT_FALSE(matches({"state", "listening", "dport", "=", ":22"}, kSshClient));
  // No precedence, as in ss: read left to right.
  EXPECT_FALSE(matches({"sport = :443 or dport = :22 and dst 192.168.0.0/16"}, kHttps));
  EXPECT_TRUE(matches({"dst 192.168.0.0/16 and dport = :22 or sport = :443"}, kHttps));
  EXPECT_TRUE(matches({"sport = :443 or ( dport = :22 and dst 192.168.0.0/16 )"}, kHttps));
  EXPECT_FALSE(matches({"not ( sport = :443 or dport = :1 )"}, kHttps));
}

TEST(SocketFilter, BadFiltersSayWhatIsWrong) {
  const auto error_of = [](const std::vector<std::string>& words) {
    try {
      SocketFilter::parse(words);
    } catch (const Error& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  EXPECT_EQ(error_of({"state"}), "filter: 'state' needs a state after it");
  EXPECT_NE(error_of({"state", "open"}).find("'open' is not a state"), std::string::npos);
  EXPECT_NE(error_of({"sport", "~", ":1"}).find("'~' is not a port"), std::string::npos);
  EXPECT_NE(error_of({"dport", "=", ":no-such-service"}).find("':no-such-service' is not a port"),
            std::string::npos);
  EXPECT_EQ(error_of({"exclude"}), "filter: 'exclude' needs a state after it");
  EXPECT_NE(error_of({"sport", "=", ":99999"}).find("':99999' is not a port"), std::string::npos);
  EXPECT_NE(error_of({"dst", "10.0.0.300"}).find("is not an address"), std::string::npos);
  EXPECT_NE(error_of({"(", "sport", "=", ":1"}).find("missing"), std::string::npos);
  EXPECT_NE(error_of({"sport", "=", ":1", ")"}).find("did not expect ')'"), std::string::npos);
  EXPECT_NE(error_of({"port", "=", ":1"}).find("'port' is not a condition"), std::string::npos);
  EXPECT_NE(error_of({"dst", "127.0.0.0/33"}).find("longer than 32 bits"), std::string::npos);
  EXPECT_NE(error_of({"dst", "[::1]/129"}).find("bad prefix length"), std::string::npos);
  EXPECT_NE(error_of({"dst", ""}).find("an address is missing"), std::string::npos);
  EXPECT_NO_THROW(SocketFilter::parse({"dst", "[::1]/128"}));
  EXPECT_NO_THROW(SocketFilter::parse({"dst", "*:22"}));
  // A word of a megabyte is quoted in part: the message stays one short line.
  const auto long_error = error_of({std::string(1 << 20, 'x')});
  EXPECT_LT(long_error.size(), 200u) << long_error.substr(0, 200);
  EXPECT_NE(long_error.find("'xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx...' is not a condition"),
            std::string::npos)
      << long_error.substr(0, 200);
}

std::vector<std::string> repeated(std::vector<std::string> words, std::size_t times) {
  std::vector<std::string> out;
  out.reserve(words.size() * times);
  for (std::size_t i = 0; i < times; ++i)
    out.insert(out.end(), words.begin(), words.end());
  return out;
}

// Hostile filters: deep nesting is refused with a message, not a crash.
TEST(SocketFilter, NestingIsBounded) {
  auto deep = repeated({"("}, 20'000);
  deep.insert(deep.end(), {"sport", "=", ":443"});
  const auto closing = repeated({")"}, 20'000);
  deep.insert(deep.end(), closing.begin(), closing.end());
  try {
    SocketFilter::parse(deep);
    FAIL() << "20,000 nested parentheses were accepted";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("nest deeper than"), std::string::npos) << e.what();
  }
  EXPECT_THROW(SocketFilter::parse(repeated({"("}, 100'000)), Error);

  auto nested = repeated({"("}, 64);
  nested.insert(nested.end(), {"sport", "=", ":443"});
  const auto closed = repeated({")"}, 64);
  nested.insert(nested.end(), closed.begin(), closed.end());
  EXPECT_TRUE(SocketFilter::parse(nested).matches(kHttps));
}

// 100,000 "not"s are a negation, not 100,000 frames of recursion.
TEST(SocketFilter, LongNegationChains) {
  auto negated = repeated({"not"}, 100'000);
  negated.insert(negated.end(), {"sport", "=", ":443"});
  EXPECT_TRUE(SocketFilter::parse(negated).matches(kHttps));
  negated.insert(negated.begin(), "!");
  EXPECT_FALSE(SocketFilter::parse(negated).matches(kHttps));
  EXPECT_THROW(SocketFilter::parse(repeated({"not"}, 100'000)), Error);
}

// A chain of 200,000 terms parses and matches in linear time (it took
// quadratic time, minutes, before) and without deep recursion.
TEST(SocketFilter, LongChainsAreLinear) {
  auto chain = repeated({"sport", "=", ":1", "or"}, 200'000);
  chain.insert(chain.end(), {"sport", "=", ":443"});
  const auto filter = SocketFilter::parse(chain);
  EXPECT_TRUE(filter.matches(kHttps));
  EXPECT_FALSE(filter.matches(kSshClient));

  auto conjunction = repeated({"not", "sport", "=", ":1", "and"}, 200'000);
  conjunction.insert(conjunction.end(), {"sport", "=", ":443"});
  EXPECT_TRUE(SocketFilter::parse(conjunction).matches(kHttps));
}

} // namespace
} // namespace tcpsight
