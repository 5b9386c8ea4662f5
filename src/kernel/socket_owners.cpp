#include "tcpsight/kernel/socket_owners.hpp"

#include "kernel/bpf_iterator.hpp"
#include "tcpsight/kernel/preflight.hpp"
#include "tcpsight/model/error.hpp"

#include <linux/types.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include <cerrno>
#include <cstring>
#include <fmt/format.h>
#include <memory>
#include <unordered_set>
#include <vector>

#include "socket_owners.h"
#include "socket_owners.skel.h"

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

struct SkeletonDeleter {
  void operator()(socket_owners_bpf* skeleton) const { socket_owners_bpf::destroy(skeleton); }
};

// Loads the iterator and hands each record to on_record as it is read.
template <typename OnRecord> void run_iterator(OnRecord on_record) {
  std::unique_ptr<socket_owners_bpf, SkeletonDeleter> skeleton(socket_owners_bpf::open_and_load());
  if (!skeleton)
    throw Error(fmt::format("the socket-owner iterator failed to load: {}", std::strerror(errno)));
  detail::read_bpf_iterator<tcpsight_socket_owner>(skeleton->progs.list_socket_owners, on_record);
}

} // namespace

void SocketOwners::add(std::uint64_t inode, const ProcessRef& process) {
  const auto key = std::uint64_t{process.pid} << 32 | process.tid;
  const auto [index, fresh] =
      process_index_.try_emplace(key, static_cast<std::uint32_t>(processes_.size()));
  if (fresh)
    processes_.push_back(process);
  const Holding holding{inode, index->second};
  if (!holdings_.empty() && holdings_.back() == holding)
    return; // another descriptor of the same socket
  sorted_ = sorted_ && (holdings_.empty() || holdings_.back() < holding);
  holdings_.push_back(holding);
}

void SocketOwners::sort_if_needed() const {
  if (sorted_)
    return;
  std::sort(holdings_.begin(), holdings_.end());
  holdings_.erase(std::unique(holdings_.begin(), holdings_.end()), holdings_.end());
  sorted_ = true;
}

std::vector<std::uint64_t> SocketOwners::inodes() const {
  sort_if_needed();
  std::vector<std::uint64_t> inodes;
  for (const auto& holding : holdings_)
    if (inodes.empty() || inodes.back() != holding.inode)
      inodes.push_back(holding.inode);
  return inodes;
}

SocketOwners iterate_socket_owners() {
  static_assert(sizeof(tcpsight_socket_owner) == TCPSIGHT_SOCKET_OWNER_SIZE);
  SocketOwners owners;
  std::unordered_set<std::uint32_t> named; // processes whose argv[0] was read
  run_iterator([&](const tcpsight_socket_owner& record) {
    ProcessRef process{.pid = record.pid};
    if (named.insert(record.pid).second) { // first of its sockets: name it
      process.comm.assign(record.comm, strnlen(record.comm, sizeof record.comm));
      process.command = read_argv0(std::filesystem::path("/proc") / std::to_string(record.pid));
      if (process.command.empty())
        process.command = process.comm;
    }
    owners.add(record.inode, process);
  });
  return owners;
}

SocketOwners find_socket_owners() {
  if (!tracing_preflight_error(effective_capabilities(), kKernelBtfPath)) {
    try {
      return iterate_socket_owners();
    } catch (const Error&) {
      // An older kernel without task_file iterators: walk /proc instead.
    }
  }
  return scan_socket_owners();
}

namespace {

// The numbered entries of a directory (/proc's processes, a process's
// threads). Processes come and go while this runs: every step takes an
// error code instead of throwing.
template <typename OnEntry>
void for_each_numbered(const std::filesystem::path& directory, OnEntry on_entry) {
  std::error_code error;
  std::filesystem::directory_iterator entries(directory, error);
  for (; !error && entries != std::filesystem::directory_iterator(); entries.increment(error)) {
    const auto name = entries->path().filename().string();
    std::uint32_t number = 0;
    if (std::from_chars(name.data(), name.data() + name.size(), number).ec == std::errc{})
      on_entry(number, entries->path());
  }
}

// Adds the sockets of one task's fd directory. holder is named (from the
// task's directory) on its first socket.
void add_sockets_of(SocketOwners& owners, const std::filesystem::path& task, ProcessRef holder) {
  std::error_code error;
  std::filesystem::directory_iterator fds(task / "fd", error);
  if (error) {
    owners.partial = owners.partial || error == std::errc::permission_denied;
    return;
  }
  for (; !error && fds != std::filesystem::directory_iterator(); fds.increment(error)) {
    char link[64];
    const auto length = readlink(fds->path().c_str(), link, sizeof link);
    // Reading another user's fd links takes ptrace access (CAP_SYS_PTRACE),
    // not only the directory's permission (CAP_DAC_OVERRIDE).
    if (length < 0 && errno == EACCES)
      owners.partial = true;
    std::uint64_t inode = 0;
    if (length <= 0 || !socket_inode({link, static_cast<std::size_t>(length)}, inode))
      continue;
    if (holder.comm.empty()) {
      holder.comm = read_comm(task);
      holder.command = read_argv0(task);
      if (holder.command.empty())
        holder.command = holder.comm;
    }
    owners.add(inode, holder);
  }
}

} // namespace

SocketOwners scan_socket_owners(const std::filesystem::path& proc) {
  SocketOwners owners;
  for_each_numbered(proc, [&](std::uint32_t pid, const std::filesystem::path& process) {
    add_sockets_of(owners, process, {.pid = pid});
  });
  return owners;
}

SocketOwners scan_socket_threads(const std::filesystem::path& proc) {
  SocketOwners owners;
  for_each_numbered(proc, [&](std::uint32_t pid, const std::filesystem::path& process) {
    for_each_numbered(process / "task", [&](std::uint32_t tid, const std::filesystem::path& task) {
      add_sockets_of(owners, task, {.pid = pid, .tid = tid});
    });
  });
  return owners;
}

} // namespace tcpsight
