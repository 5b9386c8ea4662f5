#include "privileges.hpp"

#include "tcpsight/kernel/preflight.hpp"

#include <cstdlib>
#include <string_view>

namespace tcpsight::test {

std::optional<std::string> why_tracing_is_unavailable() {
  return tracing_preflight_error(effective_capabilities(), kKernelBtfPath);
}

bool running_in_ci() {
  const char* ci = std::getenv("CI");
  return ci != nullptr && std::string_view(ci) == "true";
}

} // namespace tcpsight::test
