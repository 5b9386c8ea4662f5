#include "tcpsight/json_format.hpp"

#include "tcpsight/decode.hpp"

#include "event_bytes.hpp"
#include "utc_time_zone.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

namespace tcpsight {
namespace {

Transition sample() {
  return std::get<Transition>(decode_event(test::bytes_of(test::raw_transition())));
}

TEST(JsonFormat, Transition) {
  std::string out;
  append_transition_json(out, sample(), test::kSampleRealtimeNs);
  EXPECT_EQ(out,
            R"({"type":"transition","ts_ns":1000000000,"time":"2026-11-24T13:45:02.123456789Z",)"
            R"("sock_id":"0xffff888012345678","pid":4242,"comm":"curl","family":"ipv4",)"
            R"("saddr":"127.0.0.1","sport":40000,"daddr":"10.1.2.3","dport":8080,)"
            R"("old":"SYN_SENT","new":"ESTABLISHED","ms_in_old":1.500})"
            "\n");
}

TEST(JsonFormat, Ipv6TransitionWithUnknownTimeInOldState) {
  auto t = sample();
  t.local = {.family = AddressFamily::IPv6,
             .bytes = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1}};
  t.remote = {.family = AddressFamily::IPv6,
              .bytes = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 127, 0, 0, 2}};
  t.old_state = TcpState::Listen;
  t.new_state = TcpState::SynRecv;
  t.ns_in_old.reset();
  std::string out;
  append_transition_json(out, t, test::kSampleRealtimeNs);
  const auto parsed = nlohmann::json::parse(out);
  EXPECT_EQ(parsed["family"], "ipv6");
  EXPECT_EQ(parsed["saddr"], "::1");
  EXPECT_EQ(parsed["daddr"], "::ffff:127.0.0.2");
  EXPECT_EQ(parsed["old"], "LISTEN");
  EXPECT_EQ(parsed["new"], "SYN_RECV");
  EXPECT_TRUE(parsed["ms_in_old"].is_null());
}

TEST(JsonFormat, EveryLineParsesWithTheRequiredKeys) {
  std::string out;
  append_transition_json(out, sample(), test::kSampleRealtimeNs);
  ASSERT_EQ(out.back(), '\n');
  ASSERT_EQ(out.find('\n'), out.size() - 1);
  const auto parsed = nlohmann::json::parse(out);
  for (const char* key : {"type", "ts_ns", "pid", "comm", "family", "saddr", "sport", "daddr",
                          "dport", "old", "new", "ms_in_old"})
    EXPECT_TRUE(parsed.contains(key)) << key;
}

TEST(JsonFormat, CommWithControlAndNonAsciiBytes) {
  auto t = sample();
  t.comm = std::string("a\"\\\n\x01\x1f\x7f", 7);
  std::string out;
  append_transition_json(out, t, test::kSampleRealtimeNs);
  EXPECT_NE(out.find(R"("comm":"a\"\\\n\u0001\u001f\u007f")"), std::string::npos) << out;
  EXPECT_EQ(nlohmann::json::parse(out)["comm"], t.comm);
}

TEST(JsonFormat, StringEscaping) {
  EXPECT_EQ(json_string("plain"), R"("plain")");
  EXPECT_EQ(json_string(""), R"("")");
  EXPECT_EQ(json_string("tab\there"), R"("tab\there")");
  EXPECT_EQ(json_string(std::string("nul\0x", 5)), R"("nul\u0000x")");
  // Valid UTF-8 becomes \u escapes, so the output is pure ASCII.
  EXPECT_EQ(json_string("caf\xc3\xa9"), R"("caf\u00e9")");
  EXPECT_EQ(json_string("\xf0\x9f\x90\x8d"), R"("\ud83d\udc0d")");
  // Bytes that are not UTF-8 cannot be JSON text: each becomes U+FFFD.
  EXPECT_EQ(json_string("a\xff"
                        "b"),
            R"("a\ufffdb")");
  EXPECT_EQ(json_string("\xc3"), R"("\ufffd")");
}

TEST(JsonFormat, LostEvents) {
  EXPECT_EQ(lost_events_json(17), "{\"type\":\"lost_events\",\"count\":17}\n");
}

TEST(JsonFormat, Iso8601Utc) {
  EXPECT_EQ(format_iso8601_utc(test::kSampleRealtimeNs), "2026-11-24T13:45:02.123456789Z");
  EXPECT_EQ(format_iso8601_utc(0), "1970-01-01T00:00:00.000000000Z");
}

} // namespace
} // namespace tcpsight
