#include "tcpsight/views/json_writer.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

namespace tcpsight {
namespace {

TEST(JsonWriter, PutsTheCommasInNestedValues) {
  std::string out;
  JsonWriter json(out);
  json.begin_object().key<"a">().number(1).key<"list">().begin_array();
  json.begin_object().key<"b">().boolean(true).end_object();
  json.begin_object().key<"c">().null().end_object();
  json.number(-3).end_array().key<"d">().plain_string("x").end_object().end();
  EXPECT_EQ(out, R"({"a":1,"list":[{"b":true},{"c":null},-3],"d":"x"})");
}

TEST(JsonWriter, EmptyContainers) {
  std::string out;
  JsonWriter(out)
      .begin_object()
      .key<"a">()
      .begin_array()
      .end_array()
      .key<"o">()
      .begin_object()
      .end_object()
      .end_object()
      .end();
  EXPECT_EQ(out, R"({"a":[],"o":{}})");
}

TEST(JsonWriter, Numbers) {
  std::string out;
  JsonWriter json(out);
  json.begin_array().number(std::uint64_t{18446744073709551615u}).number(std::int64_t{-9});
  json.number_or_null(std::optional<std::uint16_t>(80)).number_or_null(std::optional<int>());
  json.end_array().end();
  EXPECT_EQ(out, "[18446744073709551615,-9,80,null]");
}

TEST(JsonWriter, MillisecondsTwoWays) {
  std::string out;
  JsonWriter json(out);
  json.begin_array().milliseconds(1'500).milliseconds(1'000'500).milliseconds(12'345'678'901);
  json.three_decimals(1.0005).three_decimals(0.0505).three_decimals_or_null(std::nullopt);
  json.milliseconds_or_null(std::nullopt).end_array().end();
  // Integer rounding and the double's own rounding part ways at a half.
  EXPECT_EQ(out, "[0.002,1.001,12345.679,1.000,0.051,null,null]");
}

TEST(JsonWriter, StringsAreEscapedIntoAscii) {
  const std::string hostile("a\"\\\n\t\x01\x1f\x7f/caf\xc3\xa9\xf0\x9f\x90\x8d\xff\xc3", 20);
  std::string out;
  JsonWriter(out).string(hostile).end();
  EXPECT_EQ(out, R"("a\"\\\n\t\u0001\u001f\u007f/caf\u00e9\ud83d\udc0d\ufffd\ufffd")");
  EXPECT_EQ(out, json_string(hostile));
  EXPECT_EQ(nlohmann::json::parse(out), nlohmann::json("a\"\\\n\t\x01\x1f\x7f/caf\xc3\xa9"
                                                       "\xf0\x9f\x90\x8d\xef\xbf\xbd\xef\xbf\xbd"));
}

TEST(JsonWriter, LinesEndWithANewlineInPlaceOfTheComma) {
  std::string out = "{}\n";
  JsonWriter(out).begin_object().key<"n">().number(1).end_object().end_line();
  JsonWriter(out).plain_string("top").end_line();
  EXPECT_EQ(out, "{}\n{\"n\":1}\n\"top\"\n");
}

TEST(JsonWriter, PlainText) {
  EXPECT_TRUE(JsonWriter::needs_no_escaping("nginx: worker 1.2.3.4 [::1]:80"));
  for (const char* text : {"\"", "\\", "\n", "\x7f", "\xc3\xa9"})
    EXPECT_FALSE(JsonWriter::needs_no_escaping(text)) << text;
}

} // namespace
} // namespace tcpsight
