#pragma once

#include "tcpsight/model/socket_row.hpp"

#include <cstdint>
#include <string_view>
#include <vector>

namespace tcpsight {

// Which sockets an ss command line asks for, as `tcpsight ls` takes it: the
// socket tables (-t -u -w, -A tcp,udp,!raw,u_str, ...), the address
// families (-x, -4, -6, -f inet, inet6, unix) and the states listed when
// the filter names none (-a, -l, else the defaults of what was chosen).
// Each call is an option in the order given. They combine as in ss: a
// table chosen brings its families when none of them was chosen, a family
// chosen brings its tables when none of them was (so -x -4 lists unix and
// IPv4 sockets, and -x -A u_str unix stream sockets), and nothing chosen
// lists every table.
class SocketQuery {
public:
  // Nothing chosen: ss's default, every table's connected sockets.
  SocketQuery();

  // -t, -u, -w: the protocol's table (unix: its three).
  void add_protocol(Protocol protocol);
  // -A: a comma-separated list of tables, each one taken away when it
  // starts with '!' (all,!tcp); the first -A replaces the tables chosen
  // before it. Throws tcpsight::Error for a table tcpsight does not list
  // (packet, netlink, sctp, vsock, ...) or does not know.
  void add_tables(std::string_view list);
  // -f; -x is unix, -4 inet, -6 inet6. Throws tcpsight::Error as add_tables does.
  void add_family(std::string_view family);
  // -a; also when the filter names states, which then choose. The last of
  // this and list_listening counts.
  void list_every_state();
  // -l: listening sockets, and unconnected ones.
  void list_listening();

  // Whether tables or families were chosen; if not, everything is listed.
  bool chosen() const { return !defaulted_; }
  std::vector<Protocol> protocols() const;
  bool wants_ipv4() const;
  bool wants_ipv6() const;
  // Whether the row is of a table, family and state asked for.
  bool wants(const SocketRow& row) const;

private:
  void choose_table(unsigned table, bool chosen);
  void choose_family(unsigned family);
  void merge_defaults();

  // What was asked for, as bit sets of tables, families and states.
  unsigned tables_ = 0;
  unsigned families_ = 0;
  std::uint32_t default_states_ = 0; // those of the tables and families asked for
  std::uint32_t states_ = 0;         // -a or -l; none: the defaults
  bool defaulted_ = true;
  bool tables_queried_ = false; // -A was given
  // What is listed, ss's defaults merged in.
  unsigned listed_tables_ = 0;
  unsigned listed_families_ = 0;
  std::uint32_t listed_states_ = 0;
};

} // namespace tcpsight
