#pragma once

#include <functional>

namespace tcpsight::cli {

// Calls list, then again every second until SIGINT or SIGTERM: netstat -c.
void repeat_every_second(const std::function<void()>& list);

} // namespace tcpsight::cli
