#include "tcpsight/views/histogram_view.hpp"

#include "sample_event.hpp"

#include <gtest/gtest.h>

namespace tcpsight {
namespace {

TEST(HistogramView, BarsScaledToTheLargestCount) {
  Log2Histogram h;
  for (int i = 0; i < 8; ++i)
    h.add(20); // 16 to 31
  h.add(5);    // 4 to 7
  std::string out;
  append_log2_histogram(out, h, "handshake usecs");
  EXPECT_EQ(out,
            "         handshake usecs : count    distribution\n"
            "          0 -> 1         : 0        |                                        |\n"
            "          2 -> 3         : 0        |                                        |\n"
            "          4 -> 7         : 1        |*****                                   |\n"
            "          8 -> 15        : 0        |                                        |\n"
            "         16 -> 31        : 8        |****************************************|\n");
}

TEST(HistogramView, EveryConnectionThenTheBusiestEndpoints) {
  HistogramsByRemote histograms;
  ConnectionFacts facts;
  facts.id = test::sample_event().id;
  facts.role = Role::Active;
  histograms.add(facts, 2'000'000);
  std::string out;
  append_connection_histograms(out, histograms);
  // The same three charts for both: one connection.
  const std::string charts =
      "\n"
      "         handshake usecs : none\n"
      "\n"
      "          duration msecs : count    distribution\n"
      "          0 -> 1         : 0        |                                        |\n"
      "          2 -> 3         : 1        |****************************************|\n"
      "\n"
      "              srtt usecs : none\n"
      "\n";
  EXPECT_EQ(out, "all connections (1 connections)\n" + charts +
                     "remote 10.1.2.3 port 8080 (1 connections)\n" + charts);
}

} // namespace
} // namespace tcpsight
