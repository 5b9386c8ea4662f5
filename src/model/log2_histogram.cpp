#include "tcpsight/model/log2_histogram.hpp"

#include <bit>

namespace tcpsight {

void Log2Histogram::add(std::uint64_t value) {
  const auto slot = value < 2 ? 0 : static_cast<std::size_t>(std::bit_width(value) - 1);
  ++slots_[slot];
  ++count_;
}

std::size_t Log2Histogram::slots_used() const {
  for (std::size_t k = kSlots; k > 0; --k)
    if (slots_[k - 1] != 0)
      return k;
  return 0;
}

} // namespace tcpsight
