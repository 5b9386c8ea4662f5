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

// Whether a record is a whole connection (TCPSIGHT_EVENT_CONNECTION, written
// with connection records on), for decode_connection rather than decode_event.
bool is_connection_record(std::span<const std::byte> record);

using ConnectionDecodeResult = std::variant<std::vector<Event>, DecodeError>;

// Decodes a connection record into the events it stands for: each transition
// on its path, its SYN retransmissions and its move to CLOSE, as the
// per-event programs write them, with what lifecycles need of them (owner
// and endpoints as at the close, and flags only on the close). A move the
// kernel missed is left out, and the event after it says so (gap_from).
ConnectionDecodeResult decode_connection(std::span<const std::byte> record);

// The size of an event record, and its layout version.
std::size_t event_record_size();
std::uint32_t event_record_version();

// The record the BPF programs would have written for a decoded event:
// decode_event(encode_event(e)) == e for every event they produce.
std::vector<std::byte> encode_event(const Event& event);

} // namespace tcpsight
