#include "tcpsight/session/stop_signals.hpp"

#include <csignal>
#include <initializer_list>

namespace tcpsight {
namespace {

volatile std::sig_atomic_t stop_flag = 0;

void request_stop(int) { stop_flag = 1; }

} // namespace

void install_stop_signals() {
  struct sigaction action {};
  stop_flag = 0;
  action.sa_handler = request_stop;
  action.sa_flags = SA_RESETHAND;
  sigemptyset(&action.sa_mask);
  // A hang-up (the terminal or ssh session went) and a quit end a run as
  // Ctrl-C does: what was seen is flushed and summed up, not lost.
  for (const int signal : {SIGINT, SIGTERM, SIGHUP, SIGQUIT})
    sigaction(signal, &action, nullptr);
}

void ignore_sigpipe() { std::signal(SIGPIPE, SIG_IGN); }

bool stop_requested() { return stop_flag != 0; }

} // namespace tcpsight
