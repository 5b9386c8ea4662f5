// Loopback connection churn: N threads open and close TCP connections as
// fast as they can for a while, then print how many they made.
//
//   tcpsight-churn [--threads N] [--seconds S] [--rate R]
//
// --rate caps the connections per second of all threads together (0, the
// default: as fast as they can).
//
// Each connection: connect(), accept(), then the client closes with
// SO_LINGER 0 (a RST, so neither side sits in TIME_WAIT and ports never
// run out), and the server closes its end.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <thread>
#include <vector>

namespace {

[[noreturn]] void die(const char* what) {
  std::perror(what);
  std::exit(1);
}

int listen_on_loopback(sockaddr_in& address) {
  const int listener = socket(AF_INET, SOCK_STREAM, 0);
  address = {.sin_family = AF_INET, .sin_port = 0, .sin_addr = {htonl(INADDR_LOOPBACK)}};
  socklen_t length = sizeof address;
  if (listener < 0 || bind(listener, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0 ||
      listen(listener, 4096) != 0 ||
      getsockname(listener, reinterpret_cast<sockaddr*>(&address), &length) != 0)
    die("listener");
  return listener;
}

// One connection, opened and reset. False if the kernel refused a step.
bool churn_once(int listener, const sockaddr_in& address) {
  const int client = socket(AF_INET, SOCK_STREAM, 0);
  if (client < 0)
    return false;
  bool made = connect(client, reinterpret_cast<const sockaddr*>(&address), sizeof address) == 0;
  if (made) {
    const int server = accept(listener, nullptr, nullptr);
    made = server >= 0;
    const linger reset{.l_onoff = 1, .l_linger = 0};
    setsockopt(client, SOL_SOCKET, SO_LINGER, &reset, sizeof reset);
    close(client);
    if (server >= 0)
      close(server);
  } else {
    close(client);
  }
  return made;
}

} // namespace

int main(int argc, char** argv) {
  int threads = 2;
  double seconds = 5;
  double rate = 0;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string flag = argv[i];
    if (flag == "--threads")
      threads = std::atoi(argv[i + 1]);
    else if (flag == "--seconds")
      seconds = std::atof(argv[i + 1]);
    else if (flag == "--rate")
      rate = std::atof(argv[i + 1]);
    else {
      std::fprintf(stderr, "usage: %s [--threads N] [--seconds S] [--rate R]\n", argv[0]);
      return 2;
    }
  }

  std::atomic<bool> stop{false};
  std::atomic<long> made{0}, failed{0};
  std::vector<std::thread> workers;
  const auto start = std::chrono::steady_clock::now();
  for (int t = 0; t < threads; ++t)
    workers.emplace_back([&] {
      // A listener per thread, so threads never take each other's connections.
      sockaddr_in address{};
      const int listener = listen_on_loopback(address);
      long mine = 0, lost = 0;
      // Paced: each connection has its time, and a thread that is ahead waits for it.
      const auto interval = std::chrono::duration<double>(rate > 0 ? threads / rate : 0);
      auto next = std::chrono::steady_clock::now();
      while (!stop.load(std::memory_order_relaxed)) {
        if (rate > 0) {
          std::this_thread::sleep_until(next);
          next += std::chrono::duration_cast<std::chrono::steady_clock::duration>(interval);
        }
        (churn_once(listener, address) ? mine : lost)++;
      }
      made += mine;
      failed += lost;
      close(listener);
    });
  std::this_thread::sleep_for(std::chrono::duration<double>(seconds));
  stop = true;
  for (auto& worker : workers)
    worker.join();
  const double elapsed =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::printf("connections=%ld failed=%ld seconds=%.3f rate=%.0f\n", made.load(), failed.load(),
              elapsed, static_cast<double>(made.load()) / elapsed);
  return 0;
}
