#include "tcpsight/session/repeat.hpp"

#include "tcpsight/session/stop_signals.hpp"

#include <thread>

namespace tcpsight {

void repeat_until_stopped(std::chrono::milliseconds interval, const std::function<bool()>& step) {
  // Short naps, so that a signal that lands between two checks waits one nap at most.
  constexpr auto kNap = std::chrono::milliseconds(100);
  while (!stop_requested()) {
    if (!step())
      return;
    for (auto slept = std::chrono::milliseconds(0); slept < interval && !stop_requested();
         slept += kNap)
      std::this_thread::sleep_for(kNap);
  }
}

} // namespace tcpsight
