#include "tcpsight/kernel/event_file.hpp"

#include "tcpsight/kernel/decode.hpp"
#include "tcpsight/model/error.hpp"

#include <linux/types.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstring>
#include <fmt/format.h>

#include "tcpsight_event.h"

namespace tcpsight {
namespace {

constexpr std::array<char, 8> kMagic{'T', 'C', 'P', 'S', 'I', 'G', 'H', 'T'};
constexpr std::uint32_t kEventRecord = 1;
constexpr std::uint32_t kLostRecord = 2;
// The name of a drop reason number: a u32, then the name's bytes. From file
// format 2 on, before the first event; no kernel has near this many.
constexpr std::uint32_t kDropReasonRecord = 3;
constexpr std::size_t kMaxDropReasonNames = 1024;
// No record is near this big: a size beyond it means a corrupt file.
constexpr std::uint32_t kMaxRecordSize = 1 << 16;
// Times past this (nanoseconds, some 146 years) are not a machine's: the
// clock offset and an event's monotonic time must each be below it, so
// that their sum, a wall-clock time, stays a valid one.
constexpr std::uint64_t kMaxTimeNs = std::uint64_t{1} << 62;

struct FileHeader {
  std::array<char, 8> magic = kMagic;
  std::uint32_t format_version = kEventFileFormatVersion;
  std::uint32_t event_version = 0;
  std::uint32_t event_size = 0;
  std::uint32_t reserved = 0;
  std::int64_t realtime_minus_monotonic_ns = 0;
  std::uint64_t reserved2 = 0;
};
static_assert(sizeof(FileHeader) == 40);

struct RecordHeader {
  std::uint32_t kind;
  std::uint32_t size;
};

std::string errno_text() { return std::strerror(errno); }

// Wall-clock time minus monotonic time, as a machine can have it: from 0
// (the clock at 1970 at boot) to kMaxTimeNs.
bool is_machine_clock_offset(std::int64_t offset_ns) {
  return offset_ns >= 0 && static_cast<std::uint64_t>(offset_ns) < kMaxTimeNs;
}

// File format 2 with this event layout, or format 1 with layout 4: the same
// fields without those after drop_reason, which read as zero.
bool reads_layout(std::uint32_t format, std::uint32_t version, std::uint32_t size) {
  return (format == kEventFileFormatVersion && version == event_record_version() &&
          size == event_record_size()) ||
         (format == 1 && version == 4 && size == TCPSIGHT_EVENT_V4_SIZE);
}

} // namespace

EventFileWriter::EventFileWriter(const std::string& path, WallClock clock) : path_(path) {
  // Checked before the file is created, as the reader checks it.
  if (!is_machine_clock_offset(clock.realtime_minus_monotonic_ns()))
    throw Error(fmt::format("the wall clock is {} ns behind the time since boot: a recording "
                            "made now could not be replayed; set the clock",
                            -clock.realtime_minus_monotonic_ns()));
  file_ = std::fopen(path.c_str(), "wbe");
  if (!file_)
    throw Error(fmt::format("cannot create {}: {}", path, errno_text()));
  FileHeader header;
  header.event_version = event_record_version();
  header.event_size = static_cast<std::uint32_t>(event_record_size());
  header.realtime_minus_monotonic_ns = clock.realtime_minus_monotonic_ns();
  const auto* bytes = reinterpret_cast<const char*>(&header);
  buffer_.assign(bytes, bytes + sizeof header);
  flush();
}

EventFileWriter::~EventFileWriter() {
  try {
    flush();
  } catch (const Error&) {
    // Reported by the explicit flush that failed first, if the caller made one.
  }
  std::fclose(file_);
}

void EventFileWriter::record(std::uint32_t kind, const void* payload, std::uint32_t size) {
  const RecordHeader header{kind, size};
  const auto* header_bytes = reinterpret_cast<const char*>(&header);
  buffer_.insert(buffer_.end(), header_bytes, header_bytes + sizeof header);
  const auto* payload_bytes = static_cast<const char*>(payload);
  buffer_.insert(buffer_.end(), payload_bytes, payload_bytes + size);
}

void EventFileWriter::event_record(std::span<const std::byte> bytes) {
  record(kEventRecord, bytes.data(), static_cast<std::uint32_t>(bytes.size()));
}

void EventFileWriter::event(const Event& event) { event_record(encode_event(event)); }

void EventFileWriter::lost_events(std::uint64_t count) {
  record(kLostRecord, &count, sizeof count);
}

void EventFileWriter::flush() {
  if (buffer_.empty())
    return;
  const bool written = std::fwrite(buffer_.data(), 1, buffer_.size(), file_) == buffer_.size() &&
                       std::fflush(file_) == 0;
  buffer_.clear();
  if (!written)
    throw Error(fmt::format("cannot write {}: {}", path_, errno_text()));
}

EventFileReader::EventFileReader(const std::string& path)
    : path_(path), file_(std::fopen(path.c_str(), "rbe")) {
  if (!file_)
    throw Error(fmt::format("cannot open {}: {}", path, errno_text()));
  FileHeader header;
  const auto got = std::fread(&header, 1, sizeof header, file_);
  if (got < sizeof header || header.magic != kMagic) {
    std::fclose(file_);
    throw Error(fmt::format("{} is not a tcpsight event file (written by `tcpsight trace "
                            "--write`)",
                            path));
  }
  if (!reads_layout(header.format_version, header.event_version, header.event_size)) {
    std::fclose(file_);
    throw Error(fmt::format("{} holds events of layout version {}, {} bytes each (file format "
                            "{}); this tcpsight reads layout version {}, {} bytes each (file "
                            "format {})",
                            path, header.event_version, header.event_size, header.format_version,
                            event_record_version(), event_record_size(), kEventFileFormatVersion));
  }
  if (!is_machine_clock_offset(header.realtime_minus_monotonic_ns)) {
    std::fclose(file_);
    throw Error(fmt::format("{} is corrupt (its clock offset, {} ns, is no machine's)", path,
                            header.realtime_minus_monotonic_ns));
  }
  clock_ = WallClock(header.realtime_minus_monotonic_ns);
  event_size_ = header.event_size;
  format_version_ = header.format_version;
}

EventFileReader::~EventFileReader() { std::fclose(file_); }

void EventFileWriter::drop_reasons(const DropReasons& reasons) {
  std::vector<std::byte> payload;
  for (const auto& [code, name] : reasons.all()) {
    payload.resize(sizeof code + name.size()); // at most DropReasons::kMaxName
    std::memcpy(payload.data(), &code, sizeof code);
    std::memcpy(payload.data() + sizeof code, name.data(), name.size());
    record(kDropReasonRecord, payload.data(), static_cast<std::uint32_t>(payload.size()));
  }
}

void EventFileReader::read(const std::function<void(const Event&)>& on_event,
                           const std::function<void(std::uint64_t)>& on_lost,
                           const std::function<bool()>& keep_reading) {
  std::uint64_t records = 0;
  std::vector<std::byte> payload;
  const auto corrupt = [&](const std::string& what) {
    return Error(fmt::format("{} is {} after {} whole records", path_, what, records));
  };
  while (!keep_reading || keep_reading()) {
    RecordHeader header;
    const auto got = std::fread(&header, 1, sizeof header, file_);
    if (got == 0 && std::feof(file_))
      return;
    if (got < sizeof header)
      throw corrupt("cut short");
    const bool known_size =
        (header.kind == kEventRecord && header.size == event_size_) ||
        (header.kind == kLostRecord && header.size == sizeof(std::uint64_t)) ||
        (header.kind == kDropReasonRecord && header.size > sizeof(std::uint32_t) &&
         header.size <= sizeof(std::uint32_t) + DropReasons::kMaxName);
    const bool names_in_place =
        header.kind != kDropReasonRecord ||
        (format_version_ >= 2 && events_read_ == 0 && names_read_++ < kMaxDropReasonNames);
    if (!known_size || !names_in_place || header.size > kMaxRecordSize)
      throw corrupt(
          fmt::format("corrupt (a record of kind {} and {} bytes)", header.kind, header.size));
    payload.resize(header.size);
    if (std::fread(payload.data(), 1, payload.size(), file_) < payload.size())
      throw corrupt("cut short");
    if (header.kind == kLostRecord) {
      std::uint64_t count;
      std::memcpy(&count, payload.data(), sizeof count);
      on_lost(count);
    } else if (header.kind == kDropReasonRecord) {
      std::uint32_t code;
      std::memcpy(&code, payload.data(), sizeof code);
      drop_reasons_.add(code, {reinterpret_cast<const char*>(payload.data()) + sizeof code,
                               payload.size() - sizeof code});
    } else {
      payload.resize(event_record_size()); // zeros for the fields an older layout lacks
      auto decoded = decode_event(payload);
      if (auto* error = std::get_if<DecodeError>(&decoded))
        throw corrupt(fmt::format("corrupt ({})", error->message));
      auto& event = std::get<Event>(decoded);
      name_drop(event, drop_reasons_);
      if (event.ts_ns >= kMaxTimeNs)
        throw corrupt(fmt::format("corrupt (an event at {} ns, no machine's time)", event.ts_ns));
      ++events_read_;
      on_event(event);
    }
    ++records;
  }
}

} // namespace tcpsight
