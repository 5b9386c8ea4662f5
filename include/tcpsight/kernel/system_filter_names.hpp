#pragma once

#include "tcpsight/model/filter_names.hpp"

namespace tcpsight {

// The system's names for a socket filter: services from /etc/services (as
// TCP's, else UDP's), the calling thread's network namespace's devices, and
// cgroups under the cgroup v2 mount.
FilterNames system_filter_names();

} // namespace tcpsight
