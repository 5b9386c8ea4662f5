#include "tcpsight/metrics/connection_metrics.hpp"

#include <array>
#include <functional>

namespace tcpsight {
namespace {

using prometheus::Counter;
using prometheus::Family;
using prometheus::Gauge;
using prometheus::Histogram;

// From a loopback handshake (tens of microseconds) to a SYN sent again
// after 1 s and 3 s.
const Histogram::BucketBoundaries kHandshakeBuckets{50e-6,  100e-6, 250e-6, 500e-6, 1e-3,   2.5e-3,
                                                    5e-3,   10e-3,  25e-3,  50e-3,  100e-3, 250e-3,
                                                    500e-3, 1,      2.5,    5};
// From a request over loopback to a session held for a day.
const Histogram::BucketBoundaries kDurationBuckets{1e-3, 10e-3, 100e-3, 1,    10,
                                                   60,   600,   3600,   86400};

constexpr std::size_t kOutcomeCount = static_cast<std::size_t>(Outcome::Failed) + 1;
// Past the cap, label sets are remembered (to count each once) up to this many.
constexpr std::size_t kMaxFoldedRemembered = 65536;

// The states the sockets gauge has: those a socket stays in. TIME_WAIT is
// not reported by the kernel; NEW_SYN_RECV is a request, not a socket.
bool is_gauged(TcpState state) {
  using enum TcpState;
  return state != NewSynRecv && state != BoundInactive && state != TimeWait && state != Close;
}

double seconds(std::uint64_t ns) { return static_cast<double>(ns) / 1e9; }

prometheus::Labels labels_of(const LabelValues& values) {
  prometheus::Labels labels;
  for (std::size_t i = 0; i < kLabelCount; ++i)
    if (!values.values[i].empty()) // Prometheus reads an empty label as no label
      labels.emplace(std::string(label_name(static_cast<Label>(i))), values.values[i]);
  return labels;
}

prometheus::Labels with(prometheus::Labels labels, std::string name, std::string_view value) {
  labels.emplace(std::move(name), std::string(value));
  return labels;
}

} // namespace

struct ConnectionMetrics::Families {
  explicit Families(prometheus::Registry& r)
      : opened(prometheus::BuildCounter()
                   .Name("tcpsight_connections_opened_total")
                   .Help("TCP connections opened: connect() sent its SYN (role active) or an "
                         "accepted handshake completed (role passive)")
                   .Register(r)),
        closed(prometheus::BuildCounter()
                   .Name("tcpsight_connections_closed_total")
                   .Help("TCP connections closed, by outcome: normal_active, normal_passive, "
                         "simultaneous, reset_sent, reset_received, refused, timed_out, "
                         "aborted, failed")
                   .Register(r)),
        handshake(prometheus::BuildHistogram()
                      .Name("tcpsight_handshake_duration_seconds")
                      .Help("Time from the SYN to the connection established: the connect "
                            "latency (active) or the accept side's SYN-ACK to final ACK "
                            "(passive)")
                      .Register(r)),
        duration(prometheus::BuildHistogram()
                     .Name("tcpsight_connection_duration_seconds")
                     .Help("Lifetime of closed TCP connections, from the first state seen to "
                           "the close")
                     .Register(r)),
        sent(prometheus::BuildCounter()
                 .Name("tcpsight_sent_bytes_total")
                 .Help("Bytes sent and acknowledged by closed TCP connections")
                 .Register(r)),
        received(prometheus::BuildCounter()
                     .Name("tcpsight_received_bytes_total")
                     .Help("Bytes received by closed TCP connections")
                     .Register(r)),
        retransmits(prometheus::BuildCounter()
                        .Name("tcpsight_retransmitted_segments_total")
                        .Help("Segments sent again by closed TCP connections")
                        .Register(r)),
        syn_retransmits(prometheus::BuildCounter()
                            .Name("tcpsight_syn_retransmissions_total")
                            .Help("SYNs sent again by connect() (role active) or SYN-ACKs sent "
                                  "again by a listener (role passive), as they are sent")
                            .Register(r)),
        resets(prometheus::BuildCounter()
                   .Name("tcpsight_connections_reset_total")
                   .Help("TCP connections ended by a RST, by direction: sent (outcome "
                         "reset_sent) or received (reset_received, refused)")
                   .Register(r)),
        dropped(prometheus::BuildCounter()
                    .Name("tcpsight_dropped_segments_total")
                    .Help("TCP segments the kernel dropped, by its reason (NETFILTER_DROP, "
                          "TCP_LISTEN_OVERFLOW, ...), as they are dropped")
                    .Register(r)),
        sockets(prometheus::BuildGauge()
                    .Name("tcpsight_sockets")
                    .Help("TCP sockets by state: connections as tcpsight follows them, "
                          "listeners as of the last snapshot (every 10 s)")
                    .Register(r)),
        events_received(prometheus::BuildCounter()
                            .Name("tcpsight_events_received_total")
                            .Help("Events tcpsight read from the kernel")
                            .Register(r)
                            .Add({})),
        events_filtered(
            prometheus::BuildCounter()
                .Name("tcpsight_events_filtered_total")
                .Help("Events the kernel side dropped for a filter (--port, --pid, ...)")
                .Register(r)
                .Add({})),
        events_lost(prometheus::BuildCounter()
                        .Name("tcpsight_events_lost_total")
                        .Help("Events the kernel side could not write: the ring buffer was full")
                        .Register(r)
                        .Add({})),
        transitions_recovered(prometheus::BuildCounter()
                                  .Name("tcpsight_transitions_recovered_total")
                                  .Help("Lost transitions rebuilt from the socket's later events")
                                  .Register(r)
                                  .Add({})),
        untracked(prometheus::BuildCounter()
                      .Name("tcpsight_connections_untracked_total")
                      .Help("Connections tcpsight could not follow, by reason: expired (their "
                            "close was lost), over_limit (past the tracker's limit)")
                      .Register(r)),
        label_sets(prometheus::BuildGauge()
                       .Name("tcpsight_label_sets")
                       .Help("Label sets with series of their own; past --max-series new ones "
                             "share the series whose labels read \"other\"")
                       .Register(r)
                       .Add({})),
        folded(prometheus::BuildCounter()
                   .Name("tcpsight_label_sets_folded_total")
                   .Help("Label sets folded into \"other\" as --max-series was reached")
                   .Register(r)
                   .Add({})),
        build_info(prometheus::BuildGauge()
                       .Name("tcpsight_build_info")
                       .Help("Always 1: the tcpsight version that exports these metrics")
                       .Register(r)) {}

  Family<Counter>& opened;
  Family<Counter>& closed;
  Family<Histogram>& handshake;
  Family<Histogram>& duration;
  Family<Counter>& sent;
  Family<Counter>& received;
  Family<Counter>& retransmits;
  Family<Counter>& syn_retransmits;
  Family<Counter>& resets;
  Family<Counter>& dropped;
  Family<Gauge>& sockets;
  Counter& events_received;
  Counter& events_filtered;
  Counter& events_lost;
  Counter& transitions_recovered;
  Family<Counter>& untracked;
  Gauge& label_sets;
  Counter& folded;
  Family<Gauge>& build_info;
};

// One label set's series in every connection family. The series of an
// outcome or a reset direction appear with the first connection that has it.
struct ConnectionMetrics::Series {
  Series(Families& f, prometheus::Labels labels)
      : families(f), labels(std::move(labels)), opened(f.opened.Add(this->labels)),
        handshake(f.handshake.Add(this->labels, kHandshakeBuckets)),
        duration(f.duration.Add(this->labels, kDurationBuckets)), sent(f.sent.Add(this->labels)),
        received(f.received.Add(this->labels)), retransmits(f.retransmits.Add(this->labels)),
        syn_retransmits(f.syn_retransmits.Add(this->labels)) {}

  Counter& closed(Outcome outcome) {
    auto& slot = closed_by_outcome[static_cast<std::size_t>(outcome)];
    if (!slot)
      slot = &families.closed.Add(with(labels, "outcome", outcome_name(outcome)));
    return *slot;
  }
  Counter& reset(bool sent_by_us) {
    auto& slot = resets[sent_by_us ? 0 : 1];
    if (!slot)
      slot = &families.resets.Add(with(labels, "direction", sent_by_us ? "sent" : "received"));
    return *slot;
  }

  Families& families;
  prometheus::Labels labels;
  Counter& opened;
  Histogram& handshake;
  Histogram& duration;
  Counter& sent;
  Counter& received;
  Counter& retransmits;
  Counter& syn_retransmits;
  std::array<Counter*, kOutcomeCount> closed_by_outcome{};
  std::array<Counter*, 2> resets{};
};

ConnectionMetrics::ConnectionMetrics(prometheus::Registry& registry, MetricsSettings settings,
                                     CgroupLookup cgroups, std::string_view version)
    : settings_(settings), cgroups_(std::move(cgroups)),
      families_(std::make_unique<Families>(registry)),
      tracker_([this](const ConnectionRecord& record) { finished(record); }) {
  families_->build_info.Add({{"version", std::string(version)}}).Set(1);
  expired_ = &families_->untracked.Add({{"reason", "expired"}});
  over_limit_ = &families_->untracked.Add({{"reason", "over_limit"}});
  for (const auto& info : tcp_states())
    if (is_gauged(info.state))
      sockets_[static_cast<std::size_t>(info.state)] =
          &families_->sockets.Add({{"state", std::string(info.name)}});
}

ConnectionMetrics::~ConnectionMetrics() = default;

void ConnectionMetrics::event(const Event& e) {
  count_live(e);
  tracker_.observe(e);
}

// What is counted as it happens: connect() moving to SYN_SENT and a passive
// handshake completing (the kernel makes the socket only then) open a
// connection, whose label set is kept until it closes; handshakes complete;
// SYNs and SYN-ACKs are sent again.
void ConnectionMetrics::count_live(const Event& e) {
  using enum TcpState;
  if (e.type == EventType::SynRetransmit) {
    series_at_open(e, Role::Active).syn_retransmits.Increment();
    return;
  }
  if (e.type == EventType::SynAckRetransmit) { // the listener's: no socket yet
    series_of(source_of(Role::Passive, e.id, e.owner)).syn_retransmits.Increment();
    return;
  }
  if (e.type == EventType::Drop) {
    count_drop(e.drop ? e.drop->reason : std::string());
    return;
  }
  if (e.type != EventType::Transition)
    return;
  if (e.old_state == Listen && e.new_state == SynRecv) { // a new socket: any entry is a past one's
    open_series_.erase(e.id.sock_id);
    return;
  }
  if (e.new_state == SynSent) {
    auto& series = series_of(source_of(Role::Active, e.id, e.owner));
    series.opened.Increment();
    remember_open(e.id.sock_id, series);
    return;
  }
  if (e.new_state != Established || (e.old_state != SynSent && e.old_state != SynRecv))
    return;
  // SYN_RECV -> ESTABLISHED is a passive open, unless the socket sent a SYN
  // itself (a simultaneous open, a connect to itself).
  const bool accepted = e.old_state == SynRecv && !open_series_.contains(e.id.sock_id);
  auto& series = accepted ? series_of(source_of(Role::Passive, e.id, e.owner))
                          : series_at_open(e, Role::Active);
  if (accepted) {
    series.opened.Increment();
    remember_open(e.id.sock_id, series);
  }
  if (e.handshake_ns)
    series.handshake.Observe(seconds(*e.handshake_ns));
}

// Reasons are the kernel's enumerators: a bounded set of names.
void ConnectionMetrics::count_drop(const std::string& reason) {
  auto& counter = drops_by_reason_[reason];
  if (!counter)
    counter = &families_->dropped.Add({{"reason", reason}});
  counter->Increment();
}

// Counted with the label set it had as it opened, which the passive side's
// owner (the listener's, then the acceptor's) does not change.
void ConnectionMetrics::finished(const ConnectionRecord& r) {
  auto& series = series_at_close(r);
  series.closed(r.outcome).Increment();
  if (!r.seeded) // it started before tracing did: its duration is not known
    series.duration.Observe(seconds(r.duration_ns()));
  if (r.totals) {
    series.sent.Increment(static_cast<double>(r.totals->tx_bytes));
    series.received.Increment(static_cast<double>(r.totals->rx_bytes));
    series.retransmits.Increment(r.totals->retransmits);
  }
  if (r.outcome == Outcome::ResetSent)
    series.reset(true).Increment();
  if (r.outcome == Outcome::ResetReceived || r.outcome == Outcome::Refused)
    series.reset(false).Increment();
}

LabelSource ConnectionMetrics::source_of(Role role, const ConnectionId& id,
                                         const std::optional<Owner>& owner) const {
  const auto known = owner ? &*owner : nullptr;
  return {.role = role, .id = &id, .owner = known, .cgroup = cgroup_of(known)};
}

ConnectionMetrics::Series& ConnectionMetrics::series_at_open(const Event& e, Role role) {
  if (const auto found = open_series_.find(e.id.sock_id); found != open_series_.end())
    return *found->second;
  return series_of(source_of(role, e.id, e.owner)); // opened before tracing, or its start was lost
}

ConnectionMetrics::Series& ConnectionMetrics::series_at_close(const ConnectionRecord& r) {
  if (const auto found = open_series_.find(r.id.sock_id); found != open_series_.end()) {
    auto& series = *found->second;
    open_series_.erase(found);
    return series;
  }
  return series_of(source_of(r.role, r.id, r.owner));
}

void ConnectionMetrics::remember_open(std::uint64_t sock_id, Series& series) {
  if (sock_id != 0)
    open_series_[sock_id] = &series;
}

const CgroupInfo* ConnectionMetrics::cgroup_of(const Owner* owner) const {
  return owner && cgroups_ ? cgroups_(owner->cgroup_id) : nullptr;
}

ConnectionMetrics::Series& ConnectionMetrics::series_of(const LabelSource& source) {
  const auto values = label_values(source, settings_.labels);
  auto key = values.key();
  if (const auto found = series_.find(key); found != series_.end())
    return *found->second;
  if (series_.size() < settings_.max_series) {
    auto& series = series_[std::move(key)];
    series = std::make_unique<Series>(*families_, labels_of(values));
    families_->label_sets.Set(static_cast<double>(series_.size()));
    return *series;
  }
  if (folded_.size() >= kMaxFoldedRemembered)
    folded_.clear(); // a label set may then be counted again
  if (folded_.insert(std::hash<std::string>{}(key)).second)
    families_->folded.Increment();
  const auto other = other_label_values(values, settings_.labels);
  auto& series = others_[other.key()];
  if (!series)
    series = std::make_unique<Series>(*families_, labels_of(other));
  return *series;
}

void ConnectionMetrics::update_sockets(std::size_t listeners) {
  // Connections whose close was lost, or that the tracker could not take.
  std::erase_if(open_series_, [&](const auto& entry) { return !tracker_.tracks(entry.first); });
  const auto counts = tracker_.count_by_state();
  for (std::size_t state = 0; state < counts.size(); ++state)
    if (sockets_[state])
      sockets_[state]->Set(static_cast<TcpState>(state) == TcpState::Listen
                               ? static_cast<double>(listeners)
                               : static_cast<double>(counts[state]));
}

void ConnectionMetrics::update_self(const SelfCounts& now) {
  const auto add = [](Counter& counter, std::uint64_t total, std::uint64_t before) {
    if (total > before)
      counter.Increment(static_cast<double>(total - before));
  };
  add(families_->events_received, now.received, self_.received);
  add(families_->events_filtered, now.filtered, self_.filtered);
  add(families_->events_lost, now.lost, self_.lost);
  add(families_->transitions_recovered, now.recovered, self_.recovered);
  add(*expired_, now.expired, self_.expired);
  add(*over_limit_, now.untracked, self_.untracked);
  self_ = now;
}

} // namespace tcpsight
