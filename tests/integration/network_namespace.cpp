#include "network_namespace.hpp"

#include <fcntl.h>
#include <sched.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <fmt/format.h>
#include <stdexcept>
#include <system_error>

namespace tcpsight::test {
namespace {

std::string netns_path(const std::string& name) { return "/run/netns/" + name; }

} // namespace

void run_command(const std::string& command) {
  const std::string quiet = command + " >/dev/null 2>&1";
  if (std::system(quiet.c_str()) != 0)
    throw std::runtime_error("command failed: " + command);
}

NetworkNamespace::NetworkNamespace(std::string name) : name_(std::move(name)) {
  std::system(fmt::format("ip netns delete {} >/dev/null 2>&1", name_).c_str());
  run_command(fmt::format("ip netns add {}", name_));
  exec("ip link set lo up");
}

NetworkNamespace::~NetworkNamespace() {
  std::system(fmt::format("ip netns delete {} >/dev/null 2>&1", name_).c_str());
}

std::uint32_t NetworkNamespace::inode() const {
  struct stat status {};
  if (stat(netns_path(name_).c_str(), &status) != 0)
    throw std::system_error(errno, std::generic_category(), "stat " + netns_path(name_));
  return static_cast<std::uint32_t>(status.st_ino);
}

void NetworkNamespace::enter() const {
  const int fd = open(netns_path(name_).c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0 || setns(fd, CLONE_NEWNET) != 0)
    throw std::system_error(errno, std::generic_category(), "setns " + name_);
  close(fd);
}

void NetworkNamespace::exec(const std::string& command) const {
  run_command(fmt::format("ip netns exec {} {}", name_, command));
}

VethPair::VethPair(const NetworkNamespace& a, const NetworkNamespace& b, int subnet)
    : a_address(fmt::format("10.231.{}.1", subnet)), b_address(fmt::format("10.231.{}.2", subnet)) {
  const auto a_link = fmt::format("tsv{}a", subnet);
  const auto b_link = fmt::format("tsv{}b", subnet);
  run_command(fmt::format("ip link add {} netns {} type veth peer name {} netns {}", a_link,
                          a.name(), b_link, b.name()));
  a.exec(fmt::format("ip addr add {}/24 dev {}", a_address, a_link));
  b.exec(fmt::format("ip addr add {}/24 dev {}", b_address, b_link));
  a.exec(fmt::format("ip link set {} up", a_link));
  b.exec(fmt::format("ip link set {} up", b_link));
}

} // namespace tcpsight::test
