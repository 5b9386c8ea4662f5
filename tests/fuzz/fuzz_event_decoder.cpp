// The kernel's records, as the ring buffer hands them over: an event or a
// connection record, decoded, then shown as trace shows it (text and JSON),
// so that whatever a record holds is printed safely.
#include "fuzz_input.hpp"

#include "tcpsight/kernel/decode.hpp"
#include "tcpsight/views/json_format.hpp"
#include "tcpsight/views/text_format.hpp"

#include <variant>

using namespace tcpsight;

namespace {

void show(const Event& event) {
  std::string out;
  append_text_row(out, event, WallTime{1'700'000'000'000'000'000}, /*explain=*/true);
  append_event_json(out, event, WallTime{1'700'000'000'000'000'000}, /*explain=*/true);
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const auto record = fuzz::bytes_of(data, size);
  if (is_connection_record(record)) {
    const auto decoded = decode_connection(record);
    if (const auto* events = std::get_if<std::vector<Event>>(&decoded))
      for (const auto& event : *events)
        show(event);
    return 0;
  }
  auto decoded = decode_event(record);
  if (auto* event = std::get_if<Event>(&decoded))
    show(*event);
  return 0;
}
