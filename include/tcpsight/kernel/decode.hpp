#pragma once

#include "tcpsight/model/event.hpp"

#include <cstddef>
#include <span>
#include <string>
#include <variant>
#include <vector>

namespace tcpsight {

struct DecodeError {
  std::string message;
};

using DecodeResult = std::variant<Event, DecodeError>;

// Decodes one record as the BPF programs write it (bpf/tcpsight_event.h).
// The length is checked before any field is read.
DecodeResult decode_event(std::span<const std::byte> record);

// The size of that record, and its layout version.
std::size_t event_record_size();
std::uint32_t event_record_version();

// The record the BPF programs would have written for a decoded event:
// decode_event(encode_event(e)) == e for every event they produce.
std::vector<std::byte> encode_event(const Event& event);

} // namespace tcpsight
