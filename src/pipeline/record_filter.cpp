#include "tcpsight/pipeline/record_filter.hpp"

#include <algorithm>

namespace tcpsight {
namespace {

double ms_of(std::uint64_t ns) { return static_cast<double>(ns) / 1e6; }

template <typename T> bool listed(const std::vector<T>& values, T value) {
  return values.empty() || std::find(values.begin(), values.end(), value) != values.end();
}

} // namespace

bool RecordFilter::matches(const ConnectionRecord& r) const {
  const double ms = ms_of(r.duration_ns());
  if ((min_ms && ms < *min_ms) || (max_ms && ms > *max_ms))
    return false;
  if (!listed(outcomes, r.outcome))
    return false;
  if (!ports.empty() && !listed(ports, r.id.local_port) && !listed(ports, r.id.remote_port))
    return false;
  if (!pids.empty() && (!r.owner || !listed(pids, r.owner->pid)))
    return false;
  if (comm && (!r.owner || r.owner->comm != *comm))
    return false;
  return true;
}

} // namespace tcpsight
