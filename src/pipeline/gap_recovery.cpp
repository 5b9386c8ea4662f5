#include "tcpsight/pipeline/gap_recovery.hpp"

#include <array>
#include <limits>

namespace tcpsight {
namespace {

using enum TcpState;

struct Move {
  TcpState from;
  TcpState to;
  int cost; // 1: usual; more: rare, taken only when nothing usual leads there
};

// Every transition inet_sock_set_state reports for TCP. LISTEN -> SYN_RECV
// is a socket's birth from its listener: only ever its first step.
constexpr std::array kMoves{
    Move{Close, SynSent, 1},     Move{Close, Listen, 1},         Move{Listen, SynRecv, 1},
    Move{Listen, Close, 1},      Move{SynSent, Established, 1},  Move{SynSent, Close, 1},
    Move{SynSent, SynRecv, 3},   Move{SynRecv, Established, 1},  Move{SynRecv, FinWait1, 3},
    Move{SynRecv, Close, 1},     Move{Established, FinWait1, 1}, Move{Established, CloseWait, 1},
    Move{Established, Close, 1}, Move{FinWait1, FinWait2, 1},    Move{FinWait1, Closing, 1},
    Move{FinWait1, Close, 1},    Move{FinWait2, Close, 1},       Move{Closing, Close, 1},
    Move{CloseWait, LastAck, 1}, Move{CloseWait, Close, 1},      Move{LastAck, Close, 1},
};

constexpr std::size_t kStates = 16; // state numbers are below this
constexpr int kUnreached = std::numeric_limits<int>::max();

std::size_t index(TcpState state) { return static_cast<std::size_t>(state); }

bool is_birth(const Move& move) { return move.from == Listen && move.to == SynRecv; }

// Whether a path from `from` may take this move.
bool allowed(const Move& move, TcpState from) {
  return move.to != from && (!is_birth(move) || from == Listen);
}

// A transition of next's socket, lost before next.
Event rebuilt(const Event& next, TcpState from, TcpState to) {
  Event e;
  e.ts_ns = next.ts_ns;
  e.id = next.id;
  e.owner = next.owner;
  e.old_state = from;
  e.new_state = to;
  e.recovered = true;
  return e;
}

} // namespace

std::optional<std::vector<TcpState>> states_between(TcpState from, TcpState to) {
  if (index(from) >= kStates || index(to) >= kStates)
    return std::nullopt;
  // Bellman-Ford over a handful of states: costs, how many cheapest ways
  // reach each state, and the state before it on one of them.
  std::array<int, kStates> cost;
  cost.fill(kUnreached);
  std::array<int, kStates> ways{};
  std::array<TcpState, kStates> before{};
  cost[index(from)] = 0;
  ways[index(from)] = 1;
  for (std::size_t round = 0; round < kStates; ++round) {
    bool changed = false;
    for (const auto& move : kMoves) {
      const int reached = cost[index(move.from)];
      if (reached == kUnreached || !allowed(move, from))
        continue;
      const int through = reached + move.cost;
      auto& best = cost[index(move.to)];
      if (through < best) {
        best = through;
        before[index(move.to)] = move.from;
        changed = true;
      }
    }
    if (!changed)
      break;
  }
  if (cost[index(to)] == kUnreached || to == from)
    return std::nullopt;
  // Count the cheapest ways, in order of cost: each state's ways are the sum
  // over the moves into it that keep to its cost.
  for (int level = 1; level <= cost[index(to)]; ++level)
    for (const auto& move : kMoves)
      if (cost[index(move.to)] == level && cost[index(move.from)] != kUnreached &&
          cost[index(move.from)] + move.cost == level && allowed(move, from))
        ways[index(move.to)] += ways[index(move.from)];
  if (ways[index(to)] != 1)
    return std::nullopt;
  std::vector<TcpState> states;
  for (TcpState at = before[index(to)]; at != from && states.size() < kStates;
       at = before[index(at)])
    states.insert(states.begin(), at);
  return states;
}

void GapRecovery::push(Event event, std::vector<Event>& out) {
  if (event.recovered)
    ++recovered_;
  if (!event.gap_from || event.type != EventType::Transition) {
    out.push_back(std::move(event));
    return;
  }
  const TcpState from = *event.gap_from;
  event.gap_from.reset();
  const auto between = states_between(from, event.old_state);
  if (!between) {
    ++unrebuilt_;
    out.push_back(std::move(event));
    return;
  }
  TcpState previous = from;
  for (TcpState state : *between) {
    out.push_back(rebuilt(event, previous, state));
    previous = state;
  }
  out.push_back(rebuilt(event, previous, event.old_state));
  recovered_ += between->size() + 1;
  out.push_back(std::move(event));
}

} // namespace tcpsight
