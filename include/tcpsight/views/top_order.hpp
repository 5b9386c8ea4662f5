#pragma once

#include "tcpsight/views/top_model.hpp"

#include <compare>
#include <cstdint>
#include <optional>
#include <string_view>

namespace tcpsight {

// How two rows of `tcpsight top` compare in a column's ascending order, on
// the column's values rather than its text: addresses as addresses (IPv4
// first), numbers as numbers, names as text. Age ascending is the newest
// first. Rows equal in the column compare equal.
std::strong_ordering compare_top_rows(const TopRow& a, const TopRow& b, TopColumn column);

// The State column: how a closed row ended, else its TCP state.
std::string_view top_state_name(const TopRow& row);

// The RTT_MS column's value in microseconds: the smoothed round trip at the
// close once closed, else the latest snapshot's; none without a sample.
std::optional<std::uint32_t> top_round_trip_us(const TopRow& row);

// The RETRANS column's value: segments sent again, at the close once
// closed, else as of the latest snapshot.
std::optional<std::uint32_t> top_retransmits(const TopRow& row);

} // namespace tcpsight
