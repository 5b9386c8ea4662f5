#pragma once

#include "tcpsight/model/clock.hpp"
#include "tcpsight/model/drop_reasons.hpp"
#include "tcpsight/model/event.hpp"

#include <cstdint>
#include <cstdio>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <vector>

namespace tcpsight {

// tcpsight event files: what `trace --write` records and `--read` replays.
//
// A 40-byte header (magic "TCPSIGHT", file format version, event layout
// version and size, and the offset from CLOCK_MONOTONIC to wall-clock time
// when the recording started), then records: a kind (event, lost events,
// drop reason name), a payload size, and the payload (the event as the BPF
// programs write it, a count of events the kernel could not write, or a
// drop reason's number and name on the recording kernel). Integers in the
// writer's byte order. Each record is written whole; only a crash can cut
// one short. Format 2 added the drop reason names; format 1 files are read.
inline constexpr std::uint32_t kEventFileFormatVersion = 2;

class EventFileWriter {
public:
  // Creates or truncates path. Throws tcpsight::Error.
  EventFileWriter(const std::string& path, WallClock clock);
  ~EventFileWriter();
  EventFileWriter(const EventFileWriter&) = delete;
  EventFileWriter& operator=(const EventFileWriter&) = delete;

  // A record as the BPF programs wrote it (Tracer::RecordTap), copied as is.
  void event_record(std::span<const std::byte> record);
  // A decoded event, encoded again: for events that did not come from the kernel.
  void event(const Event& event);
  void lost_events(std::uint64_t count);
  // The names of the recording kernel's drop reasons, before its events.
  void drop_reasons(const DropReasons& reasons);
  // Writes what is buffered. Throws tcpsight::Error when the disk refuses.
  void flush();

private:
  void record(std::uint32_t kind, const void* payload, std::uint32_t size);

  std::string path_;
  std::FILE* file_ = nullptr;
  std::vector<char> buffer_;
};

class EventFileReader {
public:
  // Opens path and checks its header. Throws tcpsight::Error saying what is
  // wrong: missing, not an event file, another layout version.
  explicit EventFileReader(const std::string& path);
  ~EventFileReader();
  EventFileReader(const EventFileReader&) = delete;
  EventFileReader& operator=(const EventFileReader&) = delete;

  // The recording's clock, to show its times as they were.
  WallClock wall_clock() const { return clock_; }

  // Hands every record over in order, while keep_reading (if given) says so
  // before each. Throws tcpsight::Error when the file is cut short or
  // corrupt, after handing over every whole record before.
  void read(const std::function<void(const Event&)>& on_event,
            const std::function<void(std::uint64_t)>& on_lost,
            const std::function<bool()>& keep_reading = {});

private:
  std::string path_;
  std::FILE* file_;
  WallClock clock_{0};
  std::uint32_t event_size_ = 0;
  std::uint32_t format_version_ = 0;
  DropReasons drop_reasons_; // from the file's names, before its events
  std::uint64_t events_read_ = 0;
  std::size_t names_read_ = 0;
};

} // namespace tcpsight
