#!/usr/bin/env bash
# The hardening run of the test suite: builds the library, the unit tests
# and the fuzz targets again with clang, AddressSanitizer and
# UndefinedBehaviorSanitizer (in BUILD_DIR/sanitized), runs the unit tests
# there, then every fuzz target for SECONDS_EACH (tests/fuzz/run.sh).
#
#   tests/sanitized.sh SOURCE_DIR BUILD_DIR [SECONDS_EACH]
set -euo pipefail
source_dir=${1:?usage: tests/sanitized.sh SOURCE_DIR BUILD_DIR [SECONDS_EACH]}
build="${2:?usage: tests/sanitized.sh SOURCE_DIR BUILD_DIR [SECONDS_EACH]}/sanitized"
seconds=${3:-10}

mkdir -p "$build"
cmake -S "$source_dir" -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DCMAKE_C_COMPILER=clang -DCMAKE_CXX_COMPILER=clang++ \
  -DTCPSIGHT_SANITIZE=ON -DTCPSIGHT_FUZZ=ON -DTCPSIGHT_VM_TESTS=OFF -DTCPSIGHT_BUILD_BENCH=OFF \
  >"$build/configure.log" 2>&1 || { cat "$build/configure.log" >&2; exit 1; }
cmake --build "$build" -j"$(nproc)" --target tcpsight_unit_tests fuzzers

# Any report fails the run: a leak, an overflow, undefined behaviour.
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1:strict_string_checks=1
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
(cd "$build/tests" && ./tcpsight_unit_tests --gtest_brief=1)
"$source_dir/tests/fuzz/run.sh" "$build" "$seconds"
