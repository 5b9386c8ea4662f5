#pragma once

#include "tcpsight/socket_owners.hpp"
#include "tcpsight/socket_row.hpp"

#include <string>
#include <vector>

namespace tcpsight {

// The `tcpsight ls` view of a snapshot: a table for people, or one JSON
// object per socket. owners is null when processes were not asked for.

struct SocketTableDetails {
  bool extended = false; // uid, inode, cookie and cgroup, as ss -e adds them
  bool tcp_info = false; // rtt, cwnd and retransmissions, as ss -i adds them
};

std::string format_socket_table(const std::vector<SocketRow>& rows, const SocketOwners* owners,
                                SocketTableDetails details = {});

std::string format_socket_json(const std::vector<SocketRow>& rows, const SocketOwners* owners);

// "LISTEN", "ESTABLISHED", ... for TCP; "UNCONN" or "ESTABLISHED" for the rest.
std::string_view socket_state_name(const SocketRow& row);

} // namespace tcpsight
