#!/usr/bin/env bash
# Runs every fuzz target of a TCPSIGHT_FUZZ build for a while, from the seeds
# in tests/fuzz/corpus (and the recordings in tests/fixtures), and fails on
# the first crash, leak, hang or sanitizer report.
#
#   tests/fuzz/run.sh BUILD_DIR [SECONDS_EACH]
#
# SECONDS_EACH is 10 by default, as the test suite runs it; for a longer
# hunt by hand: tests/fuzz/run.sh build-sanitized 600. What a target finds
# is written to BUILD_DIR/fuzz-findings (crash-*, leak-*, timeout-*): give
# that file to the target alone to reproduce it.
set -euo pipefail
build=${1:?usage: tests/fuzz/run.sh BUILD_DIR [SECONDS_EACH]}
seconds=${2:-10}
here=$(cd "$(dirname "$0")" && pwd)
findings="$build/fuzz-findings"
mkdir -p "$findings"

for target in "$build"/tests/fuzz/fuzz_*; do
  [[ -x $target ]] || continue
  name=$(basename "$target")
  name=${name#fuzz_}
  # New inputs go to a scratch corpus; the committed seeds are only read.
  scratch=$(mktemp -d)
  seeds=()
  [[ -d $here/corpus/$name ]] && seeds+=("$here/corpus/$name")
  [[ $name == recording ]] && seeds+=("$here/../fixtures")
  echo "fuzz: $name for ${seconds}s"
  if ! "$target" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -max_len=65536 \
      -print_final_stats=1 -artifact_prefix="$findings/$name-" "$scratch" "${seeds[@]}" \
      >"$findings/$name.log" 2>&1; then
    tail -n 40 "$findings/$name.log" >&2
    echo "fuzz: $name failed; the input is in $findings" >&2
    rm -rf "$scratch"
    exit 1
  fi
  grep -E '^stat::number_of_executed_units' "$findings/$name.log" || true
  rm -rf "$scratch"
done
