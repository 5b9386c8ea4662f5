#include "tcpsight/views/histogram_view.hpp"

#include "tcpsight/views/printable.hpp"

#include <algorithm>
#include <fmt/format.h>
#include <iterator>

namespace tcpsight {
namespace {

constexpr std::size_t kBarWidth = 40;

// Stars for count out of the largest, rounded up: any count shows.
std::string bar(std::uint64_t count, std::uint64_t largest) {
  if (count == 0 || largest == 0)
    return {};
  const auto stars = (count * kBarWidth + largest - 1) / largest;
  return std::string(static_cast<std::size_t>(stars), '*');
}

std::string_view connections_word(std::uint64_t count) {
  return count == 1 ? "connection" : "connections";
}

void append_charts(std::string& out, std::string_view title, const ConnectionHistograms& h) {
  const auto it = std::back_inserter(out);
  fmt::format_to(it, "{} ({} {})\n", title, h.connections, connections_word(h.connections));
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
  fmt::format_to(it, "{:>24} : {:<8} distribution\n", unit, "count");
  if (used == 0)
    return;
  std::uint64_t largest = 0;
  for (std::size_t k = 0; k < used; ++k)
    largest = std::max(largest, histogram.in_slot(k));
  // Ranges as wide as the widest bound drawn, at least as bcc's.
  const auto width =
      std::max<std::size_t>(9, fmt::formatted_size("{}", Log2Histogram::high(used - 1)));
  for (std::size_t k = 0; k < used; ++k)
    fmt::format_to(it, "{:>{}} -> {:<{}} : {:<8} |{:<{}}|\n", Log2Histogram::low(k), width + 2,
                   Log2Histogram::high(k), width, histogram.in_slot(k),
                   bar(histogram.in_slot(k), largest), kBarWidth);
}

void append_connection_histograms(std::string& out, const HistogramsByRemote& histograms,
                                  std::size_t remotes) {
  append_charts(out, "all connections", histograms.all());
  for (const auto& [remote, charts] : histograms.busiest(remotes)) {
    const auto title = remote.port ? fmt::format("remote {} port {}", remote.address, *remote.port)
                                   : fmt::format("clients from {}", remote.address);
    append_charts(out, printable_text(title), *charts);
  }
  if (const auto left_out = histograms.endpoints_left_out())
    fmt::format_to(std::back_inserter(out),
                   "{}{} more remote endpoints are charted in all connections only: tcpsight "
                   "keeps charts for the first ones it sees\n",
                   left_out >= histograms.max_remotes() ? "at least " : "", left_out);
}

} // namespace tcpsight
