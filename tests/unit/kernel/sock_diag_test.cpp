#include "tcpsight/kernel/sock_diag.hpp"

#include <libmnl/libmnl.h>
#include <linux/netlink.h>

#include <gtest/gtest.h>

#include <cstring>
#include <vector>

namespace tcpsight {
namespace {

// A netlink message header and a payload of payload_size zero bytes.
std::vector<std::uint32_t> message(std::uint32_t length, std::size_t payload_size) {
  std::vector<std::uint32_t> words((sizeof(nlmsghdr) + payload_size + 3) / 4);
  nlmsghdr header{.nlmsg_len = length, .nlmsg_type = 20, .nlmsg_flags = NLM_F_MULTI};
  std::memcpy(words.data(), &header, sizeof header);
  return words;
}

int parse(const std::vector<std::uint32_t>& words, std::size_t& rows) {
  return parse_sock_diag_answer({reinterpret_cast<const char*>(words.data()), words.size() * 4},
                                Protocol::Tcp, [&](const SocketRow&) { ++rows; });
}

// Found by tests/fuzz: a message claiming 2 GiB or more passed libmnl's
// signed length check and was read past the end of the buffer.
TEST(SockDiagAnswer, AMessageLongerThanTheAnswerIsRefused) {
  std::size_t rows = 0;
  EXPECT_EQ(parse(message(0xff000064, 60), rows), MNL_CB_ERROR);
  EXPECT_EQ(parse(message(4096, 60), rows), MNL_CB_ERROR);
  EXPECT_EQ(rows, 0u);
}

TEST(SockDiagAnswer, AShortMessageIsSkippedAndAWholeOneParsed) {
  std::size_t rows = 0;
  EXPECT_EQ(parse(message(sizeof(nlmsghdr) + 8, 8), rows), MNL_CB_OK) << "shorter than a socket";
  EXPECT_EQ(rows, 0u);
  EXPECT_EQ(parse(message(sizeof(nlmsghdr) + 72, 72), rows), MNL_CB_OK);
  EXPECT_EQ(rows, 1u);
}

} // namespace
} // namespace tcpsight
