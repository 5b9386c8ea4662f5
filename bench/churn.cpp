// Loopback connection churn: N threads open and close TCP connections as
// fast as they can for a while, then print how many they made.
//
//   tcpsight-churn [--threads N] [--seconds S] [--rate R]
//   tcpsight-churn --count N --sequential [--ports FILE]
//
// --rate caps the connections per second of all threads together (0, the
// default: as fast as they can).
//
// Each connection: connect(), accept(), then the client closes with
// SO_LINGER 0 (a RST, so neither side sits in TIME_WAIT and ports never
// run out), and the server closes its end.
//
// --count N --sequential makes exactly N connections, one after the other
// on one thread, each closed normally: the client sends 100 bytes and
// closes (FIN; it ends in TIME_WAIT), the server reads them and the FIN,
// then closes its end. --ports FILE writes, for each connection made, the
// client's local port and the listener's port, so a checker can look for
// every connection in a tracer's output.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <array>
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

// One connection, opened, some bytes sent, and closed normally: the client
// closes first, the server reads to the end and closes. Writes the client's
// local port to `client_port`. False if the kernel refused a step.
bool connect_and_close(int listener, const sockaddr_in& address, unsigned& client_port) {
  const int client = socket(AF_INET, SOCK_STREAM, 0);
  if (client < 0)
    return false;
  if (connect(client, reinterpret_cast<const sockaddr*>(&address), sizeof address) != 0) {
    close(client);
    return false;
  }
  sockaddr_in local{};
  socklen_t length = sizeof local;
  getsockname(client, reinterpret_cast<sockaddr*>(&local), &length);
  client_port = ntohs(local.sin_port);
  const int server = accept(listener, nullptr, nullptr);
  std::array<char, 100> bytes{};
  bool made = server >= 0 && write(client, bytes.data(), bytes.size()) == ssize_t(bytes.size());
  close(client);
  if (server >= 0) {
    // Read the 100 bytes and then the FIN (read returns 0), then close.
    ssize_t got = 0;
    while ((got = read(server, bytes.data(), bytes.size())) > 0) {
    }
    made = made && got == 0;
    close(server);
  }
  return made;
}

// --count N --sequential: N normal connections, one at a time.
int run_sequential(long count, const char* ports_path) {
  FILE* ports = nullptr;
  if (ports_path != nullptr && (ports = std::fopen(ports_path, "w")) == nullptr)
    die(ports_path);
  sockaddr_in address{};
  const int listener = listen_on_loopback(address);
  long made = 0, failed = 0;
  const auto start = std::chrono::steady_clock::now();
  for (long i = 0; i < count; ++i) {
    unsigned client_port = 0;
    if (connect_and_close(listener, address, client_port)) {
      ++made;
      if (ports != nullptr)
        std::fprintf(ports, "%u %u\n", client_port, unsigned(ntohs(address.sin_port)));
    } else {
      ++failed;
    }
  }
  const double elapsed =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  close(listener);
  if (ports != nullptr && std::fclose(ports) != 0)
    die(ports_path);
  std::printf("connections=%ld failed=%ld seconds=%.3f rate=%.0f\n", made, failed, elapsed,
              static_cast<double>(made) / elapsed);
  return failed == 0 ? 0 : 1;
}

} // namespace

int main(int argc, char** argv) {
  int threads = 2;
  double seconds = 5;
  double rate = 0;
  long count = 0;
  bool sequential = false;
  const char* ports = nullptr;
  const auto usage = [&] {
    std::fprintf(stderr,
                 "usage: %s [--threads N] [--seconds S] [--rate R]\n"
                 "       %s --count N --sequential [--ports FILE]\n",
                 argv[0], argv[0]);
    return 2;
  };
  for (int i = 1; i < argc; ++i) {
    const std::string flag = argv[i];
    if (flag == "--sequential") {
      sequential = true;
      continue;
    }
    if (i + 1 == argc)
      return usage();
    const char* value = argv[++i];
    if (flag == "--threads")
      threads = std::atoi(value);
    else if (flag == "--seconds")
      seconds = std::atof(value);
    else if (flag == "--rate")
      rate = std::atof(value);
    else if (flag == "--count")
      count = std::atol(value);
    else if (flag == "--ports")
      ports = value;
    else
      return usage();
  }
  // Only the sequential mode counts; the churn runs for a time.
  if (sequential != (count > 0) || (ports != nullptr && !sequential))
    return usage();
  if (sequential)
    return run_sequential(count, ports);

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
