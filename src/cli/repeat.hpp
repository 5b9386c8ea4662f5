#pragma once

#include <functional>

namespace tcpsight::cli {

// Calls list, then again every second until SIGINT or SIGTERM, or until
// list returns false (its output closed): netstat -c.
void repeat_every_second(const std::function<bool()>& list);

} // namespace tcpsight::cli
