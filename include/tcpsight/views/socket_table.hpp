#pragma once

#include "tcpsight/kernel/name_resolver.hpp"
#include "tcpsight/kernel/socket_owners.hpp"
#include "tcpsight/model/cgroup_name.hpp"
#include "tcpsight/model/socket_row.hpp"

#include <string>

namespace tcpsight {

// The `tcpsight ls` view: a table for people, or one JSON object per socket.
// Rows are formatted one at a time, as the snapshot delivers them.

struct SocketTableColumns {
  const SocketOwners* owners = nullptr; // PID/Program, when processes were asked for
  bool threads = false;                 // the owners are threads: PID/TID/Thread (ss -T)
  bool netns = false;            // the namespace inode, when more than one namespace is listed
  bool extended = false;         // uid, inode, cookie and cgroup, as ss -e adds them
  bool tcp_info = false;         // rtt, cwnd and retransmissions, as ss -i adds them
  bool timers = false;           // the pending timer, as ss -o adds it
  bool memory = false;           // the socket's memory, as ss -m adds it
  bool traffic_class = false;    // tos, tclass and class_id, as ss --tos adds them
  bool inet_options = false;     // the inet socket options set, as ss --inet-sockopt adds them
  bool cgroup_paths = false;     // the socket's cgroup, as ss --cgroup adds it
  bool cgroup_names = false;     // --show-cgroup: the socket's container, pod, unit or path
  NameResolver* names = nullptr; // with ss's -r: host and service names instead of numbers
  bool port_names = true;        // with names: services too (ss -r -n names the hosts only)
  CgroupLookup cgroups;          // how cgroup ids are named, for -e, --cgroup and --show-cgroup
};

// An inet end as ss -r shows it: the host's name, or its address (IPv6 in
// brackets), then the service's name (unless port_names is false) or the
// port; "*" for port 0.
std::string resolved_endpoint(NameResolver& names, Protocol protocol, const IpAddress& address,
                              std::uint16_t port, bool port_names = true);

// A timer's time to expiry as ss writes it: "119min", "59sec", "1.234ms",
// "200ms", "1min1sec".
std::string ss_duration(std::uint32_t ms);

// ss -o's "timer:(keepalive,119min,0)": the pending TCP timer, its time to
// expiry and the retransmissions; "" when none is pending.
std::string ss_timer(const SocketRow& row);

// ss -m's "skmem:(r0,rb131072,t0,tb2626560,f0,w0,o0,bl0,d0)".
std::string ss_memory(const SocketRow::Memory& memory);

// The header line of the table.
std::string socket_table_header(const SocketTableColumns& columns);

// One line of the table.
void append_socket_table_row(std::string& out, const SocketRow& row,
                             const SocketTableColumns& columns);

// One JSON object and a newline; owners is null when processes were not
// asked for, cgroup where the socket's cgroup is not known.
void append_socket_json(std::string& out, const SocketRow& row, const SocketOwners* owners,
                        const CgroupInfo* cgroup = nullptr);

// "LISTEN", "ESTABLISHED", ... for TCP; "UNCONN" or "ESTABLISHED" for the rest.
std::string_view socket_state_name(const SocketRow& row);

} // namespace tcpsight
