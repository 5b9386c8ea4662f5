#include "tcpsight/model/errno_name.hpp"

#include <cstring>
#include <fmt/format.h>

namespace tcpsight {

std::string errno_name(int error) {
  if (const char* name = strerrorname_np(error))
    return name;
  return fmt::format("E{}", error);
}

} // namespace tcpsight
