#pragma once

namespace tcpsight {

// SIGINT and SIGTERM ask a running command to stop: the handler only sets
// a flag. Waits (epoll_wait, poll, nanosleep) return early when a signal
// arrives even with SA_RESTART, which lets reads and writes carry on.
void install_stop_signals();

// A reader that went away (`| head`) then shows up as a write error (EPIPE),
// which ends a command quietly (OutputWriter), instead of killing the
// process. For the whole process: main() calls it.
void ignore_sigpipe();

// Whether SIGINT or SIGTERM has arrived since install_stop_signals().
bool stop_requested();

} // namespace tcpsight
