#include "tcpsight/model/drop_reasons.hpp"

#include "tcpsight/kernel/kernel_drop_reasons.hpp"
#include "tcpsight/model/event.hpp"

#include <gtest/gtest.h>

namespace tcpsight {
namespace {

TEST(DropReasons, NamesWithoutThePrefixAndNumbersOtherwise) {
  DropReasons reasons;
  reasons.add(12, "SKB_DROP_REASON_NETFILTER_DROP");
  reasons.add(40, "TCP_LISTEN_OVERFLOW");
  EXPECT_EQ(reasons.name(12), "NETFILTER_DROP");
  EXPECT_EQ(reasons.name(40), "TCP_LISTEN_OVERFLOW");
  EXPECT_EQ(reasons.name(99), "reason_99");
}

// Names come from kernel BTF or a recording: anything but an enumerator's
// name is not kept.
TEST(DropReasons, OnlyEnumeratorNamesAreKept) {
  DropReasons reasons;
  reasons.add(1, "");
  reasons.add(2, "SKB_DROP_REASON_");
  reasons.add(3, "\x1b[2Jevil");
  reasons.add(4, std::string(65, 'A'));
  reasons.add(5, "lower_case");
  EXPECT_TRUE(reasons.empty());
  EXPECT_EQ(reasons.name(3), "reason_3");
}

TEST(DropReasons, NameDropUsesTheTableOrTheListenOverflowSeen) {
  DropReasons reasons;
  reasons.add(12, "NETFILTER_DROP");
  Event drop;
  drop.type = EventType::Drop;
  drop.drop = DropDetails{.code = 12};
  name_drop(drop, reasons);
  EXPECT_EQ(drop.drop->reason, "NETFILTER_DROP");
  drop.drop = DropDetails{.listen_overflow = true};
  name_drop(drop, reasons);
  EXPECT_EQ(drop.drop->reason, "TCP_LISTEN_OVERFLOW");
  Event transition;
  name_drop(transition, reasons);
  EXPECT_FALSE(transition.drop);
}

// The running kernel's BTF: every kernel with drop reasons has these.
TEST(DropReasons, RunningKernelHasTheCommonOnes) {
  const auto reasons = running_kernel_drop_reasons(); // Linux 5.17+ with BTF
  ASSERT_FALSE(reasons.empty());
  bool netfilter = false;
  bool no_socket = false;
  for (const auto& [code, name] : reasons.all()) {
    netfilter |= name == "NETFILTER_DROP";
    no_socket |= name == "NO_SOCKET";
  }
  EXPECT_TRUE(netfilter);
  EXPECT_TRUE(no_socket);
}

} // namespace
} // namespace tcpsight
