#pragma once

#include <string>

namespace tcpsight {

// "ECONNREFUSED" for ECONNREFUSED; "E123" for a number libc does not name.
std::string errno_name(int error);

} // namespace tcpsight
