#pragma once

#include <gtest/gtest.h>

#include <unistd.h>

#include <optional>
#include <string>

namespace tcpsight::test {

// Why this process cannot load BPF programs; nothing when it can.
std::optional<std::string> why_tracing_is_unavailable();

// True under CI=true, where a privileged test that cannot run must fail.
bool running_in_ci();

// The user the tests run commands as to see what another user sees.
constexpr unsigned kNobody = 65534;

// For a child before exec: becomes nobody, without supplementary groups.
// Exits the child with 125 if it cannot.
void become_nobody();

} // namespace tcpsight::test

// Skips the calling test when it does not run as root (it needs to be
// another user), or fails it under CI=true.
#define TCPSIGHT_REQUIRE_ROOT()                                                                    \
  do {                                                                                             \
    if (getuid() != 0) {                                                                           \
      if (::tcpsight::test::running_in_ci())                                                       \
        FAIL() << "CI=true and this test needs root, to be another user";                          \
      GTEST_SKIP() << "needs root, to be another user";                                            \
    }                                                                                              \
  } while (false)

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
