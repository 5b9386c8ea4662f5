#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

namespace tcpsight {

// The names people know a cgroup v2 by, read from its path: the systemd
// unit, the container, the Kubernetes pod. Empty where the path says none.
struct CgroupName {
  std::string unit;      // innermost systemd service or scope: "nginx.service"
  std::string container; // container id, 64 hex (Docker, containerd, CRI-O, Podman)
  std::string pod;       // Kubernetes pod UID, dashed: "6c1e...-..."
  std::string qos;       // Kubernetes QoS class: "guaranteed", "burstable", "besteffort"

  friend bool operator==(const CgroupName&, const CgroupName&) = default;
};

// Names from a path relative to the cgroup v2 root, as systemd and the
// container runtimes lay it out with either the systemd or the cgroupfs
// driver: "/system.slice/docker-<id>.scope", "/docker/<id>",
// "/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod<uid>.slice/cri-containerd-<id>.scope",
// "/kubepods/besteffort/pod<uid>/<id>", "/system.slice/nginx.service".
CgroupName name_cgroup(std::string_view path);

// What a cgroup v2 id stands for: its path under the cgroup v2 root
// ("/system.slice/nginx.service") and the names read from that path.
struct CgroupInfo {
  std::string path;
  CgroupName name;
};

// What a cgroup id stands for, where it is known (live, on this host); null
// where it is not.
using CgroupLookup = std::function<const CgroupInfo*(std::uint64_t id)>;

// The name a column shows: the container's short id, else the pod, else the
// unit, else the path's last part ("user-1000.slice"; "/" for the root).
std::string_view cgroup_display_name(const CgroupInfo& cgroup);

// A container id as docker ps shows it: its first 12 characters.
std::string_view short_container_id(std::string_view id);

} // namespace tcpsight
