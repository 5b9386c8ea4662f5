#pragma once

#include <array>
#include <cstddef>
#include <cstdint>

namespace tcpsight {

// Counts in power-of-two slots, as bcc's tools draw them: slot 0 holds 0
// and 1, slot k (from 1) the values 2^k to 2^(k+1) - 1.
class Log2Histogram {
public:
  static constexpr std::size_t kSlots = 64;

  void add(std::uint64_t value);

  std::uint64_t count() const { return count_; }
  std::uint64_t in_slot(std::size_t k) const { return slots_[k]; }
  // One past the highest slot with a count; 0 when empty.
  std::size_t slots_used() const;

  // The lowest and highest value slot k holds.
  static std::uint64_t low(std::size_t k) { return k == 0 ? 0 : std::uint64_t{1} << k; }
  static std::uint64_t high(std::size_t k) {
    return k == kSlots - 1 ? UINT64_MAX : (std::uint64_t{1} << (k + 1)) - 1;
  }

  friend bool operator==(const Log2Histogram&, const Log2Histogram&) = default;

private:
  std::array<std::uint64_t, kSlots> slots_{};
  std::uint64_t count_ = 0;
};

} // namespace tcpsight
