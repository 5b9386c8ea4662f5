#include "views/json_members.hpp"

namespace tcpsight::detail {

void write_owner_members(JsonWriter& json, const std::optional<Owner>& owner) {
  if (!owner) {
    json.key<"pid">().null().key<"comm">().null().key<"uid">().null().key<"cgroup_id">().null();
    return;
  }
  json.key<"pid">().number(owner->pid).key<"comm">().string(owner->comm);
  json.key<"uid">().number(owner->uid).key<"cgroup_id">().number(owner->cgroup_id);
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

} // namespace tcpsight::detail
