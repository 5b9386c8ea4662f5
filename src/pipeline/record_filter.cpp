#include "tcpsight/pipeline/record_filter.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

namespace tcpsight {
namespace {

std::optional<std::int64_t> nearest_ns(const std::optional<double>& ms) {
  if (!ms)
    return std::nullopt;
  const double ns = std::round(*ms * 1e6);
  // Beyond any duration: the longest one (SQLite's integers are signed).
  constexpr auto kLongest = std::numeric_limits<std::int64_t>::max();
  return ns < static_cast<double>(kLongest) ? static_cast<std::int64_t>(ns) : kLongest;
}

template <typename T> bool listed(const std::vector<T>& values, T value) {
  return values.empty() || std::find(values.begin(), values.end(), value) != values.end();
}

} // namespace

std::optional<std::int64_t> RecordFilter::min_duration_ns() const { return nearest_ns(min_ms); }
std::optional<std::int64_t> RecordFilter::max_duration_ns() const { return nearest_ns(max_ms); }

bool RecordFilter::matches(const ConnectionFacts& r, std::uint64_t duration_ns) const {
  const auto ns = static_cast<std::int64_t>(duration_ns);
  const auto min_ns = min_duration_ns(), max_ns = max_duration_ns();
  if ((min_ns && ns < *min_ns) || (max_ns && ns > *max_ns))
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
