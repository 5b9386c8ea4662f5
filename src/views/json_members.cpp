#include "views/json_members.hpp"

namespace tcpsight::detail {

namespace {

void string_or_null(JsonWriter& json, std::string_view text) {
  if (text.empty())
    json.null();
  else
    json.string(text);
}

} // namespace

void write_cgroup_members(JsonWriter& json, const CgroupInfo* cgroup) {
  if (!cgroup) {
    json.key<"cgroup">().null().key<"container">().null().key<"pod">().null();
    json.key<"qos">().null().key<"unit">().null();
    return;
  }
  json.key<"cgroup">().string(cgroup->path);
  string_or_null(json.key<"container">(), cgroup->name.container);
  string_or_null(json.key<"pod">(), cgroup->name.pod);
  string_or_null(json.key<"qos">(), cgroup->name.qos);
  string_or_null(json.key<"unit">(), cgroup->name.unit);
}

void write_owner_members(JsonWriter& json, const std::optional<Owner>& owner,
                         const CgroupInfo* cgroup) {
  if (!owner) {
    json.key<"pid">().null().key<"comm">().null().key<"uid">().null().key<"cgroup_id">().null();
    write_cgroup_members(json, nullptr);
    return;
  }
  json.key<"pid">().number(owner->pid).key<"comm">().string(owner->comm);
  json.key<"uid">().number(owner->uid).key<"cgroup_id">().number(owner->cgroup_id);
  write_cgroup_members(json, cgroup);
}

void write_endpoint_members(JsonWriter& json, const ConnectionId& id) {
  json.key<"family">().plain_string(family_name(id.family()));
  json.key<"saddr">()
      .plain_string(address_text(id.local).view())
      .key<"sport">()
      .number(id.local_port);
  json.key<"daddr">()
      .plain_string(address_text(id.remote).view())
      .key<"dport">()
      .number(id.remote_port);
}

void write_drop_members(JsonWriter& json, const ConnectionDrops& drops) {
  json.key<"drops">().number(drops.count).key<"last_drop_reason">();
  string_or_null(json, drops.last_reason);
}

} // namespace tcpsight::detail
