#pragma once

#include "tcpsight/model/connection_histograms.hpp"
#include "tcpsight/model/log2_histogram.hpp"

#include <cstddef>
#include <string>
#include <string_view>

namespace tcpsight {

// A log2 histogram as a terminal bar chart, the way bcc's tools draw them:
// a header naming the unit, then a line per slot up to the highest in use,
// with its range, its count and a bar scaled to the largest count.
void append_log2_histogram(std::string& out, const Log2Histogram& histogram, std::string_view unit);

// `life --hist` and `history --hist`: the charts of every connection, then
// of the busiest remote endpoints (at most remotes of them).
void append_connection_histograms(std::string& out, const HistogramsByRemote& histograms,
                                  std::size_t remotes);

} // namespace tcpsight
