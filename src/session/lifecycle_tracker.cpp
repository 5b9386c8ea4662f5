#include "tcpsight/session/lifecycle_tracker.hpp"

#include <algorithm>
#include <cstring>

namespace tcpsight {
namespace {

bool is_listener_transition(const Event& e) {
  return (e.old_state == TcpState::Close && e.new_state == TcpState::Listen) ||
         (e.old_state == TcpState::Listen && e.new_state == TcpState::Close);
}

bool path_has(const ConnectionRecord& record, TcpState state) {
  return std::any_of(record.path.begin(), record.path.end(),
                     [&](const StateStep& step) { return step.state == state; });
}

Outcome outcome_of(const ConnectionRecord& record, Reason reason) {
  switch (reason) {
  case Reason::Refused:
    return Outcome::Refused;
  case Reason::TimedOut:
    return Outcome::TimedOut;
  case Reason::ResetReceived:
    return Outcome::ResetReceived;
  case Reason::ResetSent:
    return Outcome::ResetSent;
  case Reason::Aborted:
    return Outcome::Aborted;
  case Reason::Failed:
    return Outcome::Failed;
  case Reason::Destroyed: // the kernel sent the peer a RST for it
    return Outcome::ResetSent;
  case Reason::None:
    break;
  }
  if (path_has(record, TcpState::Closing))
    return Outcome::Simultaneous;
  if (path_has(record, TcpState::FinWait1) || path_has(record, TcpState::FinWait2))
    return Outcome::NormalActive;
  if (path_has(record, TcpState::CloseWait) || path_has(record, TcpState::LastAck))
    return Outcome::NormalPassive;
  return Outcome::Aborted; // closed before it got anywhere, without an error
}

} // namespace

LifecycleTracker::LifecycleTracker(RecordSink on_finished, std::size_t max_open)
    : on_finished_(std::move(on_finished)), max_open_(max_open) {}

void LifecycleTracker::seed(const SocketRow& row, std::optional<Owner> owner, Role role,
                            std::uint64_t now_ns) {
  if (row.state == TcpState::Listen || row.state == TcpState::TimeWait ||
      row.state == TcpState::Close || open_.contains(row.id.sock_id))
    return;
  Open* open = start(row.id, row.state, now_ns, role, Start::Seeded);
  if (open && owner)
    take_owner(*open, *owner);
}

LifecycleTracker::Open* LifecycleTracker::start(const ConnectionId& id, TcpState state,
                                                std::uint64_t ts_ns, Role role, Start how) {
  if (open_.size() >= max_open_ && !open_.contains(id.sock_id)) {
    // Counted once, where the connection opens or is seeded: its later
    // events find no room either, and are not counted again.
    if (how != Start::MidLife)
      ++totals_.untracked;
    return nullptr;
  }
  const bool seeded = how != Start::Opened;
  Open& open = open_[id.sock_id] = Open{};
  open.id = id;
  open.start_ns = open.last_ns = open.state_since_ns = ts_ns;
  open.role = role;
  open.flags = seeded ? kSeeded : 0;
  open.states[0] = state;
  open.path_length = 1;
  return &open;
}

void LifecycleTracker::enter(Open& open, TcpState state, std::uint64_t ts_ns) {
  // Seeded in the state an event already in flight moves it to: once only.
  if (open.states[std::min<std::size_t>(open.path_length, kMaxPath) - 1] == state)
    return;
  const auto spent = ts_ns > open.state_since_ns ? ts_ns - open.state_since_ns : 0;
  if (open.path_length < kMaxPath) {
    open.state_ns[open.path_length - 1] = spent;
    open.states[open.path_length++] = state;
  } else {
    // Full: the last slot keeps moving, so the path still ends where it ends.
    open.state_ns[kMaxPath - 1] = spent;
    open.states[kMaxPath - 1] = state;
  }
  open.state_since_ns = ts_ns;
}

// Ports, owner and handshake as the latest event knows them.
void LifecycleTracker::take_details(Open& open, const Event& e) {
  open.last_ns = std::max(open.last_ns, e.ts_ns);
  if (e.id.local_port != 0)
    open.id.local_port = e.id.local_port;
  if (e.id.remote_port != 0) {
    open.id.remote_port = e.id.remote_port;
    open.id.remote = e.id.remote;
  }
  if (e.owner) // the acceptor takes over from the listener
    take_owner(open, *e.owner);
  if (e.handshake_ns) {
    open.handshake_ns = *e.handshake_ns;
    open.flags |= kHandshakeKnown;
  }
}

void LifecycleTracker::take_owner(Open& open, const Owner& owner) {
  open.pid = owner.pid;
  open.uid = owner.uid;
  open.cgroup_id = owner.cgroup_id;
  open.comm.fill('\0');
  std::memcpy(open.comm.data(), owner.comm.data(), std::min(owner.comm.size(), open.comm.size()));
  open.flags |= kOwnerKnown;
}

void LifecycleTracker::observe(const Event& e) {
  if (e.type == EventType::Drop)
    return; // its count comes with the connection's close
  auto found = open_.find(e.id.sock_id);
  if (e.type != EventType::Transition) {
    if (found == open_.end())
      return;
    if (e.type == EventType::SynRetransmit || e.type == EventType::SynAckRetransmit)
      ++found->second.syn_retransmits;
    found->second.last_ns = std::max(found->second.last_ns, e.ts_ns);
    return;
  }
  if (is_listener_transition(e) || e.id.sock_id == 0)
    return;

  Open* open = nullptr;
  if (e.old_state == TcpState::Close && e.new_state == TcpState::SynSent) {
    open = start(e.id, e.new_state, e.ts_ns, Role::Active, Start::Opened);
  } else if (e.old_state == TcpState::Listen && e.new_state == TcpState::SynRecv) {
    open = start(e.id, e.new_state, e.ts_ns, Role::Passive, Start::Opened);
  } else if (found != open_.end()) {
    open = &found->second;
    enter(*open, e.new_state, e.ts_ns);
  } else if (!e.inferred || e.closes_socket) {
    // Open before tracing started and not seeded: from here on.
    auto entered_old_ns = e.ts_ns;
    if (e.ns_in_old && e.ts_ns > *e.ns_in_old)
      entered_old_ns = e.ts_ns - *e.ns_in_old;
    open = start(e.id, e.old_state, entered_old_ns, Role::Unknown, Start::MidLife);
    if (open)
      enter(*open, e.new_state, e.ts_ns);
  }
  if (open)
    take_details(*open, e);
  if (open && e.closes_socket)
    finish(*open, e);
}

void LifecycleTracker::finish(Open& open, const Event& end) {
  auto record = record_of(open);
  record.end = MonotonicTime{end.ts_ns};
  // Seeded from a snapshot read a moment before its close: it started then.
  record.start = std::min(record.start, record.end);
  record.path.back().ns.reset(); // the state it ended in
  record.outcome = outcome_of(record, end.reason);
  record.totals = end.totals;
  record.error = end.error;
  record.drops = end.drops.value_or(ConnectionDrops{});
  open_.erase(record.id.sock_id);
  ++totals_.finished;
  on_finished_(record);
}

ConnectionRecord LifecycleTracker::record_of(const Open& open) const {
  ConnectionRecord record;
  record.id = open.id;
  if (open.flags & kOwnerKnown)
    record.owner =
        Owner{.pid = open.pid,
              .uid = open.uid,
              .cgroup_id = open.cgroup_id,
              .comm = std::string(open.comm.data(), strnlen(open.comm.data(), open.comm.size()))};
  record.role = open.role;
  record.start = MonotonicTime{open.start_ns};
  record.end = MonotonicTime{open.last_ns};
  record.seeded = open.flags & kSeeded;
  if (open.flags & kHandshakeKnown)
    record.handshake_ns = open.handshake_ns;
  for (std::size_t i = 0; i < open.path_length; ++i)
    record.path.push_back({open.states[i], open.state_ns[i]});
  // The current state: time so far.
  record.path.back().ns = open.last_ns - open.state_since_ns;
  record.syn_retransmits = open.syn_retransmits;
  return record;
}

std::size_t
LifecycleTracker::expire_missing(const std::function<bool(std::uint64_t, std::uint32_t)>& is_live,
                                 std::uint64_t now_ns, std::uint64_t grace_ns) {
  const auto expired = std::erase_if(open_, [&](const auto& entry) {
    return entry.second.last_ns + grace_ns <= now_ns &&
           !is_live(entry.first, entry.second.id.netns);
  });
  totals_.expired += expired;
  return expired;
}

std::vector<ConnectionRecord> LifecycleTracker::open_records() const {
  std::vector<ConnectionRecord> records;
  records.reserve(open_.size());
  for (const auto& entry : open_)
    records.push_back(record_of(entry.second));
  return records;
}

LifecycleTracker::StateCounts LifecycleTracker::count_by_state() const {
  StateCounts counts{};
  for (const auto& [id, open] : open_) {
    const auto state = open.states[std::min<std::size_t>(open.path_length, kMaxPath) - 1];
    if (static_cast<std::size_t>(state) < counts.size())
      ++counts[static_cast<std::size_t>(state)];
  }
  return counts;
}

LifecycleTracker::Stats LifecycleTracker::stats() const {
  auto stats = totals_;
  stats.open = open_.size();
  return stats;
}

std::size_t LifecycleTracker::state_bytes() const {
  // libstdc++'s node: the next pointer and the key-value pair; std::hash of an
  // integer is cheap, so no cached hash. One bucket pointer per bucket.
  struct Node {
    void* next;
    std::pair<const std::uint64_t, Open> value;
  };
  return open_.size() * sizeof(Node) + open_.bucket_count() * sizeof(void*);
}

} // namespace tcpsight
