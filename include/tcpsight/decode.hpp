#pragma once

#include "tcpsight/event.hpp"

#include <cstddef>
#include <span>
#include <string>
#include <variant>

namespace tcpsight {

struct DecodeError {
  std::string message;
};

using DecodeResult = std::variant<Event, DecodeError>;

// Decodes one record as the BPF programs write it (bpf/tcpsight_event.h).
// The length is checked before any field is read.
DecodeResult decode_event(std::span<const std::byte> record);

} // namespace tcpsight
