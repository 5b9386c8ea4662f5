#include "tcpsight/model/cgroup_name.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <vector>

namespace tcpsight {
namespace {

constexpr std::size_t kContainerIdLength = 64;
constexpr std::size_t kPodUidLength = 36;

bool is_hex(std::string_view text) {
  return std::all_of(text.begin(), text.end(),
                     [](unsigned char c) { return std::isdigit(c) || (c >= 'a' && c <= 'f'); });
}

bool is_container_id(std::string_view text) {
  return text.size() == kContainerIdLength && is_hex(text);
}

bool ends_with(std::string_view text, std::string_view suffix) { return text.ends_with(suffix); }

std::vector<std::string_view> components(std::string_view path) {
  std::vector<std::string_view> parts;
  while (!path.empty()) {
    const auto slash = path.find('/');
    const auto part = path.substr(0, slash);
    if (!part.empty())
      parts.push_back(part);
    if (slash == std::string_view::npos)
      break;
    path.remove_prefix(slash + 1);
  }
  return parts;
}

// "docker-<id>.scope", "cri-containerd-<id>.scope", "crio-<id>.scope",
// "libpod-<id>.scope" (systemd driver), or "<id>", "crio-<id>", "libpod-<id>"
// (cgroupfs driver): the id. "crio-conmon-<id>" and "libpod-conmon-<id>"
// hold the runtimes' monitors, not the container.
std::string_view container_in(std::string_view part) {
  if (is_container_id(part))
    return part;
  if (part.starts_with("crio-conmon-") || part.starts_with("libpod-conmon-"))
    return {};
  if (ends_with(part, ".scope"))
    part.remove_suffix(std::string_view(".scope").size());
  const auto dash = part.rfind('-');
  if (dash == std::string_view::npos)
    return {};
  const auto id = part.substr(dash + 1);
  return is_container_id(id) ? id : std::string_view{};
}

// "pod<uid>" (cgroupfs) or "kubepods-<qos>-pod<uid>.slice" (systemd, with
// the uid's dashes as underscores): the uid with dashes.
std::string pod_in(std::string_view part) {
  if (ends_with(part, ".slice"))
    part.remove_suffix(std::string_view(".slice").size());
  const auto at = part.rfind("pod");
  if (at == std::string_view::npos || (at != 0 && part[at - 1] != '-'))
    return {};
  std::string uid(part.substr(at + 3));
  std::replace(uid.begin(), uid.end(), '_', '-');
  const bool uuid =
      uid.size() == kPodUidLength && std::all_of(uid.begin(), uid.end(), [](unsigned char c) {
        return c == '-' || std::isdigit(c) || (c >= 'a' && c <= 'f');
      });
  return uuid ? uid : std::string();
}

// "kubepods-burstable.slice", "kubelet-kubepods-besteffort.slice" (kind),
// "burstable" under "kubepods", ...
std::string qos_in(std::string_view part) {
  for (std::string_view qos : {"burstable", "besteffort"})
    if (part == qos || part.find(std::string("kubepods-").append(qos)) != std::string_view::npos)
      return std::string(qos);
  return {};
}

// "kubepods", "kubepods.slice", "kubelet-kubepods.slice": Kubernetes' root.
bool is_kubepods_root(std::string_view part) {
  return part == "kubepods" || part == "kubepods.slice" || part == "kubelet-kubepods.slice";
}

bool is_unit(std::string_view part) {
  return ends_with(part, ".service") || ends_with(part, ".scope");
}

} // namespace

CgroupName name_cgroup(std::string_view path) {
  CgroupName name;
  bool in_kubepods = false;
  for (const auto part : components(path)) {
    if (is_kubepods_root(part))
      in_kubepods = true;
    if (const auto id = container_in(part); !id.empty()) {
      name.container = std::string(id);
      continue;
    }
    if (is_unit(part)) {
      name.unit = std::string(part);
      continue;
    }
    if (!in_kubepods)
      continue;
    if (auto qos = qos_in(part); !qos.empty())
      name.qos = std::move(qos);
    if (auto pod = pod_in(part); !pod.empty()) {
      name.pod = std::move(pod);
      if (name.qos.empty())
        name.qos = "guaranteed"; // pods of that class sit right under kubepods
    }
  }
  return name;
}

std::string_view short_container_id(std::string_view id) { return id.substr(0, 12); }

std::string_view cgroup_display_name(const CgroupInfo& cgroup) {
  if (!cgroup.name.container.empty())
    return short_container_id(cgroup.name.container);
  if (!cgroup.name.pod.empty())
    return cgroup.name.pod;
  if (!cgroup.name.unit.empty())
    return cgroup.name.unit;
  const auto slash = cgroup.path.rfind('/');
  if (slash == std::string::npos || slash + 1 == cgroup.path.size())
    return cgroup.path; // "/", the root
  return std::string_view(cgroup.path).substr(slash + 1);
}

} // namespace tcpsight
