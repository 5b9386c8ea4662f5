#include "tcpsight/kernel/sock_diag.hpp"

#include "tcpsight/model/error.hpp"

#include <libmnl/libmnl.h>
#include <linux/inet_diag.h>
#include <linux/netlink.h>
#include <linux/sock_diag.h>

#include <gtest/gtest.h>

#include <cerrno>
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

// Lookup answers, appended to one read: a socket found, or an error.
class LookupAnswers {
public:
  LookupAnswers& socket(std::uint64_t cookie, std::uint8_t state, std::uint32_t expires_ms) {
    inet_diag_msg diag{};
    diag.idiag_family = AF_INET;
    diag.idiag_state = state;
    diag.idiag_expires = expires_ms;
    diag.id.idiag_cookie[0] = static_cast<std::uint32_t>(cookie);
    diag.id.idiag_cookie[1] = static_cast<std::uint32_t>(cookie >> 32);
    return add(SOCK_DIAG_BY_FAMILY, &diag, sizeof diag);
  }
  LookupAnswers& error(int error) {
    nlmsgerr body{.error = -error};
    return add(NLMSG_ERROR, &body, sizeof body);
  }
  LookupAnswers& truncated_error() {
    const int error = -ENOENT;
    return add(NLMSG_ERROR, &error, sizeof error);
  }
  std::size_t parse(std::vector<SocketRow>& found) const {
    return parse_lookup_answer({bytes_.data(), bytes_.size()},
                               [&](const SocketRow& row) { found.push_back(row); });
  }

private:
  LookupAnswers& add(std::uint16_t type, const void* body, std::size_t size) {
    nlmsghdr header{.nlmsg_len = static_cast<std::uint32_t>(NLMSG_HDRLEN + size),
                    .nlmsg_type = type};
    const auto at = bytes_.size();
    bytes_.resize(at + NLMSG_ALIGN(header.nlmsg_len));
    std::memcpy(bytes_.data() + at, &header, sizeof header);
    std::memcpy(bytes_.data() + at + NLMSG_HDRLEN, body, size);
    return *this;
  }
  std::vector<char> bytes_;
};

TEST(SockDiagLookup, SocketsAndNotFoundAreAnswers) {
  std::vector<SocketRow> found;
  const auto answers =
      LookupAnswers().socket(0x1234'0000'0042, 6, 59'500).error(ENOENT).error(ESTALE).parse(found);
  EXPECT_EQ(answers, 3u);
  ASSERT_EQ(found.size(), 1u);
  EXPECT_EQ(found[0].id.sock_id, 0x1234'0000'0042u);
  EXPECT_EQ(found[0].state, TcpState::TimeWait);
  EXPECT_EQ(found[0].timer_ms, 59'500u);
}

TEST(SockDiagLookup, OtherErrorsAndMalformedAnswersFail) {
  std::vector<SocketRow> found;
  EXPECT_THROW(LookupAnswers().error(EINVAL).parse(found), Error);
  EXPECT_THROW(LookupAnswers().error(ENOMEM).parse(found), Error);
  EXPECT_THROW(LookupAnswers().truncated_error().parse(found), Error);
  const auto longer = message(4096, 60);
  EXPECT_THROW(
      parse_lookup_answer({reinterpret_cast<const char*>(longer.data()), longer.size() * 4},
                          [](const SocketRow&) {}),
      Error)
      << "longer than the answer";
}
} // namespace
} // namespace tcpsight
