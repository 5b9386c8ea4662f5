// The values options take (ports, states, times, sizes, addresses) and the
// escaping of text other users chose: the first byte picks the parser.
#include "fuzz_input.hpp"

#include "tcpsight/history/history_store.hpp"
#include "tcpsight/history/path_text.hpp"
#include "tcpsight/kernel/cgroup_directory.hpp"
#include "tcpsight/metrics/metric_labels.hpp"
#include "tcpsight/metrics/metrics_server.hpp"
#include "tcpsight/model/cgroup_name.hpp"
#include "tcpsight/model/error.hpp"
#include "tcpsight/model/filter.hpp"
#include "tcpsight/model/ip_address.hpp"
#include "tcpsight/model/time_spec.hpp"
#include "tcpsight/views/json_writer.hpp"
#include "tcpsight/views/printable.hpp"

using namespace tcpsight;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0)
    return 0;
  const std::string text(fuzz::text_of(data + 1, size - 1));
  try {
    switch (data[0] % 13) {
    case 0:
      parse_port(text);
      break;
    case 1:
      parse_state(text);
      break;
    case 2:
      parse_duration(text);
      break;
    case 3:
      parse_time(text, 1'700'000'000'000'000'000);
      break;
    case 4:
      parse_size(text);
      break;
    case 5:
      history_address(text);
      break;
    case 6:
      if (const auto address = parse_ip_address(text))
        to_string(*address);
      break;
    case 7:
      printable_text(text);
      json_string(text);
      break;
    case 8: // the path column of a history
      encode_path(decode_path(text));
      break;
    case 9: // a cgroup's path, as anyone allowed to make a cgroup names it
      cgroup_display_name({.path = text, .name = name_cgroup(text)});
      break;
    case 10:
      parse_listen_address(text);
      break;
    case 11:
      parse_label_choice(text);
      break;
    case 12: // a mount point in /proc/self/mountinfo
      unescape_mountinfo(text);
      break;
    }
  } catch (const Error&) {
  }
  return 0;
}
