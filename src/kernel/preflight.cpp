#include "tcpsight/kernel/preflight.hpp"

#include "tcpsight/model/error.hpp"

#include <linux/capability.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cstdint>
#include <fmt/format.h>
#include <system_error>

// Older kernel headers do not name these; the numbers are part of the ABI.
#ifndef CAP_PERFMON
#define CAP_PERFMON 38
#endif
#ifndef CAP_BPF
#define CAP_BPF 39
#endif

namespace tcpsight {
namespace {

bool has_capability(const __user_cap_data_struct (&data)[2], int capability) {
  const auto word = static_cast<std::size_t>(capability / 32);
  return (data[word].effective & (std::uint32_t{1} << (capability % 32))) != 0;
}

} // namespace

Capabilities effective_capabilities() {
  __user_cap_header_struct header{.version = _LINUX_CAPABILITY_VERSION_3, .pid = 0};
  __user_cap_data_struct data[2]{};
  if (syscall(SYS_capget, &header, data) != 0)
    return {};
  return {.bpf = has_capability(data, CAP_BPF),
          .perfmon = has_capability(data, CAP_PERFMON),
          .sys_admin = has_capability(data, CAP_SYS_ADMIN)};
}

std::optional<std::string> tracing_preflight_error(const Capabilities& capabilities,
                                                   const std::filesystem::path& kernel_btf) {
  std::error_code ignored;
  if (!std::filesystem::exists(kernel_btf, ignored))
    return fmt::format("this kernel has no BTF ({} is missing): tcpsight needs Linux 5.9 or "
                       "newer built with CONFIG_DEBUG_INFO_BTF=y",
                       kernel_btf.string());
  const bool can_trace = capabilities.sys_admin || (capabilities.bpf && capabilities.perfmon);
  if (!can_trace)
    return "tracing needs CAP_BPF and CAP_PERFMON (or CAP_SYS_ADMIN): run tcpsight as root, "
           "e.g. with sudo";
  return std::nullopt;
}

void check_can_trace() {
  if (auto error = tracing_preflight_error(effective_capabilities(), kKernelBtfPath))
    throw Error(*error);
}

} // namespace tcpsight
