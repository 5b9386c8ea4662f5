#include "repeat.hpp"

#include <chrono>
#include <csignal>
#include <thread>

namespace tcpsight::cli {
namespace {

volatile std::sig_atomic_t interrupted = 0;

void on_interrupt(int) { interrupted = 1; }

} // namespace

void repeat_every_second(const std::function<bool()>& list) {
  std::signal(SIGINT, on_interrupt);
  std::signal(SIGTERM, on_interrupt);
  while (!interrupted) {
    if (!list())
      return;
    // Short naps, so that an interrupt ends the wait at once.
    for (int tick = 0; tick < 10 && !interrupted; ++tick)
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
}

} // namespace tcpsight::cli
