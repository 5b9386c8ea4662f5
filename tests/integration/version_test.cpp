// --version: the project's version, and the git revision built from.
#include "child_process.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <string>

namespace tcpsight {
namespace {

using test::ChildProcess;

const std::filesystem::path kSource =
    std::filesystem::path(TCPSIGHT_FIXTURES).parent_path().parent_path();

bool in_a_checkout() {
  ChildProcess git({"git", "-C", kSource.string(), "rev-parse", "HEAD"});
  return git.wait() == 0;
}

bool is_commit(const std::string& revision) {
  ChildProcess git({"git", "-C", kSource.string(), "cat-file", "-e", revision + "^{commit}"});
  return git.wait() == 0;
}

// In a checkout, "tcpsight 0.1.0 (git 0123456789ab)", "-dirty" after the
// hash if the tree had changes: a commit of this repository (the build
// may predate the last one).
TEST(Version, NamesTheReleaseAndTheRevision) {
  ChildProcess version({TCPSIGHT_BINARY, "--version"});
  ASSERT_EQ(version.wait(), 0);
  const auto text = version.stdout_text();
  EXPECT_EQ(text.rfind("tcpsight " TCPSIGHT_VERSION, 0), 0u) << text;
  if (!in_a_checkout())
    return;
  const auto at = text.find("(git ");
  ASSERT_NE(at, std::string::npos) << text;
  const auto revision = text.substr(at + 5, 12);
  EXPECT_TRUE(revision.size() == 12 &&
              std::all_of(revision.begin(), revision.end(),
                          [](unsigned char c) { return std::isxdigit(c); }))
      << text;
  EXPECT_TRUE(is_commit(revision)) << text;
}

} // namespace
} // namespace tcpsight
