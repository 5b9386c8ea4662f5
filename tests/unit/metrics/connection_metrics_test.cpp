#include "tcpsight/metrics/connection_metrics.hpp"

#include "sample_event.hpp"
#include "tcpsight/model/error.hpp"
#include "tcpsight/pipeline/interpret.hpp"

#include <gtest/gtest.h>
#include <prometheus/text_serializer.h>

#include <cerrno>

namespace tcpsight {
namespace {

using enum TcpState;

constexpr std::uint64_t kMs = 1'000'000;
const std::string kContainer(64, 'd');

// The value of the series of family name with exactly these labels; -1 if
// there is none. Histograms give their count.
double value_of(prometheus::Registry& registry, const std::string& name,
                const prometheus::Labels& labels) {
  for (const auto& family : registry.Collect()) {
    if (family.name != name)
      continue;
    for (const auto& metric : family.metric) {
      prometheus::Labels have;
      for (const auto& pair : metric.label)
        have.emplace(pair.name, pair.value);
      if (have != labels)
        continue;
      switch (family.type) {
      case prometheus::MetricType::Counter:
        return metric.counter.value;
      case prometheus::MetricType::Gauge:
        return metric.gauge.value;
      case prometheus::MetricType::Histogram:
        return static_cast<double>(metric.histogram.sample_count);
      default:
        return -2;
      }
    }
  }
  return -1;
}

class ConnectionMetricsTest : public ::testing::Test {
protected:
  explicit ConnectionMetricsTest(MetricsSettings settings = {})
      : metrics_(
            registry_, settings, [this](std::uint64_t id) { return lookup(id); }, "1.2.3") {}

  const CgroupInfo* lookup(std::uint64_t id) const { return id == 77 ? &cgroup_ : nullptr; }

  // curl's connection 127.0.0.1:local_port -> 10.1.2.3:8080, one transition.
  void to(std::uint64_t sock, TcpState from, TcpState to_state, double ms,
          const std::function<void(Event&)>& edit = {}, std::uint16_t remote_port = 8080) {
    auto e = test::sample_transition(sock, from, to_state, 40000, 1'000'000'000 + ms * kMs);
    e.id.remote_port = remote_port;
    e.handshake_ns.reset();
    e.ns_in_old.reset();
    if (edit)
      edit(e);
    metrics_.event(interpret(e));
  }

  static prometheus::Labels with(prometheus::Labels labels, const prometheus::Labels& extra) {
    labels.insert(extra.begin(), extra.end());
    return labels;
  }

  // The labels of curl's listener on 8080, for what it accepts.
  static prometheus::Labels curl_listener() {
    return {{"role", "passive"},        {"port", "8080"},
            {"process", "curl"},        {"container_id", "dddddddddddd"},
            {"unit", "docker.service"}, {"netns", "4026531840"}};
  }

  // The labels of the sample's connections.
  static prometheus::Labels curl(prometheus::Labels extra = {}) {
    prometheus::Labels labels{{"role", "active"},         {"remote", "10.1.2.3:8080"},
                              {"process", "curl"},        {"container_id", "dddddddddddd"},
                              {"unit", "docker.service"}, {"netns", "4026531840"}};
    labels.insert(extra.begin(), extra.end());
    return labels;
  }

  prometheus::Registry registry_;
  CgroupInfo cgroup_{.path = "/x", .name = {.unit = "docker.service", .container = kContainer}};
  ConnectionMetrics metrics_;
};

TEST_F(ConnectionMetricsTest, CountsANormalConnectionFromOpenToClose) {
  to(1, Close, SynSent, 0);
  EXPECT_EQ(value_of(registry_, "tcpsight_connections_opened_total", curl()), 1);
  to(1, SynSent, Established, 0.5, [](Event& e) { e.handshake_ns = 500'000; });
  EXPECT_EQ(value_of(registry_, "tcpsight_handshake_duration_seconds", curl()), 1);
  to(1, Established, FinWait1, 10);
  to(1, FinWait1, FinWait2, 11);
  to(1, FinWait2, Close, 12, [](Event& e) {
    e.peer_fin = true;
    e.totals = ConnectionTotals{.tx_bytes = 100, .rx_bytes = 2000, .retransmits = 3};
  });
  EXPECT_EQ(value_of(registry_, "tcpsight_connections_closed_total",
                     curl({{"outcome", "normal_active"}})),
            1);
  EXPECT_EQ(value_of(registry_, "tcpsight_sent_bytes_total", curl()), 100);
  EXPECT_EQ(value_of(registry_, "tcpsight_received_bytes_total", curl()), 2000);
  EXPECT_EQ(value_of(registry_, "tcpsight_retransmitted_segments_total", curl()), 3);
  EXPECT_EQ(value_of(registry_, "tcpsight_connection_duration_seconds", curl()), 1);
  EXPECT_EQ(value_of(registry_, "tcpsight_build_info", {{"version", "1.2.3"}}), 1);
  EXPECT_EQ(metrics_.label_sets(), 1u);
}

TEST_F(ConnectionMetricsTest, RefusedAndTimedOutConnects) {
  to(2, Close, SynSent, 0);
  to(2, SynSent, Close, 0.1, [](Event& e) {
    e.reset_received = true;
    e.error = ECONNREFUSED;
  });
  to(3, Close, SynSent, 0);
  to(3, SynSent, Close, 3000, [](Event& e) { e.error = ETIMEDOUT; });
  EXPECT_EQ(value_of(registry_, "tcpsight_connections_opened_total", curl()), 2);
  EXPECT_EQ(
      value_of(registry_, "tcpsight_connections_closed_total", curl({{"outcome", "refused"}})), 1);
  EXPECT_EQ(
      value_of(registry_, "tcpsight_connections_closed_total", curl({{"outcome", "timed_out"}})),
      1);
  EXPECT_EQ(
      value_of(registry_, "tcpsight_connections_reset_total", curl({{"direction", "received"}})),
      1);
  EXPECT_EQ(value_of(registry_, "tcpsight_connections_reset_total", curl({{"direction", "sent"}})),
            -1);
  // Neither completed a handshake.
  EXPECT_EQ(value_of(registry_, "tcpsight_handshake_duration_seconds", curl()), 0);
}

TEST_F(ConnectionMetricsTest, PassiveConnectionsAreLabelledByTheirListeningPort) {
  auto accepted = test::sample_transition(9, SynRecv, Established, 8080);
  accepted.id.remote_port = 51000; // ephemeral: never a label
  accepted.handshake_ns = 200'000;
  metrics_.event(interpret(accepted));
  const auto passive = curl_listener();
  EXPECT_EQ(value_of(registry_, "tcpsight_connections_opened_total", passive), 1);
  EXPECT_EQ(value_of(registry_, "tcpsight_handshake_duration_seconds", passive), 1);
}

// The listener's owner at the open, the acceptor's at the close: counted in
// the label set it opened with.
TEST_F(ConnectionMetricsTest, APassiveConnectionClosesWhereItOpened) {
  auto accepted = test::sample_transition(9, SynRecv, Established, 8080);
  accepted.owner = Owner{.pid = 1, .cgroup_id = 5, .comm = "listener"};
  metrics_.event(interpret(accepted));
  to(9, Established, CloseWait, 5, [](Event& e) { e.id.local_port = 8080; });
  to(9, CloseWait, LastAck, 6, [](Event& e) { e.id.local_port = 8080; });
  to(9, LastAck, Close, 7, [](Event& e) {
    e.id.local_port = 8080;
    e.totals = ConnectionTotals{.tx_bytes = 10};
  });
  const prometheus::Labels listener{
      {"role", "passive"}, {"port", "8080"}, {"process", "listener"}, {"netns", "4026531840"}};
  EXPECT_EQ(value_of(registry_, "tcpsight_connections_opened_total", listener), 1);
  EXPECT_EQ(value_of(registry_, "tcpsight_connections_closed_total",
                     with(listener, {{"outcome", "normal_passive"}})),
            1);
  EXPECT_EQ(value_of(registry_, "tcpsight_sent_bytes_total", listener), 10);
  EXPECT_EQ(metrics_.label_sets(), 1u);
}

// A socket that sent a SYN and got one (a simultaneous open, a connect to
// itself) goes SYN_SENT -> SYN_RECV -> ESTABLISHED: one active connection.
TEST_F(ConnectionMetricsTest, ASimultaneousOpenIsNotAlsoPassive) {
  to(10, Close, SynSent, 0);
  to(10, SynSent, SynRecv, 0.1);
  to(10, SynRecv, Established, 0.2, [](Event& e) { e.handshake_ns = 200'000; });
  EXPECT_EQ(value_of(registry_, "tcpsight_connections_opened_total", curl()), 1);
  EXPECT_EQ(value_of(registry_, "tcpsight_handshake_duration_seconds", curl()), 1);
  EXPECT_EQ(metrics_.label_sets(), 1u);
}

TEST_F(ConnectionMetricsTest, SynAndSynAckRetransmissionsAsTheyHappen) {
  to(11, Close, SynSent, 0);
  for (const double ms : {1000.0, 3000.0}) {
    auto again = test::sample_transition(11, SynSent, SynSent, 40000, 1'000'000'000 + ms * kMs);
    again.type = EventType::SynRetransmit;
    metrics_.event(interpret(again));
  }
  EXPECT_EQ(value_of(registry_, "tcpsight_syn_retransmissions_total", curl()), 2);
  // A listener's SYN-ACK sent again: no socket yet, the listening port.
  auto synack = test::sample_transition(0, Listen, Listen, 8080);
  synack.type = EventType::SynAckRetransmit;
  metrics_.event(interpret(synack));
  EXPECT_EQ(value_of(registry_, "tcpsight_syn_retransmissions_total", curl_listener()), 1);
}

TEST_F(ConnectionMetricsTest, DropsByTheKernelsReasonAsTheyHappen) {
  const auto drop = [&](const std::string& reason) {
    auto e = test::sample_transition(0, Close, Close, 8080);
    e.type = EventType::Drop;
    e.drop = DropDetails{.reason = reason};
    metrics_.event(interpret(e));
  };
  drop("NETFILTER_DROP");
  drop("NETFILTER_DROP");
  drop("TCP_LISTEN_OVERFLOW");
  EXPECT_EQ(value_of(registry_, "tcpsight_dropped_segments_total", {{"reason", "NETFILTER_DROP"}}),
            2);
  EXPECT_EQ(
      value_of(registry_, "tcpsight_dropped_segments_total", {{"reason", "TCP_LISTEN_OVERFLOW"}}),
      1);
  // A drop opens no connection.
  EXPECT_EQ(value_of(registry_, "tcpsight_connections_opened_total", curl()), -1);
}

TEST_F(ConnectionMetricsTest, ConnectionsOpenBeforeTracingHaveNoDuration) {
  SocketRow row{.protocol = Protocol::Tcp, .id = test::sample_event().id, .state = Established};
  row.id.sock_id = 12;
  metrics_.tracker().seed(row, test::sample_event().owner, Role::Active, 1'000'000'000);
  to(12, Established, Close, 5000, [](Event& e) { e.reset_received = true; });
  EXPECT_EQ(value_of(registry_, "tcpsight_connections_closed_total",
                     curl({{"outcome", "reset_received"}})),
            1);
  EXPECT_EQ(value_of(registry_, "tcpsight_connection_duration_seconds", curl()), 0);
}

// A connection the tracker no longer follows (its close was lost) leaves
// nothing behind: a socket that reuses its id opens in its own label set.
TEST_F(ConnectionMetricsTest, LabelSetsOfConnectionsGoneAreForgotten) {
  to(13, Close, SynSent, 0);
  to(13, SynSent, Established, 1);
  metrics_.tracker().expire_missing([](std::uint64_t, std::uint32_t) { return false; },
                                    1'000'000'000 + 60'000 * kMs, 1);
  metrics_.update_sockets(0);
  auto accepted = test::sample_transition(13, SynRecv, Established, 8080);
  accepted.handshake_ns = 100'000;
  metrics_.event(interpret(accepted));
  EXPECT_EQ(value_of(registry_, "tcpsight_connections_opened_total", curl_listener()), 1);
}

TEST_F(ConnectionMetricsTest, SocketsByStateFromTheTracker) {
  to(4, Close, SynSent, 0);
  to(5, Close, SynSent, 0);
  to(5, SynSent, Established, 1);
  metrics_.update_sockets(/*listeners=*/3);
  EXPECT_EQ(value_of(registry_, "tcpsight_sockets", {{"state", "SYN_SENT"}}), 1);
  EXPECT_EQ(value_of(registry_, "tcpsight_sockets", {{"state", "ESTABLISHED"}}), 1);
  EXPECT_EQ(value_of(registry_, "tcpsight_sockets", {{"state", "LISTEN"}}), 3);
  EXPECT_EQ(value_of(registry_, "tcpsight_sockets", {{"state", "CLOSE_WAIT"}}), 0);
}

TEST_F(ConnectionMetricsTest, OwnCountersFollowTheTotals) {
  metrics_.update_self({.received = 10, .lost = 2, .expired = 1});
  metrics_.update_self({.received = 15, .lost = 2, .recovered = 1, .expired = 1});
  EXPECT_EQ(value_of(registry_, "tcpsight_events_received_total", {}), 15);
  EXPECT_EQ(value_of(registry_, "tcpsight_events_lost_total", {}), 2);
  EXPECT_EQ(value_of(registry_, "tcpsight_transitions_recovered_total", {}), 1);
  EXPECT_EQ(value_of(registry_, "tcpsight_events_filtered_total", {}), 0);
  EXPECT_EQ(value_of(registry_, "tcpsight_connections_untracked_total", {{"reason", "expired"}}),
            1);
}

TEST_F(ConnectionMetricsTest, TheTextFormatEscapesHostileCommandNames) {
  auto e = test::sample_transition(6, Close, SynSent, 40000);
  e.owner->comm = "a\"b\\c\nd\x1b";
  metrics_.event(interpret(e));
  const auto text = prometheus::TextSerializer().Serialize(registry_.Collect());
  EXPECT_NE(text.find(R"(process="a\"b\\c?d?")"), std::string::npos) << text;
}

class CappedMetricsTest : public ConnectionMetricsTest {
protected:
  CappedMetricsTest()
      : ConnectionMetricsTest({.labels = parse_label_choice("role,remote"), .max_series = 2}) {}
};

TEST_F(CappedMetricsTest, LabelSetsPastTheCapShareOther) {
  for (std::uint16_t port = 1; port <= 5; ++port)
    to(100 + port, Close, SynSent, 0, {}, port);
  to(200, Close, SynSent, 0, {}, 5); // a folded label set again: counted once
  EXPECT_EQ(metrics_.label_sets(), 2u);
  EXPECT_EQ(value_of(registry_, "tcpsight_connections_opened_total",
                     {{"role", "active"}, {"remote", "10.1.2.3:1"}}),
            1);
  // The role is kept: it has three values only.
  EXPECT_EQ(value_of(registry_, "tcpsight_connections_opened_total",
                     {{"role", "active"}, {"remote", "other"}}),
            4);
  EXPECT_EQ(value_of(registry_, "tcpsight_label_sets_folded_total", {}), 3);
  EXPECT_EQ(value_of(registry_, "tcpsight_label_sets", {}), 2);
}

TEST(MetricLabels, ChoiceIsParsedStrictly) {
  EXPECT_EQ(parse_label_choice("role,remote").count(), 2u);
  EXPECT_THROW(parse_label_choice("role,pid"), Error);
  EXPECT_THROW(parse_label_choice("role,role"), Error);
  EXPECT_THROW(parse_label_choice(""), Error);
  EXPECT_THROW(parse_label_choice("role,"), Error);
}

} // namespace
} // namespace tcpsight
