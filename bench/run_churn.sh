#!/usr/bin/env bash
# Loopback churn with and without tracers, side by side in one run.
#
#   bench/run_churn.sh [BUILD_DIR]
#
# Runs bench's churn generator for SECONDS each: untraced, beside
# `tcpsight trace >/dev/null`, beside `tcpsight trace --json >/dev/null`,
# and beside Debian's `tcpstates >/dev/null` (libbpf-tools), in alternating
# rounds so that a noisy machine hurts every mode alike. Prints
# connections/s per run, the median per mode as a ratio of untraced, the
# events each tracer lost, and for tcpsight the events it showed per
# connection (8 when nothing is missing: 6 transitions and 2 resets).
# Needs root. Environment: ROUNDS (3), SECONDS (5), THREADS (2), and
# BASELINE: another build's tcpsight binary, run as two more modes
# (`trace` and `trace --json`) to compare two versions in the same rounds.
set -euo pipefail
build=${1:-build}
rounds=${ROUNDS:-3}
seconds=${SECONDS_PER_RUN:-5}
threads=${THREADS:-2}
churn="$build/bench/tcpsight-churn"
tcpsight="$build/tcpsight"
tcpstates=$(command -v tcpstates || echo /usr/sbin/tcpstates)
for tool in "$churn" "$tcpsight" "$tcpstates"; do
  [[ -x "$tool" ]] || { echo "run_churn: $tool is missing (build, and scripts/setup.sh --peers)" >&2; exit 1; }
done
# tcpstates attaches to a classic tracepoint: it needs tracefs.
mountpoint -q /sys/kernel/tracing || mount -t tracefs tracefs /sys/kernel/tracing

log=$(mktemp -d)
trap 'rm -rf "$log"' EXIT

# Starts a tracer, waits until it is attached, runs the churn, stops the
# tracer. Prints: rate lost shown.
run_mode() {
  local mode=$1 pid="" rate lost=0 shown=0
  case $mode in
    untraced) ;;
    tcpsight) "$tcpsight" trace >/dev/null 2>"$log/err" & pid=$! ;;
    tcpsight-json) "$tcpsight" trace --json >/dev/null 2>"$log/err" & pid=$! ;;
    tcpstates) "$tcpstates" >/dev/null 2>"$log/err" & pid=$! ;;
    baseline) "$BASELINE" trace >/dev/null 2>"$log/err" & pid=$! ;;
    baseline-json) "$BASELINE" trace --json >/dev/null 2>"$log/err" & pid=$! ;;
  esac
  if [[ -n $pid ]]; then
    if [[ $mode == tcpstates ]]; then sleep 2; else
      until grep -q "tracing TCP" "$log/err" 2>/dev/null; do sleep 0.1; done
    fi
  fi
  rate=$("$churn" --threads "$threads" --seconds "$seconds" | sed -n 's/.*connections=\([0-9]*\).* rate=\([0-9]*\).*/\2 \1/p')
  if [[ -n $pid ]]; then
    kill -INT "$pid"
    wait "$pid" || true
  fi
  case $mode in
    tcpsight*|baseline*)
      lost=$(sed -n 's/.* \([0-9]*\) lost.*/\1/p' "$log/err" | tail -1)
      shown=$(sed -n 's/^tcpsight: \([0-9]*\) events shown.*/\1/p' "$log/err" | tail -1) ;;
    tcpstates)
      lost=$(awk '/lost [0-9]+ events/ {sum += $2} END {print sum + 0}' "$log/err") ;;
  esac
  echo "$rate ${lost:-0} ${shown:-0}"
}

modes=(untraced tcpsight tcpsight-json tcpstates)
[[ -n ${BASELINE:-} ]] && modes+=(baseline baseline-json)
printf '%-14s %5s %12s %12s %10s %12s\n' mode round conn/s connections lost shown/conn
for round in $(seq "$rounds"); do
  for mode in "${modes[@]}"; do
    read -r rate connections lost shown < <(run_mode "$mode")
    per=$(awk -v s="$shown" -v c="$connections" 'BEGIN { if (s > 0) printf "%.2f", s / c; else print "-" }')
    printf '%-14s %5s %12s %12s %10s %12s\n' "$mode" "$round" "$rate" "$connections" "$lost" "$per"
    echo "$mode $rate $lost" >>"$log/results"
  done
done

echo
echo "median conn/s per mode, and as a share of untraced:"
base=$(awk '$1 == "untraced" {print $2}' "$log/results" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}')
for mode in "${modes[@]}"; do
  median=$(awk -v m="$mode" '$1 == m {print $2}' "$log/results" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}')
  lost=$(awk -v m="$mode" '$1 == m {sum += $3} END {print sum + 0}' "$log/results")
  awk -v m="$mode" -v r="$median" -v b="$base" -v l="$lost" \
    'BEGIN { printf "%-14s %10d conn/s  %5.1f%%  lost %d\n", m, r, 100 * r / b, l }'
done
