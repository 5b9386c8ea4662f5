#include "tcpsight/socket_owners.hpp"

#include <charconv>
#include <fstream>
#include <string_view>
#include <system_error>
#include <unistd.h>

namespace tcpsight {
namespace {

// "socket:[12345]" -> 12345.
bool socket_inode(std::string_view link, std::uint64_t& inode) {
  constexpr std::string_view kPrefix = "socket:[";
  if (link.size() <= kPrefix.size() + 1 || link.substr(0, kPrefix.size()) != kPrefix ||
      link.back() != ']')
    return false;
  const auto digits = link.substr(kPrefix.size(), link.size() - kPrefix.size() - 1);
  return std::from_chars(digits.data(), digits.data() + digits.size(), inode).ec == std::errc{};
}

std::string read_comm(const std::filesystem::path& process) {
  std::ifstream in(process / "comm");
  std::string comm;
  std::getline(in, comm);
  return comm;
}

// The first NUL-terminated argument of /proc/PID/cmdline.
std::string read_argv0(const std::filesystem::path& process) {
  std::ifstream in(process / "cmdline", std::ios::binary);
  std::string argv0;
  std::getline(in, argv0, '\0');
  return argv0;
}

} // namespace

SocketOwners scan_socket_owners(const std::filesystem::path& proc) {
  SocketOwners owners;
  std::error_code error;
  for (const auto& entry : std::filesystem::directory_iterator(proc, error)) {
    const auto name = entry.path().filename().string();
    std::uint32_t pid = 0;
    if (std::from_chars(name.data(), name.data() + name.size(), pid).ec != std::errc{})
      continue;
    std::error_code fd_error;
    std::filesystem::directory_iterator fds(entry.path() / "fd", fd_error);
    if (fd_error) {
      owners.partial = owners.partial || fd_error == std::errc::permission_denied;
      continue;
    }
    std::string comm, command;
    for (const auto& fd : fds) {
      char link[64];
      const auto length = readlink(fd.path().c_str(), link, sizeof link);
      std::uint64_t inode = 0;
      if (length <= 0 || !socket_inode({link, static_cast<std::size_t>(length)}, inode))
        continue;
      if (comm.empty()) {
        comm = read_comm(entry.path());
        command = read_argv0(entry.path());
        if (command.empty())
          command = comm;
      }
      auto& holders = owners.by_inode[inode];
      if (holders.empty() || holders.back().pid != pid)
        holders.push_back({pid, comm, command});
    }
  }
  return owners;
}

} // namespace tcpsight
