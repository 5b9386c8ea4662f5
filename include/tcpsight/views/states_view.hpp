#pragma once

#include <string>

namespace tcpsight {

// The `tcpsight states` table: every TCP state with its netstat and kernel
// names, what it means and where it usually goes next.
std::string format_states_table();

} // namespace tcpsight
