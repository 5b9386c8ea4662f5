#pragma once

#include <chrono>
#include <functional>

namespace tcpsight {

// Runs step, then again every interval, until SIGINT or SIGTERM: `ls -c`
// and `netstat -c`. A signal ends the wait in between at once.
void repeat_until_stopped(std::chrono::milliseconds interval, const std::function<void()>& step);

} // namespace tcpsight
