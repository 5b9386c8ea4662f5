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

void write_endpoint_members(JsonWriter& json, const IpAddress& local, std::uint16_t local_port,
                            const IpAddress& remote, std::uint16_t remote_port) {
  json.key<"family">().plain_string(family_name(local.family));
  json.key<"saddr">().plain_string(address_text(local).view()).key<"sport">().number(local_port);
  json.key<"daddr">().plain_string(address_text(remote).view()).key<"dport">().number(remote_port);
}

} // namespace tcpsight::detail
