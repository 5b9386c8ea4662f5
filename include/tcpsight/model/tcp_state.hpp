#pragma once

#include <cstdint>
#include <span>
#include <string_view>

namespace tcpsight {

// The kernel's TCP state numbers (include/net/tcp_states.h).
enum class TcpState : std::uint8_t {
  Established = 1,
  SynSent,
  SynRecv,
  FinWait1,
  FinWait2,
  TimeWait,
  Close,
  CloseWait,
  LastAck,
  Listen,
  Closing,
  NewSynRecv,
  BoundInactive,
};

struct TcpStateInfo {
  TcpState state;
  std::string_view name;        // as netstat spells it: ESTABLISHED, SYN_SENT, ...
  std::string_view kernel_name; // TCP_ESTABLISHED, TCP_SYN_SENT, ...
  std::string_view meaning;     // one line, for people learning to read the output
  std::string_view next_states; // the usual next states, in netstat spelling
};

// Every state the kernel defines, in kernel order.
std::span<const TcpStateInfo> tcp_states();

// The netstat spelling of a kernel state number; "UNKNOWN" when out of range.
std::string_view tcp_state_name(TcpState state);

} // namespace tcpsight
