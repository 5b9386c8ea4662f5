// A file given to `trace --read` or `life --read`: anything at all, read in
// memory (a memfd) the way the reader reads a file.
#include "fuzz_input.hpp"

#include "tcpsight/kernel/event_file.hpp"
#include "tcpsight/model/error.hpp"

#include <sys/mman.h>
#include <unistd.h>

#include <string>

using namespace tcpsight;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const int fd = memfd_create("recording", MFD_CLOEXEC);
  if (fd < 0 || write(fd, data, size) != static_cast<ssize_t>(size))
    __builtin_trap();
  try {
    EventFileReader reader("/proc/self/fd/" + std::to_string(fd));
    std::uint64_t events = 0;
    reader.read([&](const Event&) { ++events; }, [](std::uint64_t) {});
  } catch (const Error&) {
    // Refused with a message: what a bad file must get.
  }
  close(fd);
  return 0;
}
