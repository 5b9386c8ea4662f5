#include "tcpsight/kernel/network_namespace.hpp"

#include "tcpsight/model/error.hpp"

#include <fcntl.h>
#include <sched.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <cstring>
#include <exception>
#include <filesystem>
#include <fmt/format.h>
#include <thread>
#include <unordered_set>

namespace tcpsight {
namespace {

constexpr const char* kNamedNamespaces = "/run/netns";

std::uint32_t inode_of(const std::string& path) {
  struct stat file {};
  if (stat(path.c_str(), &file) != 0)
    return 0;
  return static_cast<std::uint32_t>(file.st_ino);
}

bool is_pid(const std::string& name) {
  std::uint32_t pid = 0;
  return std::from_chars(name.data(), name.data() + name.size(), pid).ec == std::errc{} && pid > 0;
}

} // namespace

NetworkNamespace find_network_namespace(const std::string& name_or_path) {
  const bool is_path = name_or_path.find('/') != std::string::npos;
  const auto path = is_path ? name_or_path : fmt::format("{}/{}", kNamedNamespaces, name_or_path);
  const auto inode = inode_of(path);
  if (inode == 0)
    throw Error(
        fmt::format("no network namespace {}: {} {}", name_or_path, path, std::strerror(errno)));
  return {inode, path};
}

std::vector<NetworkNamespace> all_network_namespaces() {
  std::vector<NetworkNamespace> found;
  std::unordered_set<std::uint32_t> seen;
  const auto add = [&](const std::string& path) {
    const auto inode = inode_of(path);
    if (inode != 0 && seen.insert(inode).second)
      found.push_back({inode, path});
  };
  add("/proc/thread-self/ns/net");
  std::error_code error;
  for (std::filesystem::directory_iterator named(kNamedNamespaces, error);
       !error && named != std::filesystem::directory_iterator(); named.increment(error))
    add(named->path().string());
  // Processes come and go while this runs: errors end or skip, never throw.
  for (std::filesystem::directory_iterator processes("/proc", error);
       !error && processes != std::filesystem::directory_iterator(); processes.increment(error)) {
    const auto name = processes->path().filename().string();
    if (is_pid(name))
      add(fmt::format("/proc/{}/ns/net", name));
  }
  return found;
}

void run_in_network_namespace(const NetworkNamespace& ns, const std::function<void()>& work) {
  if (ns.inode == inode_of("/proc/thread-self/ns/net")) { // already there: no root needed
    work();
    return;
  }
  std::exception_ptr failure;
  std::thread worker([&] {
    try {
      const int fd = open(ns.path.c_str(), O_RDONLY | O_CLOEXEC);
      if (fd < 0)
        throw Error(
            fmt::format("cannot open network namespace {}: {}", ns.path, std::strerror(errno)));
      const int entered = setns(fd, CLONE_NEWNET);
      const int saved_errno = errno;
      close(fd);
      if (entered != 0)
        throw Error(fmt::format("cannot enter network namespace {}: {}{}", ns.path,
                                std::strerror(saved_errno),
                                saved_errno == EPERM ? " (it takes root)" : ""));
      work();
    } catch (...) {
      failure = std::current_exception();
    }
  });
  worker.join();
  if (failure)
    std::rethrow_exception(failure);
}

} // namespace tcpsight
