#pragma once

// Members that several JSON views share, written the same way in each.

#include "tcpsight/model/cgroup_name.hpp"
#include "tcpsight/model/connection_id.hpp"
#include "tcpsight/model/event.hpp"
#include "tcpsight/views/json_writer.hpp"

#include <cstdint>
#include <optional>

namespace tcpsight::detail {

// "pid", "comm", "uid", "cgroup_id": all null when the owner is unknown.
// Then "cgroup" (the path), "container", "pod", "qos" and "unit": null
// unless the cgroup is known and its path names one.
void write_owner_members(JsonWriter& json, const std::optional<Owner>& owner,
                         const CgroupInfo* cgroup);

// "cgroup", "container", "pod", "qos", "unit", as write_owner_members writes them.
void write_cgroup_members(JsonWriter& json, const CgroupInfo* cgroup);

// "family", "saddr", "sport", "daddr", "dport".
void write_endpoint_members(JsonWriter& json, const ConnectionId& id);

// "drops", "last_drop_reason" (null without drops): what the kernel dropped
// of a connection.
void write_drop_members(JsonWriter& json, const ConnectionDrops& drops);

} // namespace tcpsight::detail
