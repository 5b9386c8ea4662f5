#include "tcpsight/kernel/system_filter_names.hpp"

#include "tcpsight/kernel/cgroup_directory.hpp"
#include "tcpsight/model/error.hpp"
#include "tcpsight/model/filter.hpp"

#include <arpa/inet.h>
#include <net/if.h>
#include <netdb.h>

namespace tcpsight {
namespace {

std::optional<std::uint16_t> service_port(const std::string& name) {
  for (const char* protocol : {"tcp", "udp"})
    if (const servent* service = getservbyname(name.c_str(), protocol))
      return ntohs(static_cast<std::uint16_t>(service->s_port));
  return std::nullopt;
}

std::optional<std::uint32_t> device_index(const std::string& name) {
  const auto index = if_nametoindex(name.c_str());
  return index == 0 ? std::nullopt : std::optional(index);
}

// As ss takes it, from the cgroup v2 root (/system.slice), or a directory
// of the mount.
std::uint64_t cgroup_id(const std::string& path) {
  std::string directory = path;
  if (path.starts_with('/')) {
    const auto root = cgroup2_mount_point();
    if (root.empty())
      throw Error("filter: cgroup: no cgroup v2 file system is mounted");
    if (!path.starts_with(root + "/") && path != root)
      directory = root + path;
  }
  return resolve_cgroup(directory);
}

} // namespace

FilterNames system_filter_names() {
  return {.port = service_port, .device_index = device_index, .cgroup_id = cgroup_id};
}

} // namespace tcpsight
