#include "tcpsight/pipeline/tuple_completer.hpp"

#include <algorithm>

namespace tcpsight {
namespace {

bool local_missing(const Event& e) { return e.id.local_port == 0 || is_unspecified(e.id.local); }
bool remote_missing(const Event& e) { return e.id.remote_port == 0 || is_unspecified(e.id.remote); }

bool is_incomplete(const Event& e) {
  if (e.type != EventType::Transition || e.id.sock_id == 0)
    return false;
  return e.old_state == TcpState::Close && e.new_state == TcpState::SynSent &&
         (local_missing(e) || remote_missing(e));
}

void complete_from(Event& held, const Event& later) {
  if (local_missing(held) && !local_missing(later)) {
    held.id.local = later.id.local;
    held.id.local_port = later.id.local_port;
  }
  if (remote_missing(held) && !remote_missing(later)) {
    held.id.remote = later.id.remote;
    held.id.remote_port = later.id.remote_port;
  }
}

} // namespace

void TupleCompleter::push(Event event, std::vector<Event>& ready) {
  if (!held_.empty()) {
    if (auto it = held_.find(event.id.sock_id); it != held_.end()) {
      complete_from(it->second, event);
      ready.push_back(std::move(it->second));
      held_.erase(it);
    }
  }
  if (is_incomplete(event))
    held_.insert_or_assign(event.id.sock_id, std::move(event));
  else
    ready.push_back(std::move(event));
}

void TupleCompleter::expire(std::uint64_t now_ns, std::vector<Event>& ready) {
  for (auto it = held_.begin(); it != held_.end();) {
    if (it->second.ts_ns + max_hold_ns_ <= now_ns) {
      ready.push_back(std::move(it->second));
      it = held_.erase(it);
    } else {
      ++it;
    }
  }
}

void TupleCompleter::flush(std::vector<Event>& ready) {
  for (auto& [sock_id, event] : held_)
    ready.push_back(std::move(event));
  held_.clear();
}

} // namespace tcpsight
