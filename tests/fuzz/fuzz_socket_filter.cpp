// The ss filter language of `ls` and `top`: hostile words are a usage
// error or a filter, never a crash, a hang or deep recursion.
#include "fuzz_input.hpp"

#include "tcpsight/model/error.hpp"
#include "tcpsight/pipeline/socket_filter.hpp"

using namespace tcpsight;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  try {
    const auto filter = SocketFilter::parse(fuzz::words_of(fuzz::text_of(data, size)));
    SocketRow row;
    row.id.local_port = 22;
    row.state = TcpState::Established;
    filter.matches(row);
  } catch (const Error&) {
  }
  return 0;
}
