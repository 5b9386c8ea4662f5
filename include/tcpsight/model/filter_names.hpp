#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>

namespace tcpsight {

// How the names a filter may hold become numbers: services (:ssh), devices
// (dev eth0) and cgroups (cgroup /system.slice). Where a lookup is missing
// or finds nothing, the name is refused; numbers need none. The system's
// lookups are kernel/system_filter_names.hpp's.
struct FilterNames {
  std::function<std::optional<std::uint16_t>(const std::string& service)> port;
  std::function<std::optional<std::uint32_t>(const std::string& device)> device_index;
  // A path from the cgroup v2 root, or a directory; throws tcpsight::Error saying why not.
  std::function<std::uint64_t(const std::string& path)> cgroup_id;
};

} // namespace tcpsight
