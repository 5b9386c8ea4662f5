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
                            .Help("SYNs (role active) or SYN-ACKs (role passive) sent again by "
                                  "closed TCP connections")
                            .Register(r)),
        resets(prometheus::BuildCounter()
                   .Name("tcpsight_resets_total")
                   .Help("TCP connections ended by a RST, by direction: sent (reset_sent) or "
                         "received (reset_received, refused)")
                   .Register(r)),
        sockets(prometheus::BuildGauge()
                    .Name("tcpsight_sockets")
                    .Help("TCP sockets by state: connections as tcpsight follows them, "
                          "listeners as of the last snapshot (every 10 s)")
                    .Register(r)),
        events(prometheus::BuildCounter()
                   .Name("tcpsight_events_total")
                   .Help("Kernel events, by what became of them: received, filtered (in the "
                         "kernel), lost (ring buffer full), recovered (lost transitions "
                         "rebuilt from later events)")
                   .Register(r)),
        untracked(prometheus::BuildCounter()
                      .Name("tcpsight_connections_untracked_total")
                      .Help("Connections tcpsight could not follow, by reason: expired (their "
                            "close was lost), over_limit (past the tracker's limit)")
                      .Register(r)),
        label_sets(prometheus::BuildGauge()
                       .Name("tcpsight_label_sets")
                       .Help("Label sets with series of their own; past --max-series new ones "
                             "share the series whose labels read \"other\"")
                       .Register(r)),
        folded(prometheus::BuildCounter()
                   .Name("tcpsight_label_sets_folded_total")
                   .Help("Label sets folded into \"other\" as --max-series was reached")
                   .Register(r)),
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
  Family<Gauge>& sockets;
  Family<Counter>& events;
  Family<Counter>& untracked;
  Family<Gauge>& label_sets;
  Family<Counter>& folded;
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
  families_->label_sets.Add({}).Set(0);
  families_->folded.Add({});
  for (const auto kind : {"received", "filtered", "lost", "recovered"})
    families_->events.Add({{"kind", kind}});
  for (const auto reason : {"expired", "over_limit"})
    families_->untracked.Add({{"reason", reason}});
}

ConnectionMetrics::~ConnectionMetrics() = default;

void ConnectionMetrics::event(const Event& e) {
  opened(e);
  tracker_.observe(e);
}

// Connections counted as they open: connect() moving to SYN_SENT, a
// passive handshake completing (the kernel makes the socket only then).
void ConnectionMetrics::opened(const Event& e) {
  if (e.type != EventType::Transition)
    return;
  const bool connecting = e.new_state == TcpState::SynSent;
  const bool accepted = e.old_state == TcpState::SynRecv && e.new_state == TcpState::Established;
  const bool connected = e.old_state == TcpState::SynSent && e.new_state == TcpState::Established;
  if (!connecting && !accepted && !connected)
    return;
  const auto role = accepted ? Role::Passive : Role::Active;
  const auto owner = e.owner ? &*e.owner : nullptr;
  auto& series = series_of({.role = role, .id = &e.id, .owner = owner, .cgroup = cgroup_of(owner)});
  if (connecting || accepted)
    series.opened.Increment();
  if ((connected || accepted) && e.handshake_ns)
    series.handshake.Observe(seconds(*e.handshake_ns));
}

void ConnectionMetrics::finished(const ConnectionRecord& r) {
  const auto owner = r.owner ? &*r.owner : nullptr;
  auto& series =
      series_of({.role = r.role, .id = &r.id, .owner = owner, .cgroup = cgroup_of(owner)});
  series.closed(r.outcome).Increment();
  series.duration.Observe(seconds(r.duration_ns()));
  if (r.totals) {
    series.sent.Increment(static_cast<double>(r.totals->tx_bytes));
    series.received.Increment(static_cast<double>(r.totals->rx_bytes));
    series.retransmits.Increment(r.totals->retransmits);
  }
  series.syn_retransmits.Increment(r.syn_retransmits);
  if (r.outcome == Outcome::ResetSent)
    series.reset(true).Increment();
  if (r.outcome == Outcome::ResetReceived || r.outcome == Outcome::Refused)
    series.reset(false).Increment();
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
    families_->label_sets.Add({}).Set(static_cast<double>(series_.size()));
    return *series;
  }
  if (folded_.size() >= kMaxFoldedRemembered)
    folded_.clear(); // a label set may then be counted again
  if (folded_.insert(std::hash<std::string>{}(key)).second)
    families_->folded.Add({}).Increment();
  if (!other_)
    other_ = std::make_unique<Series>(*families_, labels_of(other_label_values(settings_.labels)));
  return *other_;
}

void ConnectionMetrics::update_sockets(std::size_t listeners) {
  const auto counts = tracker_.count_by_state();
  for (const auto& info : tcp_states()) {
    const auto state = static_cast<std::size_t>(info.state);
    if (info.state == TcpState::NewSynRecv || info.state == TcpState::BoundInactive ||
        info.state == TcpState::TimeWait || info.state == TcpState::Close)
      continue;
    const double value =
        info.state == TcpState::Listen ? listeners : (state < counts.size() ? counts[state] : 0);
    families_->sockets.Add({{"state", std::string(info.name)}}).Set(value);
  }
}

void ConnectionMetrics::update_self(const SelfCounts& now) {
  const auto add = [](Family<Counter>& family, const char* label, const char* value,
                      std::uint64_t total, std::uint64_t before) {
    if (total > before)
      family.Add({{label, value}}).Increment(static_cast<double>(total - before));
  };
  add(families_->events, "kind", "received", now.received, self_.received);
  add(families_->events, "kind", "filtered", now.filtered, self_.filtered);
  add(families_->events, "kind", "lost", now.lost, self_.lost);
  add(families_->events, "kind", "recovered", now.recovered, self_.recovered);
  add(families_->untracked, "reason", "expired", now.expired, self_.expired);
  add(families_->untracked, "reason", "over_limit", now.untracked, self_.untracked);
  self_ = now;
}

} // namespace tcpsight
