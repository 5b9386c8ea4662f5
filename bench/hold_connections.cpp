// Opens N loopback TCP connections (2N sockets) and holds them until it is
// signalled, for benchmarks of socket listings.
//
//   tcpsight-hold-connections N
//
// Prints "ready <port>" once every connection is established. On SIGTERM
// it resets them all, leaving nothing in TIME_WAIT.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <vector>

int main(int argc, char** argv) {
  const int count = argc > 1 ? std::atoi(argv[1]) : 1000;
  const int listener = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{.sin_family = AF_INET, .sin_port = 0, .sin_addr = {htonl(INADDR_LOOPBACK)}};
  socklen_t length = sizeof address;
  if (bind(listener, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0 ||
      listen(listener, 4096) != 0 ||
      getsockname(listener, reinterpret_cast<sockaddr*>(&address), &length) != 0) {
    std::perror("listener");
    return 1;
  }
  std::vector<int> sockets;
  for (int i = 0; i < count; ++i) {
    const int client = socket(AF_INET, SOCK_STREAM, 0);
    if (client < 0 || connect(client, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0) {
      std::perror("connect");
      return 1;
    }
    const int server = accept(listener, nullptr, nullptr);
    if (server < 0) {
      std::perror("accept");
      return 1;
    }
    sockets.push_back(client);
    sockets.push_back(server);
  }
  std::printf("ready %d\n", ntohs(address.sin_port));
  std::fflush(stdout);
  sigset_t stop;
  sigemptyset(&stop);
  sigaddset(&stop, SIGTERM);
  sigaddset(&stop, SIGINT);
  sigprocmask(SIG_BLOCK, &stop, nullptr);
  int signal = 0;
  sigwait(&stop, &signal);
  // Reset rather than close: 2N sockets in TIME_WAIT would sit in the next
  // run's listings for a minute.
  const linger reset{.l_onoff = 1, .l_linger = 0};
  for (const int fd : sockets)
    setsockopt(fd, SOL_SOCKET, SO_LINGER, &reset, sizeof reset);
  return 0;
}
