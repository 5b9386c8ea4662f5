#include "tcpsight/session/standard_fds.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>

namespace tcpsight {

void occupy_closed_standard_fds() {
  for (int fd = STDIN_FILENO; fd <= STDERR_FILENO; ++fd) {
    if (fcntl(fd, F_GETFD) != -1 || errno != EBADF)
      continue;
    // The lowest free number: this one, as those below are open.
    const int null = open("/dev/null", O_RDONLY);
    if (null != fd && null >= 0)
      close(null);
  }
}

} // namespace tcpsight
