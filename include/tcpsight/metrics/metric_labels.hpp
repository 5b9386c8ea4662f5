#pragma once

#include "tcpsight/kernel/cgroup_directory.hpp"
#include "tcpsight/model/connection_record.hpp"

#include <array>
#include <bitset>
#include <cstddef>
#include <string>
#include <string_view>

namespace tcpsight {

// The labels the exporter can put on a connection's series. Never a pid or
// an ephemeral port: those would make a series per connection.
enum class Label : std::uint8_t {
  Role,      // "active" (connect) or "passive" (accepted)
  Port,      // passive: the local, listening port
  Remote,    // active: the listener connected to, "addr:port" ("[addr]:port" for IPv6)
  Process,   // the owner's command name
  Container, // "container_id": 12 hex (not "container": Kubernetes' scrapes add that)
  Pod,       // "pod_uid": the Kubernetes pod's UID (not "pod", for the same reason)
  Unit,      // systemd unit
  Netns,     // network namespace inode
};
inline constexpr std::size_t kLabelCount = 8;

// "role", "port", ... as Prometheus shows them.
std::string_view label_name(Label label);
// "role,port,remote,process,container_id,pod_uid,unit,netns".
std::string all_label_names();

// Which labels are kept: all of them unless --labels says fewer.
using LabelChoice = std::bitset<kLabelCount>;
inline const LabelChoice kAllLabels = LabelChoice().set();
// "role,remote,container": a comma-separated list of label names. Throws
// tcpsight::Error for an unknown or repeated name.
LabelChoice parse_label_choice(std::string_view text);

// One connection's values for the kept labels; the others are empty.
struct LabelValues {
  std::array<std::string, kLabelCount> values;

  // The values joined with a byte no value holds: a key for a map.
  std::string key() const;
  friend bool operator==(const LabelValues&, const LabelValues&) = default;
};

// What a connection's labels are made from.
struct LabelSource {
  Role role = Role::Unknown;
  const ConnectionId* id = nullptr;
  const Owner* owner = nullptr;       // null: unknown
  const CgroupInfo* cgroup = nullptr; // null: unknown
};

// The kept labels' values, printable (a command name is any bytes).
LabelValues label_values(const LabelSource& source, const LabelChoice& kept);

// The series that label sets past the cap share: every kept label "other"
// but the role, which has three values only.
LabelValues other_label_values(const LabelValues& values, const LabelChoice& kept);

} // namespace tcpsight
