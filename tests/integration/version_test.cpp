// --version: the project's version, and the git revision built from.
#include "child_process.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <string>

namespace tcpsight {
namespace {

using test::ChildProcess;

// The checkout's HEAD, abbreviated as the build names it; "" outside git.
std::string head_revision() {
  const auto source = std::filesystem::path(TCPSIGHT_FIXTURES).parent_path().parent_path();
  ChildProcess git({"git", "-C", source.string(), "rev-parse", "--short=12", "HEAD"});
  if (git.wait() != 0)
    return "";
  auto revision = git.stdout_text();
  return revision.substr(0, revision.find('\n'));
}

TEST(Version, NamesTheReleaseAndTheRevision) {
  ChildProcess version({TCPSIGHT_BINARY, "--version"});
  ASSERT_EQ(version.wait(), 0);
  const auto text = version.stdout_text();
  EXPECT_EQ(text.rfind("tcpsight " TCPSIGHT_VERSION, 0), 0u) << text;
  const auto revision = head_revision();
  if (!revision.empty()) {
    EXPECT_NE(text.find("(git " + revision), std::string::npos)
        << text << " built from " << revision;
  }
}

} // namespace
} // namespace tcpsight
