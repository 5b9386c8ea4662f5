#pragma once

#include <filesystem>
#include <optional>
#include <string>

namespace tcpsight {

// What the kernel needs before tcpsight can load its BPF programs.

inline constexpr const char* kKernelBtfPath = "/sys/kernel/btf/vmlinux";

struct Capabilities {
  bool bpf = false;       // CAP_BPF
  bool perfmon = false;   // CAP_PERFMON
  bool sys_admin = false; // CAP_SYS_ADMIN, which implies both on any kernel
};

// The calling thread's effective capabilities.
Capabilities effective_capabilities();

// Why tracing cannot start, as one line that says what to do; nothing when
// it can.
std::optional<std::string> tracing_preflight_error(const Capabilities& capabilities,
                                                   const std::filesystem::path& kernel_btf);

// Throws tcpsight::Error when tracing cannot start on this machine.
void check_can_trace();

} // namespace tcpsight
