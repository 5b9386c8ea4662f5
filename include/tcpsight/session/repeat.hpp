#pragma once

#include <chrono>
#include <functional>

namespace tcpsight {

// Runs step, then again every interval, until stop_requested() (the caller
// installs the stop signals) or until step returns false (its output
// closed): `ls -c` and `netstat -c`. A signal ends the wait in between
// within a tenth of a second.
void repeat_until_stopped(std::chrono::milliseconds interval, const std::function<bool()>& step);

} // namespace tcpsight
