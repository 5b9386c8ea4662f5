#include "tcpsight/views/histogram_view.hpp"

#include "tcpsight/views/printable.hpp"

#include <algorithm>
#include <fmt/format.h>
#include <iterator>

namespace tcpsight {
namespace {

constexpr std::size_t kBarWidth = 40;

// Stars for count out of the largest: at least one for any count.
std::string bar(std::uint64_t count, std::uint64_t largest) {
  if (count == 0 || largest == 0)
    return {};
  const auto stars = std::max<std::uint64_t>(1, count * kBarWidth / largest);
  return std::string(static_cast<std::size_t>(stars), '*');
}

void append_charts(std::string& out, std::string_view title, const ConnectionHistograms& h) {
  const auto it = std::back_inserter(out);
  fmt::format_to(it, "{} ({} connections)\n", title, h.connections);
  const std::pair<const Log2Histogram*, std::string_view> charts[] = {
      {&h.handshake_us, "handshake usecs"},
      {&h.duration_ms, "duration msecs"},
      {&h.srtt_us, "srtt usecs"}};
  for (const auto& [histogram, unit] : charts) {
    out += '\n';
    if (histogram->count() == 0) {
      fmt::format_to(it, "{:>24} : none\n", unit);
      continue;
    }
    append_log2_histogram(out, *histogram, unit);
  }
  out += '\n';
}

} // namespace

void append_log2_histogram(std::string& out, const Log2Histogram& histogram,
                           std::string_view unit) {
  const auto it = std::back_inserter(out);
  const auto used = histogram.slots_used();
  std::uint64_t largest = 0;
  for (std::size_t k = 0; k < used; ++k)
    largest = std::max(largest, histogram.in_slot(k));
  fmt::format_to(it, "{:>24} : {:<8} distribution\n", unit, "count");
  for (std::size_t k = 0; k < used; ++k)
    fmt::format_to(it, "{:>11} -> {:<9} : {:<8} |{:<{}}|\n", Log2Histogram::low(k),
                   Log2Histogram::high(k), histogram.in_slot(k), bar(histogram.in_slot(k), largest),
                   kBarWidth);
}

void append_connection_histograms(std::string& out, const HistogramsByRemote& histograms,
                                  std::size_t remotes) {
  append_charts(out, "all connections", histograms.all());
  for (const auto& [remote, charts] : histograms.busiest(remotes)) {
    const auto title = remote.port ? fmt::format("remote {} port {}", remote.address, *remote.port)
                                   : fmt::format("clients from {}", remote.address);
    append_charts(out, printable_text(title), *charts);
  }
}

} // namespace tcpsight
