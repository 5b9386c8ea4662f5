#pragma once

#include "tcpsight/model/event.hpp"
#include "tcpsight/model/tcp_state.hpp"

#include <cstdint>
#include <optional>
#include <vector>

namespace tcpsight {

// The states a socket went through between from and to, both excluded, along
// the likeliest way TCP goes (simultaneous open and a close in SYN_RECV being
// rare); to is reached through CLOSE when the socket was used again. Empty
// when from moves straight to to; nullopt when no way, or more than one
// equally likely, leads there.
std::optional<std::vector<TcpState>> states_between(TcpState from, TcpState to);

// Rebuilds the transitions the kernel lost. An event that follows lost ones
// says where its socket was last reported (Event::gap_from): the transitions
// from there to where the event starts go out before it, marked recovered.
class GapRecovery {
public:
  // Appends to out the rebuilt transitions, then the event itself.
  void push(Event event, std::vector<Event>& out);

  // Transitions recovered: rebuilt here, or by the kernel (a socket destroyed
  // without its move to CLOSE).
  std::uint64_t recovered() const { return recovered_; }
  // Gaps that could not be rebuilt (see states_between).
  std::uint64_t unrebuilt() const { return unrebuilt_; }

private:
  std::uint64_t recovered_ = 0;
  std::uint64_t unrebuilt_ = 0;
};

} // namespace tcpsight
