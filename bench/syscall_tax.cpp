// The tax tracing puts on system calls that have nothing to do with TCP:
// one thread calls getppid() for a while and prints the average time per
// call.
//
//   tcpsight-syscall-tax [--seconds S]
//
// Prints `calls=N ns_per_call=X`. getppid is about the cheapest system
// call there is, so what a tracer adds to every system call (a classic
// syscall tracepoint puts every task through the slow syscall path) shows
// up as a share of it. It is called through syscall(SYS_getppid) so that
// no C library can answer it from a cache.
#include <sys/syscall.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>

int main(int argc, char** argv) {
  double seconds = 2;
  for (int i = 1; i < argc; i += 2) {
    const std::string flag = argv[i];
    if (flag == "--seconds" && i + 1 < argc) {
      seconds = std::atof(argv[i + 1]);
    } else {
      std::fprintf(stderr, "usage: %s [--seconds S]\n", argv[0]);
      return 2;
    }
  }

  // Read the clock once per batch, so that its cost stays out of the figure.
  constexpr long batch = 4096;
  const auto start = std::chrono::steady_clock::now();
  const auto end = start + std::chrono::duration<double>(seconds);
  auto now = start;
  long calls = 0;
  while (now < end) {
    for (long i = 0; i < batch; ++i)
      syscall(SYS_getppid);
    calls += batch;
    now = std::chrono::steady_clock::now();
  }
  const double ns = std::chrono::duration<double, std::nano>(now - start).count();
  std::printf("calls=%ld ns_per_call=%.1f\n", calls, ns / static_cast<double>(calls));
  return 0;
}
