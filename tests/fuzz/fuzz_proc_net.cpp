// The /proc/net tables netstat and ls read: any text, as a kernel (or a
// process in the way, or a container runtime's bind mount) could present.
#include "fuzz_input.hpp"

#include "tcpsight/kernel/kernel_tables.hpp"
#include "tcpsight/kernel/proc_net.hpp"

using namespace tcpsight;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0)
    return 0;
  std::istringstream table{std::string(fuzz::text_of(data + 1, size - 1))};
  std::size_t malformed = 0;
  switch (data[0] % 10) {
  case 0:
    parse_proc_net_inet(table, Protocol::Tcp, AddressFamily::IPv4);
    break;
  case 1:
    parse_proc_net_inet(table, Protocol::Tcp, AddressFamily::IPv6);
    break;
  case 2:
    parse_proc_net_inet(table, Protocol::Udp, AddressFamily::IPv4);
    break;
  case 3:
    parse_proc_net_unix(table);
    break;
  case 4:
    parse_protocol_counters(table, malformed);
    break;
  case 5:
    parse_proc_net_route(table, malformed);
    break;
  case 6:
    parse_proc_net_dev(table, malformed);
    break;
  case 7:
    parse_proc_net_igmp(table, malformed);
    break;
  case 8:
    parse_proc_net_igmp6(table, malformed);
    break;
  case 9:
    parse_nf_conntrack(table, malformed);
    break;
  }
  return 0;
}
