#include "tcpsight/session/stop_signals.hpp"

#include <csignal>
#include <initializer_list>

namespace tcpsight {
namespace {

volatile std::sig_atomic_t stop_flag = 0;

void request_stop(int) { stop_flag = 1; }

void stop_on(int signal, int flags = SA_RESETHAND) {
  struct sigaction action {};
  action.sa_handler = request_stop;
  action.sa_flags = flags;
  sigemptyset(&action.sa_mask);
  sigaction(signal, &action, nullptr);
}

bool ignored(int signal) {
  struct sigaction current {};
  return sigaction(signal, nullptr, &current) == 0 && current.sa_handler == SIG_IGN;
}

} // namespace

void install_stop_signals() {
  stop_flag = 0;
  for (const int signal : {SIGINT, SIGTERM})
    stop_on(signal);
  // A hang-up (the terminal or ssh session went) and a quit end a run as
  // Ctrl-C does: what was seen is flushed and summed up, not lost. Unless
  // they were ignored on purpose: `nohup tcpsight record &` outlives its
  // session.
  for (const int signal : {SIGHUP, SIGQUIT})
    if (!ignored(signal))
      stop_on(signal);
}

void also_stop_on(std::initializer_list<int> signals) {
  // Not reset after one: a second would end the process at once, with no
  // chance to undo what the command set up (top's raw terminal).
  for (const int signal : signals)
    stop_on(signal, 0);
}

void ignore_sigpipe() { std::signal(SIGPIPE, SIG_IGN); }

bool stop_requested() { return stop_flag != 0; }

} // namespace tcpsight
