#pragma once

#include <algorithm>
#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace tcpsight {

struct ProcessRef {
  std::uint32_t pid = 0;
  std::uint32_t tid = 0; // a thread of the process (ss -T); 0: the process
  std::string comm;      // /proc/PID/comm, as ss and ps show it
  std::string command;   // argv[0] as started, as netstat -p shows it; comm if empty

  friend bool operator==(const ProcessRef&, const ProcessRef&) = default;
};

// Which processes hold each socket inode. Compact on purpose: one entry per
// process, and 16 bytes per (socket, process) pair, so that tens of
// thousands of sockets cost well under a megabyte. Like netstat, a caller
// without root sees only its own processes: partial says some could not be read.
class SocketOwners {
public:
  // Records that process holds the socket inode. A process seen before
  // keeps the names it was first added with.
  void add(std::uint64_t inode, const ProcessRef& process);

  class Holders;
  // The processes holding inode, in the order they were first added.
  Holders holders(std::uint64_t inode) const;

  // Every socket inode with at least one holder, ascending.
  std::vector<std::uint64_t> inodes() const;

  bool partial = false;

private:
  struct Holding {
    std::uint64_t inode;
    std::uint32_t process; // index into processes_
    auto operator<=>(const Holding&) const = default;
  };
  void sort_if_needed() const;

  std::vector<ProcessRef> processes_;
  std::unordered_map<std::uint64_t, std::uint32_t> process_index_; // pid, tid -> processes_ index
  mutable std::vector<Holding> holdings_;
  mutable bool sorted_ = true;
};

// A view of the processes holding one socket, valid while the owners are
// unchanged: iterate over it, or ask empty() and front().
class SocketOwners::Holders {
public:
  using Holding = SocketOwners::Holding;
  using Span = std::vector<Holding>::const_iterator;

  class Iterator {
  public:
    Iterator(const SocketOwners& owners, Span at) : owners_(&owners), at_(at) {}
    const ProcessRef& operator*() const { return owners_->processes_[at_->process]; }
    Iterator& operator++() {
      ++at_;
      return *this;
    }
    bool operator==(const Iterator& other) const { return at_ == other.at_; }

  private:
    const SocketOwners* owners_;
    Span at_;
  };

  Holders(const SocketOwners& owners, Span first, Span last)
      : owners_(owners), first_(first), last_(last) {}
  Iterator begin() const { return {owners_, first_}; }
  Iterator end() const { return {owners_, last_}; }
  bool empty() const { return first_ == last_; }
  const ProcessRef& front() const { return *begin(); }

private:
  const SocketOwners& owners_;
  Span first_, last_;
};

inline SocketOwners::Holders SocketOwners::holders(std::uint64_t inode) const {
  sort_if_needed();
  struct ByInode {
    bool operator()(const Holding& holding, std::uint64_t inode) const {
      return holding.inode < inode;
    }
    bool operator()(std::uint64_t inode, const Holding& holding) const {
      return inode < holding.inode;
    }
  };
  const auto [first, last] = std::equal_range(holdings_.begin(), holdings_.end(), inode, ByInode{});
  return {*this, first, last};
}

// From the /proc/PID/fd links.
SocketOwners scan_socket_owners(const std::filesystem::path& proc = "/proc");

// Thread by thread, as ss -T: from the /proc/PID/task/TID/fd links, each
// holder a thread (tid set) named by its own comm.
SocketOwners scan_socket_threads(const std::filesystem::path& proc = "/proc");

// The same from a BPF task_file iterator: one pass in the kernel, every
// process's sockets. Needs CAP_BPF (root); throws tcpsight::Error when the
// iterator cannot run.
SocketOwners iterate_socket_owners();

// The iterator where it runs, else the /proc walk.
SocketOwners find_socket_owners();

} // namespace tcpsight
