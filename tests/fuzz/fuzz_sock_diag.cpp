// A sock_diag answer: netlink messages of any length and attributes, parsed
// as the TCP, UDP and unix dumps parse them.
#include "fuzz_input.hpp"

#include "tcpsight/kernel/sock_diag.hpp"

#include <cstring>

using namespace tcpsight;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 2)
    return 0;
  constexpr Protocol kProtocols[] = {Protocol::Tcp, Protocol::Udp, Protocol::Unix};
  // Netlink messages are 4-byte aligned in the kernel's buffer: so here.
  std::vector<std::uint32_t> aligned((size - 1 + 3) / 4);
  std::memcpy(aligned.data(), data + 1, size - 1);
  std::size_t rows = 0;
  parse_sock_diag_answer({reinterpret_cast<const char*>(aligned.data()), size - 1},
                         kProtocols[data[0] % 3], [&](const SocketRow&) { ++rows; });
  return 0;
}
