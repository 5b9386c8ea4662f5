#pragma once

#include "tcpsight/filter.hpp"

#include <cstddef>

namespace tcpsight::cli {

struct TraceOptions {
  bool json = false;
  bool explain = false;
  Filter filter;
  std::size_t ring_buffer_bytes = std::size_t{8} << 20;
  bool verbose = false;
};

// Each returns the process exit status.
int run_trace(const TraceOptions& options);
int run_states();

} // namespace tcpsight::cli
