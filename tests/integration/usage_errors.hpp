#pragma once

// Bad values given to a command: each a usage error, on one line.

#include "child_process.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

namespace tcpsight::test {

// Runs `tcpsight command OPTION VALUE` for each pair in bad and expects
// status 2 and one line on stderr that starts with "tcpsight: " and, with
// names_option, the option itself.
inline void expect_usage_errors(const std::string& command,
                                const std::vector<std::vector<std::string>>& bad,
                                bool names_option) {
  for (const auto& option_and_value : bad) {
    std::vector<std::string> argv{TCPSIGHT_BINARY, command};
    argv.insert(argv.end(), option_and_value.begin(), option_and_value.end());
    ChildProcess child(argv);
    const auto label = ::testing::PrintToString(option_and_value);
    EXPECT_EQ(child.wait(), 2) << label;
    const auto error = child.stderr_text();
    const auto start = "tcpsight: " + (names_option ? option_and_value.front() : std::string());
    EXPECT_EQ(error.rfind(start, 0), 0u) << label << ": " << error;
    EXPECT_EQ(std::count(error.begin(), error.end(), '\n'), 1) << label << ": " << error;
  }
}

} // namespace tcpsight::test
