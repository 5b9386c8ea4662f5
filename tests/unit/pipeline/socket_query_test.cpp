#include "tcpsight/pipeline/socket_query.hpp"

#include "tcpsight/model/error.hpp"

#include <gtest/gtest.h>
#include <sys/socket.h>

namespace tcpsight {
namespace {

using enum Protocol;

std::string error_of(const std::function<void()>& call) {
  try {
    call();
  } catch (const Error& e) {
    return e.what();
  }
  return "no error";
}

SocketRow inet_row(Protocol protocol, AddressFamily family, TcpState state) {
  SocketRow row;
  row.protocol = protocol;
  row.id.local.family = family;
  row.state = state;
  return row;
}

SocketRow unix_row(int type, TcpState state) {
  SocketRow row;
  row.protocol = Unix;
  row.unix_type = type;
  row.state = state;
  return row;
}

const SocketRow kTcp4 = inet_row(Tcp, AddressFamily::IPv4, TcpState::Established);
const SocketRow kTcp6 = inet_row(Tcp, AddressFamily::IPv6, TcpState::Established);
const SocketRow kListener = inet_row(Tcp, AddressFamily::IPv4, TcpState::Listen);
const SocketRow kTimeWait = inet_row(Tcp, AddressFamily::IPv4, TcpState::TimeWait);
const SocketRow kUdpConnected = inet_row(Udp, AddressFamily::IPv4, TcpState::Established);
const SocketRow kUdpBound = inet_row(Udp, AddressFamily::IPv4, TcpState::Close);
const SocketRow kUnixStream = unix_row(SOCK_STREAM, TcpState::Established);
const SocketRow kUnixDgram = unix_row(SOCK_DGRAM, TcpState::Established);
const SocketRow kUnixUnconnected = unix_row(SOCK_STREAM, TcpState::Close);

// ss alone: every table's connected sockets.
TEST(SocketQuery, NothingChosenListsConnectedSocketsOfEveryTable) {
  const SocketQuery query;
  EXPECT_FALSE(query.chosen());
  EXPECT_EQ(query.protocols(), (std::vector<Protocol>{Unix, Raw, Udp, Tcp})); // ss's order
  EXPECT_TRUE(query.wants_ipv4());
  EXPECT_TRUE(query.wants_ipv6());
  for (const auto& row : {kTcp4, kTcp6, kUdpConnected, kUnixStream, kUnixDgram})
    EXPECT_TRUE(query.wants(row));
  for (const auto& row : {kListener, kTimeWait, kUdpBound, kUnixUnconnected})
    EXPECT_FALSE(query.wants(row));
}

TEST(SocketQuery, AllAndListening) {
  SocketQuery all;
  all.list_every_state();
  for (const auto& row : {kTcp4, kListener, kTimeWait, kUdpBound, kUnixUnconnected})
    EXPECT_TRUE(all.wants(row));
  SocketQuery listening;
  listening.add_protocol(Tcp);
  listening.add_protocol(Udp);
  listening.list_listening();
  EXPECT_TRUE(listening.wants(kListener));
  EXPECT_TRUE(listening.wants(kUdpBound)); // unconnected
  EXPECT_FALSE(listening.wants(kTcp4));
  EXPECT_FALSE(listening.wants(kUnixUnconnected)); // not a table asked for
}

TEST(SocketQuery, TablesByNameAliasAndNegation) {
  SocketQuery query;
  query.add_tables("udp,raw");
  query.add_protocol(Tcp);
  EXPECT_EQ(query.protocols(), (std::vector<Protocol>{Raw, Udp, Tcp}));
  SocketQuery but_tcp; // ss(8)'s example: all,!tcp
  but_tcp.add_tables("all,!tcp");
  EXPECT_EQ(but_tcp.protocols(), (std::vector<Protocol>{Unix, Raw, Udp}));
  EXPECT_FALSE(but_tcp.wants(kTcp4));
  SocketQuery streams;
  streams.add_tables("u_str,unix_seqpacket");
  EXPECT_EQ(streams.protocols(), (std::vector<Protocol>{Unix}));
  EXPECT_TRUE(streams.wants(kUnixStream));
  EXPECT_FALSE(streams.wants(kUnixDgram));
  SocketQuery none; // everything taken away: nothing listed
  none.add_tables("!tcp");
  EXPECT_TRUE(none.protocols().empty());
  SocketQuery never_listed; // leaving out what tcpsight never lists is fine
  never_listed.add_tables("all,!netlink,!packet");
  EXPECT_EQ(never_listed.protocols().size(), 4u);
  SocketQuery only_left_out; // as ss: no table at all, whatever came before
  only_left_out.add_protocol(Tcp);
  only_left_out.add_tables("!packet");
  EXPECT_TRUE(only_left_out.protocols().empty());
  EXPECT_TRUE(only_left_out.chosen());
}

// A family brings its tables when none of them was chosen, and a table its
// families: -x -4 is unix and IPv4 sockets, -t -4 only IPv4 TCP.
TEST(SocketQuery, FamiliesAndTablesMergeAsInSs) {
  SocketQuery inet;
  inet.add_family("inet");
  EXPECT_EQ(inet.protocols(), (std::vector<Protocol>{Raw, Udp, Tcp}));
  EXPECT_TRUE(inet.wants(kTcp4));
  EXPECT_FALSE(inet.wants(kTcp6));
  SocketQuery tcp4;
  tcp4.add_protocol(Tcp);
  tcp4.add_family("inet");
  EXPECT_EQ(tcp4.protocols(), (std::vector<Protocol>{Tcp}));
  EXPECT_FALSE(tcp4.wants_ipv6());
  SocketQuery unix_and_ipv4; // -x -4
  unix_and_ipv4.add_family("unix");
  unix_and_ipv4.add_family("inet");
  EXPECT_EQ(unix_and_ipv4.protocols(), (std::vector<Protocol>{Unix, Raw, Udp, Tcp}));
  EXPECT_TRUE(unix_and_ipv4.wants(kUnixStream));
  EXPECT_TRUE(unix_and_ipv4.wants(kTcp4));
  EXPECT_FALSE(unix_and_ipv4.wants(kTcp6));
  SocketQuery tcp_and_unix_family;
  tcp_and_unix_family.add_protocol(Tcp);
  tcp_and_unix_family.add_family("unix");
  EXPECT_TRUE(tcp_and_unix_family.wants(kTcp6));
  EXPECT_TRUE(tcp_and_unix_family.wants(kUnixDgram));
}

// Without -a or -l, each table's own defaults: connected UDP only.
TEST(SocketQuery, DefaultStatesOfTheTablesChosen) {
  SocketQuery udp;
  udp.add_protocol(Udp);
  EXPECT_TRUE(udp.wants(kUdpConnected));
  EXPECT_FALSE(udp.wants(kUdpBound));
  SocketQuery unix_sockets; // -x
  unix_sockets.add_family("unix");
  EXPECT_TRUE(unix_sockets.wants(kUnixDgram));
  EXPECT_FALSE(unix_sockets.wants(kUnixUnconnected));
}

// The first -A starts the tables afresh (ss -t -A udp lists UDP only), and
// -x is a family: -x -A u_str lists unix stream sockets only.
TEST(SocketQuery, OptionsApplyInTheOrderGiven) {
  SocketQuery udp_only;
  udp_only.add_protocol(Tcp);
  udp_only.add_tables("udp");
  EXPECT_EQ(udp_only.protocols(), (std::vector<Protocol>{Udp}));
  SocketQuery both;
  both.add_tables("udp");
  both.add_protocol(Tcp);
  EXPECT_EQ(both.protocols(), (std::vector<Protocol>{Udp, Tcp}));
  SocketQuery streams;
  streams.add_family("unix");
  streams.add_tables("u_str");
  EXPECT_TRUE(streams.wants(kUnixStream));
  EXPECT_FALSE(streams.wants(kUnixDgram));
  SocketQuery not_datagrams; // a family brings its tables only if none was chosen
  not_datagrams.add_family("unix");
  not_datagrams.add_tables("!u_dgr");
  EXPECT_TRUE(not_datagrams.wants(kUnixDgram));
  // The last of -a and -l counts.
  SocketQuery listening;
  listening.list_every_state();
  listening.list_listening();
  EXPECT_FALSE(listening.wants(kTcp4));
  EXPECT_TRUE(listening.wants(kListener));
  SocketQuery all;
  all.list_listening();
  all.list_every_state();
  EXPECT_TRUE(all.wants(kTcp4));
}

// A state number no state has (from a file, say) is not wanted, and does
// not shift past the width of the set.
TEST(SocketQuery, UnknownStatesAreNotWanted) {
  SocketQuery all;
  all.list_every_state();
  auto odd = kTcp4;
  odd.state = static_cast<TcpState>(200);
  EXPECT_FALSE(all.wants(odd));
}

TEST(SocketQuery, WhatTcpsightDoesNotListIsSaid) {
  SocketQuery query;
  EXPECT_EQ(error_of([&] { query.add_tables("tcp,packet"); }),
            "-A packet: not supported; tcpsight lists TCP, UDP, raw and unix sockets");
  EXPECT_EQ(error_of([&] { query.add_tables("p_raw"); }),
            "-A p_raw: not supported; tcpsight lists TCP, UDP, raw and unix sockets");
  EXPECT_EQ(error_of([&] { query.add_family("vsock"); }),
            "-f vsock: not supported; tcpsight lists TCP, UDP, raw and unix sockets");
  EXPECT_NE(error_of([&] { query.add_tables("tpc"); }).find("'tpc': not a socket table"),
            std::string::npos);
  EXPECT_EQ(error_of([&] { query.add_family("inet4"); }),
            "-f 'inet4': not an address family tcpsight knows (inet, inet6, unix)");
  EXPECT_NE(error_of([&] { query.add_tables("!tpc"); }).find("'tpc': not a socket table"),
            std::string::npos);
  EXPECT_NE(error_of([&] { query.add_tables(""); }).find("'': not a socket table"),
            std::string::npos);
  EXPECT_NE(error_of([&] { query.add_tables("tcp,"); }).find("'': not a socket table"),
            std::string::npos);
}

} // namespace
} // namespace tcpsight
