#include "tcpsight/views/json_format.hpp"

#include "tcpsight/pipeline/interpret.hpp"

#include "sample_event.hpp"
#include "utc_time_zone.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

namespace tcpsight {
namespace {

std::string json_of(const Event& e, bool explain = false) {
  std::string out;
  append_event_json(out, e, WallTime{test::kSampleRealtimeNs}, explain);
  return out;
}

TEST(JsonFormat, Transition) {
  EXPECT_EQ(
      json_of(test::sample_event()),
      R"({"type":"transition","ts_ns":1000000000,"time":"2026-11-24T13:45:02.123456789Z",)"
      R"("sock_id":8193,"netns":4026531840,"pid":4242,"comm":"curl","uid":1000,)"
      R"("cgroup_id":77,"cgroup":null,"container":null,"pod":null,"qos":null,"unit":null,)"
      R"("family":"ipv4","saddr":"127.0.0.1","sport":40000,)"
      R"("daddr":"10.1.2.3","dport":8080,"old":"SYN_SENT","new":"ESTABLISHED",)"
      R"("ms_in_old":1.500,"handshake_ms":1.500,"inferred":false,"recovered":false,"reason":null,)"
      R"("error":null})"
      "\n");
}

TEST(JsonFormat, UnknownOwnerAndTimesAreNull) {
  auto e = test::sample_event();
  e.owner.reset();
  e.ns_in_old.reset();
  e.handshake_ns.reset();
  const auto parsed = nlohmann::json::parse(json_of(e));
  for (const char* key : {"pid", "comm", "uid", "cgroup_id", "cgroup", "container", "unit",
                          "ms_in_old", "handshake_ms"})
    EXPECT_TRUE(parsed[key].is_null()) << key;
}

TEST(JsonFormat, CgroupNamesWhereKnown) {
  const std::string id(64, 'a');
  const CgroupInfo cgroup{.path = "/system.slice/docker-" + id + ".scope",
                          .name = name_cgroup("/system.slice/docker-" + id + ".scope")};
  std::string out;
  append_event_json(out, test::sample_event(), WallTime{test::kSampleRealtimeNs}, false, &cgroup);
  const auto parsed = nlohmann::json::parse(out);
  EXPECT_EQ(parsed["cgroup"], cgroup.path);
  EXPECT_EQ(parsed["container"], id);
  EXPECT_TRUE(parsed["pod"].is_null());
  EXPECT_TRUE(parsed["unit"].is_null());
}

TEST(JsonFormat, Ipv6AndV4Mapped) {
  auto e = test::sample_event();
  e.id.local = test::ipv6_loopback();
  e.id.remote = {.family = AddressFamily::IPv6,
                 .bytes = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 127, 0, 0, 2}};
  const auto parsed = nlohmann::json::parse(json_of(e));
  EXPECT_EQ(parsed["family"], "ipv6");
  EXPECT_EQ(parsed["saddr"], "::1");
  EXPECT_EQ(parsed["daddr"], "::ffff:127.0.0.2");
}

TEST(JsonFormat, InferredTimeWait) {
  auto e = test::sample_event();
  e.old_state = TcpState::FinWait2;
  e.new_state = TcpState::Close;
  e.peer_fin = true;
  const auto parsed = nlohmann::json::parse(json_of(interpret(e)));
  EXPECT_EQ(parsed["old"], "FIN_WAIT2");
  EXPECT_EQ(parsed["new"], "TIME_WAIT");
  EXPECT_EQ(parsed["inferred"], true);
  EXPECT_EQ(parsed["expires_in_ms"], 60000);
  EXPECT_FALSE(parsed.contains("confirmed")) << "seen, not asked about";
  EXPECT_FALSE(parsed.contains("not_before_ns"));
}

TEST(JsonFormat, TimeWaitTheKernelConfirmed) {
  auto e = test::sample_transition(1, TcpState::FinWait2, TcpState::TimeWait, 40000);
  e.inferred = true;
  e.confirmed = TimeBounds{.not_before_ns = 100, .not_after_ns = e.ts_ns + 5};
  const auto parsed = nlohmann::json::parse(json_of(e));
  EXPECT_EQ(parsed["confirmed"], true);
  EXPECT_EQ(parsed["not_before_ns"], 100);
  EXPECT_EQ(parsed["not_after_ns"], e.ts_ns + 5);
}

TEST(JsonFormat, HandoverInFinWait2) {
  auto e = test::sample_event();
  e.old_state = TcpState::FinWait2;
  e.new_state = TcpState::Close;
  e.orphan = true;
  const auto parsed = nlohmann::json::parse(json_of(interpret(e)));
  EXPECT_EQ(parsed["new"], "CLOSE");
  EXPECT_EQ(parsed["handover"], "fin_wait2");
  EXPECT_EQ(parsed["inferred"], false);
}

TEST(JsonFormat, ResetEventHasStateReasonAndExplanation) {
  auto e = test::sample_event();
  e.type = EventType::ResetReceived;
  e.old_state = e.new_state = TcpState::SynSent;
  e.error = ECONNREFUSED;
  const auto text = json_of(interpret(e), /*explain=*/true);
  const auto parsed = nlohmann::json::parse(text);
  EXPECT_EQ(parsed["type"], "reset_received");
  EXPECT_EQ(parsed["state"], "SYN_SENT");
  EXPECT_FALSE(parsed.contains("old"));
  EXPECT_EQ(parsed["reason"], "refused");
  EXPECT_EQ(parsed["error"], "ECONNREFUSED");
  EXPECT_EQ(parsed["explain"], "RST received in reply to our SYN: connection refused");
}

TEST(JsonFormat, EveryLineParsesWithTheRequiredKeys) {
  const auto out = json_of(test::sample_event());
  ASSERT_EQ(out.back(), '\n');
  ASSERT_EQ(out.find('\n'), out.size() - 1);
  const auto parsed = nlohmann::json::parse(out);
  for (const char* key : {"type", "ts_ns", "pid", "comm", "family", "saddr", "sport", "daddr",
                          "dport", "old", "new", "ms_in_old", "netns", "sock_id", "inferred"})
    EXPECT_TRUE(parsed.contains(key)) << key;
}

TEST(JsonFormat, CommWithControlAndNonAsciiBytes) {
  auto e = test::sample_event();
  e.owner->comm = std::string("a\"\\\n\x01\x1f\x7f", 7);
  const auto out = json_of(e);
  EXPECT_NE(out.find(R"("comm":"a\"\\\n\u0001\u001f\u007f")"), std::string::npos) << out;
  EXPECT_EQ(nlohmann::json::parse(out)["comm"], e.owner->comm);
}

TEST(JsonFormat, StringEscaping) {
  EXPECT_EQ(json_string("plain"), R"("plain")");
  EXPECT_EQ(json_string(""), R"("")");
  EXPECT_EQ(json_string("tab\there"), R"("tab\there")");
  EXPECT_EQ(json_string(std::string("nul\0x", 5)), R"("nul\u0000x")");
  // Valid UTF-8 becomes \u escapes, so the output is pure ASCII.
  EXPECT_EQ(json_string("caf\xc3\xa9"), R"("caf\u00e9")");
  EXPECT_EQ(json_string("\xf0\x9f\x90\x8d"), R"("\ud83d\udc0d")");
  // Bytes that are not UTF-8 cannot be JSON text: they become U+FFFD.
  EXPECT_EQ(json_string("a\xff"
                        "b"),
            R"("a\ufffdb")");
  EXPECT_EQ(json_string("\xc3"), R"("\ufffd")");
}

TEST(JsonFormat, LostEvents) {
  EXPECT_EQ(lost_events_json(17), "{\"type\":\"lost_events\",\"count\":17}\n");
}

TEST(JsonFormat, Iso8601Utc) {
  EXPECT_EQ(format_iso8601_utc(WallTime{test::kSampleRealtimeNs}),
            "2026-11-24T13:45:02.123456789Z");
  EXPECT_EQ(format_iso8601_utc(WallTime{0}), "1970-01-01T00:00:00.000000000Z");
}

} // namespace
} // namespace tcpsight
