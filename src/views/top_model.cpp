#include "tcpsight/views/top_model.hpp"

#include "tcpsight/views/top_order.hpp"

#include <algorithm>
#include <unordered_set>

namespace tcpsight {
namespace {

SocketRow socket_of(const Event& e) {
  return {.protocol = Protocol::Tcp, .id = e.id, .state = e.new_state};
}

} // namespace

TopModel::TopModel(Settings settings)
    : settings_(settings), tracker_([this](const ConnectionRecord& r) { finished(r); }) {}

TopRow& TopModel::add(const SocketRow& socket, std::uint64_t now_ns, Highlight highlight) {
  auto& row = rows_[socket.id.sock_id];
  row = TopRow{.socket = socket,
               .first_seen_ns = now_ns,
               .last_heard_ns = now_ns,
               .tcp_info = socket.tcp_info};
  mark(row, highlight, now_ns);
  return row;
}

void TopModel::mark(TopRow& row, Highlight highlight, std::uint64_t now_ns) {
  row.highlight = highlight;
  row.highlight_until_ns = highlight == Highlight::None ? 0 : now_ns + settings_.highlight_ns;
}

void TopModel::seed(const OpenSocket& open, Role role, std::uint64_t now_ns) {
  const auto& socket = open.row;
  if (socket.protocol != Protocol::Tcp || socket.state == TcpState::TimeWait ||
      rows_.contains(socket.id.sock_id))
    return;
  auto& row = add(socket, now_ns, Highlight::None);
  row.owner = open.owner;
  tracker_.seed(socket, open.owner, role, now_ns);
}

void TopModel::count_event(std::uint64_t now_ns) {
  roll_rate_window(now_ns);
  ++events_this_second_;
}

// Events per second, over windows of a second that close on an event or a tick.
void TopModel::roll_rate_window(std::uint64_t now_ns) {
  if (second_start_ns_ == 0)
    second_start_ns_ = now_ns;
  if (now_ns < second_start_ns_ + 1'000'000'000)
    return;
  events_last_second_ = static_cast<double>(events_this_second_) * 1e9 /
                        static_cast<double>(now_ns - second_start_ns_);
  events_this_second_ = 0;
  second_start_ns_ = now_ns;
}

void TopModel::event(const Event& e) {
  count_event(e.ts_ns);
  update_row(e);
  tracker_.observe(e); // after: a connection it finishes has its row closed already
}

void TopModel::update_row(const Event& e) {
  if (e.type != EventType::Transition || e.id.sock_id == 0)
    return;
  auto found = rows_.find(e.id.sock_id);
  if (found != rows_.end() && found->second.outcome)
    return; // closed already: a TIME_WAIT inferred after the hand-over
  const bool ends = e.closes_socket || e.new_state == TcpState::Close;
  if (found == rows_.end()) {
    if (ends || e.inferred)
      return; // the end of a socket never seen open
    found =
        rows_.emplace(e.id.sock_id, TopRow{.socket = socket_of(e), .first_seen_ns = e.ts_ns}).first;
    mark(found->second, Highlight::New, e.ts_ns);
  }
  auto& row = found->second;
  row.last_heard_ns = e.ts_ns;
  const bool state_changed = row.socket.state != e.new_state;
  row.socket = socket_of(e);
  if (e.owner)
    row.owner = e.owner;
  if (e.handshake_ns)
    row.handshake_ns = e.handshake_ns;
  if (ends) {
    close(row, e.ts_ns);
  } else if (state_changed && row.highlight != Highlight::New) {
    mark(row, Highlight::Changed, e.ts_ns);
  }
}

void TopModel::close(TopRow& row, std::uint64_t now_ns) {
  if (!row.outcome)
    row.outcome = Outcome::StillOpen; // until the tracker says how it ended
  mark(row, Highlight::Closed, now_ns);
}

void TopModel::finished(const ConnectionRecord& record) {
  recently_closed_.push_front(record);
  while (recently_closed_.size() > settings_.recently_closed)
    recently_closed_.pop_back();
  if (auto row = rows_.find(record.id.sock_id); row != rows_.end()) {
    row->second.outcome = record.outcome;
    row->second.totals = record.totals;
  }
}

void TopModel::tick(std::uint64_t now_ns) {
  roll_rate_window(now_ns);
  std::erase_if(rows_, [&](const auto& entry) {
    return entry.second.highlight == Highlight::Closed && now_ns >= entry.second.highlight_until_ns;
  });
  for (auto& [id, row] : rows_)
    if (row.highlight != Highlight::None && now_ns >= row.highlight_until_ns)
      mark(row, Highlight::None, now_ns);
}

void TopModel::reconcile(const OpenSockets& snapshot, std::uint64_t now_ns,
                         std::uint64_t quiet_ns) {
  const auto netns = snapshot.netns;
  std::unordered_set<std::uint64_t> present;
  for (const auto& [socket, owner] : snapshot.sockets) {
    if (socket.protocol != Protocol::Tcp || socket.state == TcpState::TimeWait)
      continue;
    present.insert(socket.id.sock_id);
    if (auto row = rows_.find(socket.id.sock_id); row != rows_.end()) {
      if (!row->second.outcome)
        row->second.tcp_info = socket.tcp_info;
    } else {
      add(socket, now_ns, Highlight::New).socket.id.netns = netns;
    }
  }
  for (auto& [id, row] : rows_)
    if (!row.outcome && row.socket.id.netns == netns && !present.contains(id) &&
        row.last_heard_ns + quiet_ns <= now_ns)
      close(row, now_ns);
  tracker_.expire_missing(
      [&](std::uint64_t id, std::uint32_t in) { return in != netns || present.contains(id); },
      now_ns, quiet_ns);
}

std::vector<const TopRow*> TopModel::rows(const TopViewOptions& options, std::size_t limit) const {
  std::vector<const TopRow*> shown;
  for (const auto& [id, row] : rows_) {
    if (!options.listeners && row.socket.state == TcpState::Listen)
      continue;
    if (options.filter && !options.filter->matches(row.socket))
      continue;
    shown.push_back(&row);
  }
  const auto before = [&](const TopRow* a, const TopRow* b) {
    const auto order = compare_top_rows(*a, *b, options.sort);
    if (order != 0)
      return options.descending ? order > 0 : order < 0;
    return a->socket.id.sock_id < b->socket.id.sock_id; // stable from frame to frame
  };
  if (limit > 0 && limit < shown.size()) {
    std::partial_sort(shown.begin(), shown.begin() + static_cast<std::ptrdiff_t>(limit),
                      shown.end(), before);
    shown.resize(limit);
  } else {
    std::sort(shown.begin(), shown.end(), before);
  }
  return shown;
}

std::map<std::string, std::size_t> TopModel::state_counts() const {
  std::map<std::string, std::size_t> counts;
  for (const auto& [id, row] : rows_)
    if (!row.outcome)
      ++counts[std::string(tcp_state_name(row.socket.state))];
  return counts;
}

} // namespace tcpsight
