#pragma once

#include <gtest/gtest.h>

#include <optional>
#include <string>

namespace tcpsight::test {

// Why this process cannot load BPF programs; nothing when it can.
std::optional<std::string> why_tracing_is_unavailable();

// True under CI=true, where a privileged test that cannot run must fail.
bool running_in_ci();

} // namespace tcpsight::test

// Skips the calling test when it cannot load BPF programs, or fails it under
// CI=true: the BPF path must be proven on every CI run.
#define TCPSIGHT_REQUIRE_TRACING()                                                                 \
  do {                                                                                             \
    if (auto why = ::tcpsight::test::why_tracing_is_unavailable()) {                               \
      if (::tcpsight::test::running_in_ci())                                                       \
        FAIL() << "CI=true and this privileged test cannot run: " << *why;                         \
      GTEST_SKIP() << *why;                                                                        \
    }                                                                                              \
  } while (false)
