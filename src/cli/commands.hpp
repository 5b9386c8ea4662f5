#pragma once

#include "event_source.hpp"
#include "tcpsight/kernel/snapshot.hpp"
#include "tcpsight/model/filter.hpp"
#include "tcpsight/pipeline/socket_filter.hpp"
#include "tcpsight/views/life_view.hpp"

#include <cstddef>
#include <optional>
#include <string>
#include <vector>

namespace tcpsight::cli {

struct TraceOptions {
  bool json = false;
  bool explain = false;
  EventSourceOptions source; // filter, ring buffer, --read, --write
};

struct LsOptions {
  bool tcp = false, udp = false, raw = false, unix_sockets = false; // none: all of them
  bool listening = false;
  bool all = false;
  bool processes = false;
  bool ipv4 = false, ipv6 = false; // neither or both: both
  bool json = false;
  bool extended = false;               // -e
  bool tcp_info = false;               // -i
  bool continuous = false;             // -c: again every second
  std::vector<std::string> namespaces; // -N: names, paths or "all"; none: the caller's
  SnapshotSource source = SnapshotSource::Automatic;
  std::vector<std::string> filter; // ss's filter language, word by word
};

struct LifeOptions {
  bool json = false;
  EventSourceOptions source; // ports filtered in the kernel; --read, --write
  RecordFilter records;      // duration, outcome, port, pid, comm
};

struct RecordOptions {
  std::string db_path; // empty: default_history_path()
  bool transitions = false;
  std::optional<std::uint64_t> retain_ns = std::uint64_t{7} * 86400 * 1'000'000'000;
  std::optional<std::uint64_t> max_bytes = std::uint64_t{1} << 30;
  EventSourceOptions source;
};

struct HistoryOptions {
  std::string db_path; // empty: default_history_path()
  std::optional<std::string> since, until;
  std::optional<std::string> address;
  RecordFilter records;
  std::size_t limit = 0;
  bool json = false;
  bool summary = false;
};

struct TopOptions {
  EventSourceOptions source;
  std::string filter; // ls's filter language, as typed with '/'
};

// net-tools netstat's options, as tcpsight netstat takes them.
struct NetstatOptions {
  bool tcp = false, udp = false, raw = false, unix_sockets = false; // none: all of them
  std::vector<std::string> families; // -A inet,inet6,unix; --inet/--ip add "inet"
  bool listening = false, all = false;
  bool numeric = false, processes = false, extend = false, timers = false;
  bool continuous = false, verbose = false;
  // Other tables instead of sockets.
  bool statistics = false, routes = false, interfaces = false, groups = false, masquerade = false;
  bool symbolic = false;    // -N: net-tools' symbolic hardware names; none in these tables
  bool route_cache = false; // -C: the IPv4 route cache, gone since Linux 3.6
};

// Each returns the process exit status.
int run_trace(const TraceOptions& options);
int run_ls(const LsOptions& options, const SocketFilter& filter);
int run_netstat(const NetstatOptions& options);
int run_states();
int run_life(const LifeOptions& options);
int run_record(const RecordOptions& options);
int run_history(const HistoryOptions& options);
int run_top(const TopOptions& options);

} // namespace tcpsight::cli
