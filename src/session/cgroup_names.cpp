#include "tcpsight/session/cgroup_names.hpp"

namespace tcpsight {

CgroupNames::CgroupNames(const EventSource& source) {
  if (source.live())
    directory_ = std::make_unique<CgroupDirectory>();
}

const CgroupInfo* CgroupNames::of(const std::optional<Owner>& owner) {
  return directory_ && owner ? directory_->find(owner->cgroup_id) : nullptr;
}

CgroupLookup CgroupNames::lookup() {
  if (!directory_)
    return {};
  return [this](std::uint64_t id) { return directory_->find(id); };
}

} // namespace tcpsight
