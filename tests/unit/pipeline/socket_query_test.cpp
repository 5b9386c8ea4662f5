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

TEST(SocketQuery, NothingChosenListsEverything) {
  const SocketQuery query;
  EXPECT_EQ(query.protocols({}), (std::vector<Protocol>{Tcp, Udp, Raw, Unix}));
  EXPECT_TRUE(query.wants_ipv4(false, false));
  EXPECT_TRUE(query.wants_ipv6(false, false));
  EXPECT_TRUE(query.wants_unix_type(SOCK_DGRAM));
}

TEST(SocketQuery, TablesAddToTheFlags) {
  SocketQuery query;
  query.add_tables("udp,raw");
  EXPECT_EQ(query.protocols({Tcp}), (std::vector<Protocol>{Udp, Raw, Tcp}));
  SocketQuery inet;
  inet.add_tables("inet");
  EXPECT_EQ(inet.protocols({}), (std::vector<Protocol>{Tcp, Udp, Raw}));
  SocketQuery all;
  all.add_tables("all");
  EXPECT_EQ(all.protocols({}), (std::vector<Protocol>{Tcp, Udp, Raw, Unix}));
}

TEST(SocketQuery, UnixSocketsOfOneType) {
  SocketQuery query;
  query.add_tables("unix_stream,unix_seqpacket");
  EXPECT_EQ(query.protocols({}), (std::vector<Protocol>{Unix}));
  EXPECT_TRUE(query.wants_unix_type(SOCK_STREAM));
  EXPECT_TRUE(query.wants_unix_type(SOCK_SEQPACKET));
  EXPECT_FALSE(query.wants_unix_type(SOCK_DGRAM));
  query.add_tables("unix");
  EXPECT_TRUE(query.wants_unix_type(SOCK_DGRAM));
}

// -f inet: IPv4 sockets of every inet protocol, or of those the flags name.
TEST(SocketQuery, FamiliesChooseAddressesAndInetProtocols) {
  SocketQuery query;
  query.add_family("inet");
  EXPECT_EQ(query.protocols({}), (std::vector<Protocol>{Tcp, Udp, Raw}));
  EXPECT_EQ(query.protocols({Tcp}), (std::vector<Protocol>{Tcp}));
  EXPECT_TRUE(query.wants_ipv4(false, false));
  EXPECT_FALSE(query.wants_ipv6(false, false));
  EXPECT_TRUE(query.wants_ipv6(false, true)); // -6 as well
  SocketQuery unix;
  unix.add_family("unix");
  EXPECT_EQ(unix.protocols({}), (std::vector<Protocol>{Unix}));
}

TEST(SocketQuery, WhatTcpsightDoesNotListIsSaid) {
  SocketQuery query;
  EXPECT_EQ(error_of([&] { query.add_tables("tcp,packet"); }),
            "-A packet: not supported; tcpsight lists TCP, UDP, raw and unix sockets");
  EXPECT_EQ(error_of([&] { query.add_family("vsock"); }),
            "-f vsock: not supported; tcpsight lists TCP, UDP, raw and unix sockets");
  EXPECT_NE(error_of([&] { query.add_tables("tpc"); }).find("'tpc': not a socket table"),
            std::string::npos);
  EXPECT_NE(error_of([&] { query.add_tables(""); }).find("'': not a socket table"),
            std::string::npos);
  EXPECT_NE(error_of([&] { query.add_tables("tcp,"); }).find("'': not a socket table"),
            std::string::npos);
}

} // namespace
} // namespace tcpsight
