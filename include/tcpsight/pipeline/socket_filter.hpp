#pragma once

#include "tcpsight/model/socket_row.hpp"

#include <memory>
#include <string>
#include <vector>

namespace tcpsight {

// The ss filter language, for `tcpsight ls`:
//
//   [state STATE]... [EXPRESSION]
//
// STATE is a TCP state as ss or netstat spells it (established, time-wait,
// FIN_WAIT1, listening, ...) or one of ss's groups: all, connected,
// synchronized. Several states are alternatives. EXPRESSION combines
//   sport OP :PORT     dport OP :PORT      (OP: = == != < > <= >= eq ne lt gt le ge)
//   src ADDRESS[/PREFIX][:PORT]   dst ADDRESS[/PREFIX][:PORT]   (also [v6]:port)
// with and, or, not and parentheses; terms side by side are joined by and.
class SocketFilter {
public:
  // Everything passes.
  SocketFilter();
  ~SocketFilter();
  SocketFilter(SocketFilter&&) noexcept;
  SocketFilter& operator=(SocketFilter&&) noexcept;

  // Throws tcpsight::Error saying which word is wrong and why.
  static SocketFilter parse(const std::vector<std::string>& words);

  bool matches(const SocketRow& row) const;

  struct Node;

private:
  std::vector<TcpState> states_; // empty: any
  std::unique_ptr<Node> expression_;
};

} // namespace tcpsight
