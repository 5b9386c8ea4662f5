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

TEST(HistogramView, AnEmptyHistogramIsItsHeaderAlone) {
  std::string out;
  append_log2_histogram(out, Log2Histogram{}, "srtt usecs");
  EXPECT_EQ(out, "              srtt usecs : count    distribution\n");
}

// Rounded up: one in a thousand still shows; bounds past 9 digits widen
// every range alike.
TEST(HistogramView, SmallCountsShowAndWideBoundsAlign) {
  Log2Histogram h;
  for (int i = 0; i < 1000; ++i)
    h.add(1);
  h.add(std::uint64_t{1} << 33);
  std::string out;
  append_log2_histogram(out, h, "duration msecs");
  EXPECT_NE(
      out.find(
          "          0 -> 1           : 1000     |****************************************|\n"),
      std::string::npos)
      << out;
  EXPECT_NE(
      out.find(
          " 8589934592 -> 17179869183 : 1        |*                                       |\n"),
      std::string::npos)
      << out;
}

// Past the bound, endpoints are left out of their own charts, and said to be.
TEST(HistogramView, EndpointsLeftOutAreSaid) {
  HistogramsByRemote histograms(1);
  ConnectionFacts facts;
  facts.id = test::sample_event().id;
  histograms.add(facts, 0);
  facts.id.remote_port = 1;
  histograms.add(facts, 0);
  std::string out;
  append_connection_histograms(out, histograms, 5);
  EXPECT_TRUE(out.ends_with("at least 1 more remote endpoints are charted in all connections "
                            "only: tcpsight keeps charts for the first ones it sees\n"))
      << out;
}

TEST(HistogramView, EveryConnectionThenTheBusiestEndpoints) {
  HistogramsByRemote histograms;
  ConnectionFacts facts;
  facts.id = test::sample_event().id;
  facts.role = Role::Active;
  histograms.add(facts, 2'000'000);
  std::string out;
  append_connection_histograms(out, histograms, 5);
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
  EXPECT_EQ(out, "all connections (1 connection)\n" + charts +
                     "remote 10.1.2.3 port 8080 (1 connection)\n" + charts);
}

} // namespace
} // namespace tcpsight
