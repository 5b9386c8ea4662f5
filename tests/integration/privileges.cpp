#include "privileges.hpp"

#include "tcpsight/kernel/preflight.hpp"

#include <grp.h>
#include <unistd.h>

#include <cstdlib>
#include <string_view>

namespace tcpsight::test {

std::optional<std::string> why_tracing_is_unavailable() {
  return tracing_preflight_error(effective_capabilities(), kKernelBtfPath);
}

void become_nobody() {
  if (setgroups(0, nullptr) != 0 || setgid(kNobody) != 0 || setuid(kNobody) != 0)
    _exit(125);
}

bool running_in_ci() {
  const char* ci = std::getenv("CI");
  return ci != nullptr && std::string_view(ci) == "true";
}

} // namespace tcpsight::test
