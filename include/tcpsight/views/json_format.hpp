#pragma once

#include "tcpsight/model/cgroup_name.hpp"
#include "tcpsight/model/event.hpp"
#include "tcpsight/model/time_point.hpp"
#include "tcpsight/views/json_writer.hpp"

#include <cstdint>
#include <string>
#include <string_view>

namespace tcpsight {

// One JSON object per line, each with a "type" key.

// The object for an interpreted event that happened at time,
// appended to out with its trailing newline. With explain, it carries an
// "explain" key saying what the event means; cgroup, what the owner's
// cgroup id stands for where it is known.
void append_event_json(std::string& out, const Event& event, WallTime time, bool explain = false,
                       const CgroupInfo* cgroup = nullptr);

// {"type":"lost_events","count":N} with its trailing newline.
std::string lost_events_json(std::uint64_t count);

// UTC time as ISO 8601 with nanoseconds: "2026-11-24T13:45:02.123456789Z".
std::string format_iso8601_utc(WallTime time);

} // namespace tcpsight
