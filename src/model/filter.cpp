#include "tcpsight/model/filter.hpp"

#include "model/parse_number.hpp"

#include "tcpsight/model/error.hpp"

#include <linux/magic.h>
#include <sys/stat.h>
#include <sys/vfs.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <fmt/format.h>
#include <optional>

namespace tcpsight {
namespace {

using detail::parse_number;

template <typename T> bool contains(const std::vector<T>& values, const T& value) {
  return std::find(values.begin(), values.end(), value) != values.end();
}

// The inode of a file, or of a directory: how the kernel numbers namespaces
// and cgroup v2 directories. The file must be on the filesystem that holds
// such things (nsfs, cgroup2): any other file's inode would match nothing.
std::uint64_t inode_of(const std::string& path, std::string_view what, std::string_view example,
                       decltype(statfs::f_type) filesystem) {
  struct stat status {};
  if (stat(path.c_str(), &status) != 0)
    throw Error(fmt::format("{} '{}' is neither a number nor a file that exists", what, path));
  struct statfs where {};
  if (statfs(path.c_str(), &where) != 0 || where.f_type != filesystem)
    throw Error(fmt::format("'{}' is not a {} ({}, say)", path, what, example));
  return status.st_ino;
}

// Namespace and cgroup ids are inode numbers: never 0, which the kernel's
// filters take as "any".
template <typename Id> Id nonzero_id(std::optional<Id> id, std::string_view what) {
  if (*id == 0)
    throw Error(fmt::format("{} 0 does not exist: ids start at 1", what));
  return *id;
}

bool matches_ports(const Filter& f, const ConnectionId& id) {
  if (!f.local_ports.empty() && !contains(f.local_ports, id.local_port))
    return false;
  if (!f.remote_ports.empty() && !contains(f.remote_ports, id.remote_port))
    return false;
  if (!f.ports.empty() && !contains(f.ports, id.local_port) && !contains(f.ports, id.remote_port))
    return false;
  return true;
}

bool matches_owner(const Filter& f, const std::optional<Owner>& owner) {
  if (!f.pid && !f.comm && !f.cgroup)
    return true;
  if (!owner)
    return false;
  return (!f.pid || owner->pid == *f.pid) && (!f.comm || owner->comm == *f.comm) &&
         (!f.cgroup || owner->cgroup_id == *f.cgroup);
}

} // namespace

bool Filter::matches(const Event& e) const {
  if (!states.empty() && !contains(states, e.old_state) && !contains(states, e.new_state))
    return false;
  return matches(e.id, e.owner);
}

bool Filter::matches(const ConnectionId& id, const std::optional<Owner>& owner) const {
  if (family && id.family() != *family)
    return false;
  if (netns && id.netns != *netns)
    return false;
  return matches_owner(*this, owner) && matches_ports(*this, id);
}

std::uint16_t parse_port(std::string_view text) {
  const auto port = parse_number<unsigned>(text);
  if (!port || *port < 1 || *port > 65535)
    throw Error(fmt::format("'{}' is not a port: ports are numbers from 1 to 65535", text));
  return static_cast<std::uint16_t>(*port);
}

TcpState parse_state(std::string_view text) {
  std::string name(text);
  for (char& c : name)
    c = c == '-' ? '_' : static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  if (name == "CLOSED")
    name = "CLOSE";
  for (const auto& state : tcp_states())
    if (state.name == name)
      return state.state;
  throw Error(fmt::format("'{}' is not a TCP state; `tcpsight states` lists them", text));
}

std::uint32_t resolve_netns(const std::string& text) {
  if (auto inode = parse_number<std::uint32_t>(text))
    return nonzero_id(inode, "network namespace");
  return static_cast<std::uint32_t>(
      inode_of(text, "network namespace", "/run/netns/NAME or /proc/PID/ns/net", NSFS_MAGIC));
}

std::uint64_t resolve_cgroup(const std::string& text) {
  if (auto id = parse_number<std::uint64_t>(text))
    return nonzero_id(id, "cgroup");
  return inode_of(text, "cgroup v2 directory", "/sys/fs/cgroup/system.slice", CGROUP2_SUPER_MAGIC);
}

} // namespace tcpsight
