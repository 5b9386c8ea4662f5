#include "tcpsight/kernel/decode.hpp"
#include "tcpsight/pipeline/event_pipeline.hpp"
#include "tcpsight/session/lifecycle_tracker.hpp"

#include "event_bytes.hpp"

#include <gtest/gtest.h>

#include <initializer_list>
#include <utility>

namespace tcpsight {
namespace {

using enum TcpState;
using test::bytes_of;

// Milliseconds on the kernel's clock, as the records carry them.
constexpr std::uint64_t ms(std::uint64_t n) { return n * 1'000'000; }

struct Step {
  TcpState state;
  std::uint64_t entered_ns; // 0: its move was not seen
};

// A connection of curl's (raw_event's endpoints and owner) that went along
// steps and closed at end_ns.
tcpsight_connection raw_connection(std::initializer_list<Step> steps, std::uint64_t end_ns) {
  tcpsight_connection raw{};
  raw.end = test::raw_event();
  raw.end.type = TCPSIGHT_EVENT_CONNECTION;
  raw.end.flags = TCPSIGHT_F_OWNER_KNOWN;
  raw.end.ts_ns = end_ns;
  raw.end.newstate = static_cast<__u8>(Close);
  for (const auto& step : steps) {
    raw.path.states[raw.path.length] = static_cast<__u8>(step.state);
    raw.path.entered_ns[raw.path.length] = step.entered_ns;
    ++raw.path.length;
  }
  if (raw.path.length > 0)
    raw.end.oldstate = raw.path.states[raw.path.length - 1];
  return raw;
}

std::vector<Event> decode_ok(const tcpsight_connection& raw) {
  auto result = decode_connection(bytes_of(raw));
  if (auto* error = std::get_if<DecodeError>(&result)) {
    ADD_FAILURE() << error->message;
    return {};
  }
  return std::get<std::vector<Event>>(result);
}

std::string decode_error(const tcpsight_connection& raw) {
  auto result = decode_connection(bytes_of(raw));
  EXPECT_TRUE(std::holds_alternative<DecodeError>(result));
  return std::holds_alternative<DecodeError>(result) ? std::get<DecodeError>(result).message : "";
}

// type, ts, old -> new, ns_in_old, handshake, gap_from: what lifecycles
// take from each event.
struct Seen {
  EventType type;
  std::uint64_t ts_ns;
  TcpState old_state, new_state;
  std::optional<std::uint64_t> ns_in_old, handshake_ns;
  std::optional<TcpState> gap_from = std::nullopt;
  friend bool operator==(const Seen&, const Seen&) = default;
};

std::vector<Seen> seen(const std::vector<Event>& events) {
  std::vector<Seen> out;
  for (const auto& e : events)
    out.push_back(
        {e.type, e.ts_ns, e.old_state, e.new_state, e.ns_in_old, e.handshake_ns, e.gap_from});
  return out;
}

constexpr auto kTransition = EventType::Transition;
constexpr auto kNone = std::nullopt;

TEST(DecodeConnection, ConnectionRecordsAreToldFromEvents) {
  EXPECT_TRUE(is_connection_record(bytes_of(raw_connection({{SynSent, ms(1)}}, ms(2)))));
  EXPECT_FALSE(is_connection_record(bytes_of(test::raw_event())));
  EXPECT_FALSE(is_connection_record({}));
}

TEST(DecodeConnection, ActiveOpenIsEveryTransitionWithItsTimesAndHandshake) {
  const auto events = decode_ok(raw_connection({{Close, 0},
                                                {SynSent, ms(10)},
                                                {Established, ms(12)},
                                                {FinWait1, ms(20)},
                                                {FinWait2, ms(21)}},
                                               ms(30)));
  EXPECT_EQ(seen(events), (std::vector<Seen>{
                              {kTransition, ms(10), Close, SynSent, kNone, kNone},
                              {kTransition, ms(12), SynSent, Established, ms(2), ms(2)},
                              {kTransition, ms(20), Established, FinWait1, ms(8), kNone},
                              {kTransition, ms(21), FinWait1, FinWait2, ms(1), kNone},
                              {kTransition, ms(30), FinWait2, Close, ms(9), kNone},
                          }));
}

TEST(DecodeConnection, EveryEventHasTheEndsOwnerAndEndpointsAndOnlyTheEndItsFlags) {
  auto raw = raw_connection({{Close, 0}, {SynSent, ms(10)}, {Established, ms(12)}}, ms(30));
  raw.end.flags |= TCPSIGHT_F_RESET_SENT | TCPSIGHT_F_LINGER_ZERO | TCPSIGHT_F_TOTALS_KNOWN;
  raw.end.tx_bytes = 5;
  const auto events = decode_ok(raw);
  ASSERT_EQ(events.size(), 3u);
  for (const auto& e : events) {
    EXPECT_EQ(e.id, events.back().id);
    ASSERT_TRUE(e.owner);
    EXPECT_EQ(e.owner->comm, "curl");
  }
  EXPECT_FALSE(events[1].reset_sent || events[1].linger_zero || events[1].totals);
  EXPECT_TRUE(events[2].reset_sent && events[2].linger_zero);
  EXPECT_EQ(events[2].totals->tx_bytes, 5u);
}

TEST(DecodeConnection, PassiveOpenHandshakeIsTheFirstRttSample) {
  auto raw = raw_connection({{Listen, 0}, {SynRecv, ms(10)}, {Established, ms(11)}}, ms(30));
  raw.path.srtt_us = 250;
  EXPECT_EQ(seen(decode_ok(raw)), (std::vector<Seen>{
                                      {kTransition, ms(10), Listen, SynRecv, kNone, kNone},
                                      {kTransition, ms(11), SynRecv, Established, ms(1), 250'000},
                                      {kTransition, ms(30), Established, Close, ms(19), kNone},
                                  }));
}

TEST(DecodeConnection, SynRetransmitsFollowTheConnect) {
  auto raw = raw_connection({{Close, 0}, {SynSent, ms(10)}}, ms(3000));
  raw.path.syn_retransmits = 2;
  const auto events = decode_ok(raw);
  ASSERT_EQ(events.size(), 4u);
  EXPECT_EQ(events[1].type, EventType::SynRetransmit);
  EXPECT_EQ(events[2].type, EventType::SynRetransmit);
  EXPECT_EQ(events[2].old_state, SynSent);
  EXPECT_EQ(events[3].old_state, SynSent);
  EXPECT_EQ(events[3].new_state, Close);
}

TEST(DecodeConnection, FirstSeenMidLifeHasNoTimeInItsFirstState) {
  EXPECT_EQ(seen(decode_ok(raw_connection({{Established, 0}, {CloseWait, ms(5)}}, ms(6)))),
            (std::vector<Seen>{
                {kTransition, ms(5), Established, CloseWait, kNone, kNone},
                {kTransition, ms(6), CloseWait, Close, ms(1), kNone},
            }));
}

TEST(DecodeConnection, ASocketUsedAgainKnowsHowLongItWasClosed) {
  EXPECT_EQ(seen(decode_ok(raw_connection({{Close, ms(4)}, {SynSent, ms(10)}}, ms(11)))),
            (std::vector<Seen>{
                {kTransition, ms(10), Close, SynSent, ms(6), kNone},
                {kTransition, ms(11), SynSent, Close, ms(1), kNone},
            }));
}

TEST(DecodeConnection, AMoveTheKernelMissedIsAGapForTheEventAfterIt) {
  EXPECT_EQ(
      seen(decode_ok(raw_connection(
          {{Close, 0}, {SynSent, ms(10)}, {Established, 0}, {FinWait1, ms(20)}, {FinWait2, ms(21)}},
          ms(30)))),
      (std::vector<Seen>{
          {kTransition, ms(10), Close, SynSent, kNone, kNone},
          {kTransition, ms(20), Established, FinWait1, kNone, kNone, SynSent},
          {kTransition, ms(21), FinWait1, FinWait2, ms(1), kNone},
          {kTransition, ms(30), FinWait2, Close, ms(9), kNone},
      }));
  // Missed just before the close: the close says so.
  const auto events = decode_ok(raw_connection(
      {{Listen, 0}, {SynRecv, ms(10)}, {Established, ms(11)}, {CloseWait, 0}}, ms(30)));
  ASSERT_EQ(events.size(), 3u);
  EXPECT_EQ(events[2].gap_from, Established);
  EXPECT_FALSE(events[2].ns_in_old);
}

TEST(DecodeConnection, ANewConnectionWhoseFirstMoveWasMissedComesFromClose) {
  // The kernel side starts such a path from CLOSE, unseen, then the state
  // the missed move entered.
  EXPECT_EQ(
      seen(decode_ok(raw_connection({{Close, 0}, {SynSent, 0}, {Established, ms(12)}}, ms(30)))),
      (std::vector<Seen>{
          {kTransition, ms(12), SynSent, Established, kNone, kNone, Close},
          {kTransition, ms(30), Established, Close, ms(18), kNone},
      }));
}

TEST(DecodeConnection, TheLostTransitionsAreRebuiltDownstream) {
  std::vector<Event> shown;
  struct Keep : EventSink {
    std::vector<Event>& out;
    explicit Keep(std::vector<Event>& o) : out(o) {}
    void event(const Event& e) override { out.push_back(e); }
  } keep(shown);
  EventPipeline pipeline({}, keep);
  for (auto& e : decode_ok(raw_connection(
           {{Close, 0}, {SynSent, ms(10)}, {Established, 0}, {CloseWait, ms(20)}}, ms(30))))
    pipeline.push(std::move(e));
  pipeline.finish();
  ASSERT_EQ(shown.size(), 4u);
  EXPECT_EQ(shown[1].old_state, SynSent);
  EXPECT_EQ(shown[1].new_state, Established);
  EXPECT_TRUE(shown[1].recovered);
  EXPECT_EQ(pipeline.recovered(), 1u);
}

TEST(DecodeConnection, FoldsIntoTheRecordItsEventsMake) {
  auto raw = raw_connection({{Listen, 0},
                             {SynRecv, ms(10)},
                             {Established, ms(11)},
                             {CloseWait, ms(20)},
                             {LastAck, ms(21)}},
                            ms(22));
  raw.path.srtt_us = 40;
  raw.end.flags |= TCPSIGHT_F_TOTALS_KNOWN | TCPSIGHT_F_PEER_FIN;
  raw.end.rx_bytes = 7;
  std::vector<ConnectionRecord> finished;
  LifecycleTracker tracker([&](const ConnectionRecord& r) { finished.push_back(r); });
  EventPipeline pipeline({}, tracker);
  for (auto& e : decode_ok(raw))
    pipeline.push(std::move(e));
  pipeline.finish();
  ASSERT_EQ(finished.size(), 1u);
  const auto& r = finished[0];
  EXPECT_EQ(r.role, Role::Passive);
  EXPECT_EQ(r.outcome, Outcome::NormalPassive);
  EXPECT_EQ(r.start.ns, ms(10));
  EXPECT_EQ(r.end.ns, ms(22));
  EXPECT_EQ(r.handshake_ns, 40'000u);
  EXPECT_EQ(r.path, (std::vector<StateStep>{{SynRecv, ms(1)},
                                            {Established, ms(9)},
                                            {CloseWait, ms(1)},
                                            {LastAck, ms(1)},
                                            {Close, std::nullopt}}));
  ASSERT_TRUE(r.owner);
  EXPECT_EQ(r.owner->pid, 4242u);
  EXPECT_EQ(r.totals->rx_bytes, 7u);
}

TEST(DecodeConnection, RefusesRecordsThatDoNotHoldTogether) {
  EXPECT_NE(decode_error(raw_connection({}, ms(1))).find("path of 0"), std::string::npos);
  auto unknown = raw_connection({{Close, 0}, {SynSent, ms(1)}}, ms(2));
  unknown.path.states[0] = 40;
  EXPECT_NE(decode_error(unknown).find("unknown state 40"), std::string::npos);
  auto too_long = raw_connection({{Close, 0}, {SynSent, ms(1)}}, ms(2));
  too_long.path.length = TCPSIGHT_PATH_MAX + 1;
  EXPECT_NE(decode_error(too_long).find("path of 9"), std::string::npos);
  auto elsewhere = raw_connection({{Close, 0}, {SynSent, ms(1)}}, ms(2));
  elsewhere.end.oldstate = static_cast<__u8>(Established);
  EXPECT_NE(decode_error(elsewhere).find("ends elsewhere"), std::string::npos);
  auto not_closed = raw_connection({{Close, 0}, {SynSent, ms(1)}}, ms(2));
  not_closed.end.newstate = static_cast<__u8>(Established);
  EXPECT_NE(decode_error(not_closed).find("move to CLOSE"), std::string::npos);
  auto gap_at_end = raw_connection({{Close, 0}, {SynSent, ms(1)}}, ms(2));
  gap_at_end.end.flags |= TCPSIGHT_F_GAP;
  gap_at_end.end.gap_from = static_cast<__u8>(Established);
  EXPECT_NE(decode_error(gap_at_end).find("move to CLOSE"), std::string::npos);
  const auto bytes = bytes_of(raw_connection({{Close, 0}, {SynSent, ms(1)}}, ms(2)));
  auto result = decode_connection(std::span(bytes).first(TCPSIGHT_EVENT_SIZE));
  ASSERT_TRUE(std::holds_alternative<DecodeError>(result));
  EXPECT_NE(std::get<DecodeError>(result).message.find("bytes"), std::string::npos);
}

TEST(DecodeConnection, RefusesPathsNoConnectionTakes) {
  // A state twice: also what would let a record expand into many events.
  auto twice = raw_connection(
      {{Close, 0}, {SynSent, ms(1)}, {Established, ms(2)}, {SynSent, ms(3)}, {Established, ms(4)}},
      ms(5));
  twice.path.syn_retransmits = 100;
  EXPECT_NE(decode_error(twice).find("enters state 2 twice"), std::string::npos);
  auto retried = raw_connection({{Close, 0}, {SynSent, ms(1)}}, ms(2));
  retried.path.syn_retransmits = 65535;
  EXPECT_NE(decode_error(retried).find("65535 SYN retransmits"), std::string::npos);
  // Unseen moves (time 0) are not out of order.
  EXPECT_EQ(
      decode_ok(raw_connection({{Close, 0}, {SynSent, ms(5)}, {Established, 0}}, ms(6))).size(),
      2u);
}

TEST(DecodeConnection, TimesOutOfOrderNeverMakeATimeInAStateNegative) {
  // Entered before the state it follows, and after the end.
  EXPECT_EQ(seen(decode_ok(raw_connection(
                {{Close, 0}, {SynSent, ms(5)}, {Established, ms(4)}, {FinWait1, ms(9)}}, ms(6)))),
            (std::vector<Seen>{
                {kTransition, ms(5), Close, SynSent, kNone, kNone},
                {kTransition, ms(5), SynSent, Established, 0, 0},
                {kTransition, ms(6), Established, FinWait1, ms(1), kNone},
                {kTransition, ms(6), FinWait1, Close, 0, kNone},
            }));
}

TEST(DecodeConnection, ARecoveredEndIsMarkedAndHasNoTimeInItsLastState) {
  auto raw = raw_connection({{Close, 0}, {SynSent, ms(10)}, {Established, ms(12)}}, ms(30));
  raw.end.flags |= TCPSIGHT_F_RECOVERED;
  const auto events = decode_ok(raw);
  ASSERT_EQ(events.size(), 3u);
  EXPECT_FALSE(events[1].recovered);
  EXPECT_TRUE(events[2].recovered);
  EXPECT_EQ(events[2].ts_ns, ms(30));
  EXPECT_FALSE(events[2].ns_in_old);
}

TEST(DecodeConnection, IsNoEventForTheEventDecoder) {
  const auto bytes = bytes_of(raw_connection({{Close, 0}, {SynSent, ms(1)}}, ms(2)));
  EXPECT_TRUE(std::holds_alternative<DecodeError>(decode_event(bytes)));
}

} // namespace
} // namespace tcpsight
