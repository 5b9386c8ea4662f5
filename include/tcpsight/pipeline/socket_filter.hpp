#pragma once

#include "tcpsight/model/filter_names.hpp"
#include "tcpsight/model/socket_row.hpp"

#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace tcpsight {

// The ss filter language, for `tcpsight ls`:
//
//   [state STATE | exclude STATE]... [EXPRESSION]
//
// in words given one per argument or several to an argument, as ss reads
// them. STATE is a TCP state as ss or netstat spells it (established,
// time-wait, FIN_WAIT1, listening, ...) or one of ss's groups: all,
// connected, synchronized, bucket, big. Several states are alternatives;
// exclude takes states away (from all, when it comes first). EXPRESSION
// combines
//   sport [OP] PORT    dport [OP] PORT     (OP: = == != < > <= >= eq ne lt gt le ge
//                                           leq geq; PORT: 443, :443, :https)
//   src ADDRESS[/PREFIX][:PORT]   dst ADDRESS[/PREFIX][:PORT]   (also [v6]:port;
//                                      IPv4 parts left out are 0: 10.1/16)
//   src unix:PATTERN   dst unix:PATTERN   (unix sockets' names: /run/*.sock)
//   dev NAME|INDEX   fwmark MARK[/MASK]   cgroup PATH|ID   (with an optional = or !=)
// with and (&&, &), or (||, |), not (!) and parentheses; terms side by side
// are joined by and.
class SocketFilter {
public:
  // Everything passes.
  SocketFilter();
  ~SocketFilter();
  SocketFilter(SocketFilter&&) noexcept;
  SocketFilter& operator=(SocketFilter&&) noexcept;

  // How src and dst addresses read: as IP addresses, or (ss -x, -f unix)
  // as patterns of unix socket names without unix: before them.
  enum class Addresses { Ip, UnixNames };

  // Throws tcpsight::Error saying which word is wrong and why.
  static SocketFilter parse(const std::vector<std::string>& arguments,
                            const FilterNames& names = {}, Addresses addresses = Addresses::Ip);

  bool matches(const SocketRow& row) const;
  // Whether it names states (state, exclude): then those states are listed,
  // listeners among them, whatever ls's -l and -a say.
  bool chooses_states() const { return states_.has_value(); }
  // Whether it passes every socket: nothing given, or only blanks.
  bool passes_everything() const { return !states_ && !expression_; }
  // Whether a dev condition names its device (dev eth0): the name is that of
  // the namespace the filter was parsed in.
  bool names_devices() const { return names_devices_; }

  struct Node;

private:
  std::optional<std::vector<TcpState>> states_; // none: any
  std::unique_ptr<Node> expression_;
  bool names_devices_ = false;
};

} // namespace tcpsight
