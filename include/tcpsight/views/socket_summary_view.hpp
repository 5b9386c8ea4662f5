#pragma once

#include "tcpsight/kernel/socket_summary.hpp"

#include <string>

namespace tcpsight {

// ss -s's block, line for line: the total, TCP's states, and the transports
// per family.
std::string format_socket_summary(const SocketSummary& summary);

// The same as one JSON object, type "summary", on a line of its own.
void append_socket_summary_json(std::string& out, const SocketSummary& summary);

} // namespace tcpsight
