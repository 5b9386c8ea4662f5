#pragma once

#include "tcpsight/kernel/cgroup_directory.hpp"
#include "tcpsight/session/event_source.hpp"

#include <memory>
#include <optional>

namespace tcpsight {

// Names for the owners' cgroups where the ids mean something here: live.
// A recording's ids were another boot's, or another host's, and name nothing.
class CgroupNames {
public:
  explicit CgroupNames(const EventSource& source);

  // Null where the owner or its cgroup is unknown.
  const CgroupInfo* of(const std::optional<Owner>& owner);
  // of(), for the views that take a CgroupLookup; empty when not live.
  CgroupLookup lookup();

private:
  std::unique_ptr<CgroupDirectory> directory_;
};

} // namespace tcpsight
