#include "commands.hpp"

#include "event_source.hpp"
#include "tcpsight/chunked_writer.hpp"
#include "tcpsight/error.hpp"
#include "tcpsight/life_view.hpp"
#include "tcpsight/lifecycle_tracker.hpp"
#include "tcpsight/snapshot.hpp"
#include "tcpsight/sock_diag.hpp"
#include "tcpsight/socket_owners.hpp"

#include <cerrno>
#include <fmt/core.h>
#include <set>
#include <unordered_set>

namespace tcpsight::cli {
namespace {

// How often the open connections are checked against the kernel's sockets,
// and how long a connection must be quiet before it can be called gone.
constexpr std::uint64_t kReconcileEveryNs = 10'000'000'000;
constexpr std::uint64_t kGoneAfterNs = 5'000'000'000;

class TrackerSink : public EventSink {
public:
  explicit TrackerSink(LifecycleTracker& tracker) : tracker_(tracker) {}
  void event(const Event& event) override { tracker_.observe(event); }

private:
  LifecycleTracker& tracker_;
};

// The TCP sockets open now, each once.
template <typename Visit> void visit_tcp_sockets(Visit visit) {
  for (const auto family : {AddressFamily::IPv4, AddressFamily::IPv6})
    inet_diag_visit(Protocol::Tcp, family, false, visit);
}

// Connections open before tracing, with their owners; a local port that a
// listener holds marks the passive side.
void seed_from_snapshot(LifecycleTracker& tracker) {
  const auto owners = find_socket_owners();
  std::set<std::uint16_t> listening;
  std::vector<SocketRow> rows;
  visit_tcp_sockets([&](const SocketRow& row) {
    if (row.state == TcpState::Listen)
      listening.insert(row.local_port);
    else
      rows.push_back(row);
  });
  const auto netns = current_netns();
  const auto now = monotonic_now_ns();
  for (const auto& row : rows) {
    SeedSocket seed{.sock_id = row.cookie,
                    .netns = netns,
                    .local = row.local,
                    .local_port = row.local_port,
                    .remote = row.remote,
                    .remote_port = row.remote_port,
                    .state = row.state,
                    .role = listening.contains(row.local_port) ? Role::Passive : Role::Active};
    for (const auto& process : owners.holders(row.inode)) {
      seed.owner = Owner{
          .pid = process.pid, .uid = row.uid, .cgroup_id = row.cgroup_id, .comm = process.comm};
      break;
    }
    tracker.seed(seed, now);
  }
}

// Drops the connections whose close was lost: no longer among the kernel's sockets.
void reconcile(LifecycleTracker& tracker, std::uint64_t now_ns) {
  std::unordered_set<std::uint64_t> live;
  visit_tcp_sockets([&](const SocketRow& row) { live.insert(row.cookie); });
  tracker.expire_missing([&](std::uint64_t id) { return live.contains(id); }, now_ns, kGoneAfterNs);
}

} // namespace

int run_life(const LifeOptions& options) {
  auto source = EventSource::open(options.source);
  const auto clock = source->wall_clock();
  ChunkedWriter out(stdout);
  bool output_closed = false;
  std::uint64_t shown = 0;
  LifecycleTracker tracker([&](const ConnectionRecord& record) {
    if (output_closed || !options.records.matches(record))
      return;
    if (options.json)
      append_life_json(out.text(), record, clock);
    else
      append_life_row(out.text(), record, clock);
    ++shown;
  });
  const bool reconciles = source->live() && source->ids_are_socket_cookies();
  if (reconciles)
    seed_from_snapshot(tracker);
  if (!options.json)
    out.text() += life_header();

  TrackerSink sink(tracker);
  EventPipeline pipeline(options.source.filter, sink);
  std::uint64_t last_reconcile = monotonic_now_ns();
  const auto flush = [&] {
    try {
      out.flush();
    } catch (const Error&) {
      if (errno != EPIPE)
        throw;
      output_closed = true; // a reader that went away (`| head`) ends it quietly
    }
    return !output_closed;
  };
  source->run(pipeline, {.lost =
                             [](std::uint64_t count) {
                               fmt::print(stderr,
                                          "tcpsight: lost {} events: the ring buffer was full; "
                                          "connections they ended are dropped within seconds\n",
                                          count);
                             },
                         .after_batch =
                             [&](std::uint64_t now) {
                               if (reconciles && now >= last_reconcile + kReconcileEveryNs) {
                                 reconcile(tracker, now);
                                 last_reconcile = now;
                               }
                               return flush();
                             }});
  flush();
  const auto stats = tracker.stats();
  fmt::print(stderr,
             "tcpsight: {} connections shown, {} still open, {} dropped as their close was "
             "lost; events: {}\n",
             shown, stats.open, stats.expired, source->summary());
  return 0;
}

} // namespace tcpsight::cli
