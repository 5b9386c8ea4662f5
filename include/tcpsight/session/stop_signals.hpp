#pragma once

#include <initializer_list>

namespace tcpsight {

// SIGINT, SIGTERM, SIGHUP and SIGQUIT ask a running command to stop: the
// handler only sets a flag, which the command's loop checks. Installed
// without SA_RESTART, so
// that a wait or a write that blocks (epoll_wait, a pipe nobody reads) ends
// with EINTR; and once only (SA_RESETHAND), so that a second Ctrl-C kills a
// command that does not stop. The commands that run until stopped install
// it; the others keep the default, which ends them at once.
void install_stop_signals();

// Other signals that should stop the command the same way rather than end
// the process at once (top: SIGUSR1, whose default would leave the terminal
// raw). After install_stop_signals().
void also_stop_on(std::initializer_list<int> signals);

// A reader that went away (`| head`) then shows up as a write error (EPIPE),
// which ends a command quietly (OutputWriter), instead of killing the
// process. For the whole process: main() calls it.
void ignore_sigpipe();

// Whether one of them has arrived since install_stop_signals().
bool stop_requested();

} // namespace tcpsight
