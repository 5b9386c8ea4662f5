#include "tcpsight/kernel/preflight.hpp"

#include <gtest/gtest.h>

namespace tcpsight {
namespace {

const std::filesystem::path kPresentBtf = "/proc/self/status"; // any file that exists
const std::filesystem::path kMissingBtf = "/nonexistent/btf/vmlinux";

TEST(Preflight, BpfAndPerfmonAreEnough) {
  EXPECT_FALSE(tracing_preflight_error({.bpf = true, .perfmon = true}, kPresentBtf));
}

TEST(Preflight, SysAdminAloneIsEnough) {
  EXPECT_FALSE(tracing_preflight_error({.sys_admin = true}, kPresentBtf));
}

TEST(Preflight, MissingCapabilitySaysWhatToDo) {
  for (auto caps : {Capabilities{}, Capabilities{.bpf = true}, Capabilities{.perfmon = true}}) {
    const auto error = tracing_preflight_error(caps, kPresentBtf);
    ASSERT_TRUE(error);
    EXPECT_EQ(*error, "tracing needs CAP_BPF and CAP_PERFMON (or CAP_SYS_ADMIN): run tcpsight as "
                      "root, e.g. with sudo");
  }
}

TEST(Preflight, KernelWithoutBtfSaysWhatIsNeeded) {
  const auto error = tracing_preflight_error({.sys_admin = true}, kMissingBtf);
  ASSERT_TRUE(error);
  EXPECT_EQ(*error, "this kernel has no BTF (/nonexistent/btf/vmlinux is missing): tcpsight needs "
                    "Linux 5.9 or newer built with CONFIG_DEBUG_INFO_BTF=y");
  EXPECT_EQ(error->find('\n'), std::string::npos);
}

} // namespace
} // namespace tcpsight
