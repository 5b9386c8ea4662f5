#include "tcpsight/views/printable.hpp"

#include <gtest/gtest.h>

namespace tcpsight {
namespace {

TEST(Printable, PlainTextIsKept) {
  EXPECT_EQ(printable_text("nginx: worker"), "nginx: worker");
  EXPECT_EQ(printable_text("/run/systemd/notify"), "/run/systemd/notify");
  EXPECT_EQ(printable_text(""), "");
}

TEST(Printable, ValidUtf8IsKept) {
  EXPECT_EQ(printable_text("caf\xc3\xa9"), "caf\xc3\xa9");                           // é
  EXPECT_EQ(printable_text("\xe6\x97\xa5\xe6\x9c\xac"), "\xe6\x97\xa5\xe6\x9c\xac"); // 日本
  EXPECT_EQ(printable_text("\xf0\x9f\x90\xa7"), "\xf0\x9f\x90\xa7");                 // a penguin
}

// Each byte a terminal would act on, or that is not UTF-8, is one '?'.
TEST(Printable, ControlsAndInvalidBytesBecomeQuestionMarks) {
  EXPECT_EQ(printable_text(std::string("a\x1b[2Jb\n\x7f\0z", 10)), "a?[2Jb???z");
  EXPECT_EQ(printable_text("\xc2\x9b"
                           "31m"),
            "?31m")
      << "C1 CSI as UTF-8";
  EXPECT_EQ(printable_text("\xe2\x80\xae"
                           "txt.exe"),
            "?txt.exe")
      << "right-to-left override";
  EXPECT_EQ(printable_text("\xe2\x80\xa8"), "?") << "line separator";
  EXPECT_EQ(printable_text("\xff\xfe"), "??");
  EXPECT_EQ(printable_text("caf\xc3"), "caf?") << "cut short";
  EXPECT_EQ(printable_text("\xc0\xaf"), "??") << "overlong '/'";
  EXPECT_EQ(printable_text("\xed\xa0\x80"), "???") << "a surrogate";
  EXPECT_EQ(printable_text("\xf4\x90\x80\x80"), "????") << "past U+10FFFF";
  EXPECT_EQ(printable_text("\xc3(x"), "?(x") << "a lead byte without its continuation";
}

TEST(Printable, ColumnsAreCutBetweenCharacters) {
  std::string name = "caf\xc3\xa9-bar";
  cut_to(name, 4); // inside the é
  EXPECT_EQ(name, "caf");
  name = "caf\xc3\xa9-bar";
  cut_to(name, 5);
  EXPECT_EQ(name, "caf\xc3\xa9");
  name = "short";
  cut_to(name, 19);
  EXPECT_EQ(name, "short");
}

} // namespace
} // namespace tcpsight
