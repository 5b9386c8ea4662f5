#!/usr/bin/env bash
# What leaving a tracer on all the time costs the rest of the machine,
# side by side in one run.
#
#   bench/run_always_on.sh [BUILD_DIR]
#
# Modes: untraced; `tcpsight trace >/dev/null`; `tcpsight trace --json
# >/dev/null`; `tcpsight life >/dev/null`; trace-nodrops and life-nodrops,
# the same with --no-drops (what the drop hook costs); `tcpsight record` into a fresh
# database; `tcpsight export` with curl scraping /metrics every second (the
# scrapes' latency and series count are printed after each run); Debian's
# tcplife and tcpstates (libbpf-tools) >/dev/null; and all3: trace, life and
# record running at once. In alternating rounds, so
# that a noisy machine hurts every mode alike, each mode starts its
# tool(s), waits until they are attached, and measures:
#   (a) the syscall tax: bench's tcpsight-syscall-tax calls getppid on one
#       thread with no TCP traffic: ns per call. A tracer that attaches to
#       a classic syscall tracepoint puts every system call of every task
#       through the slow path, TCP or not;
#   (b) the churn: bench's tcpsight-churn, THREADS threads opening and
#       resetting loopback connections as fast as they can: connections/s;
# then stops the tool(s) with SIGINT and reads the events they lost from
# their exit summaries: tcpsight's "N lost" (and, from versions that say
# so, "N recovered" and "N not recovered"; '-' where a summary does not
# say), tcplife's and tcpstates' "lost N events" lines. For all3
# the three summaries are added up.
# Prints each run, then per mode the medians: conn/s as a share of
# untraced, getppid ns as a ratio of untraced, and the losses summed over
# the rounds.
# Needs root. Environment: MODES (all of the above, space-separated; keep
# untraced, the reference), ROUNDS (3), SECONDS_PER_RUN (5: the churn),
# SYSCALL_SECONDS (2: the getppid loop), THREADS (2), EXPORT_PORT (19977),
# and BASELINE: another
# build's tcpsight binary, run as two more modes (baseline-trace,
# baseline-life) to compare two versions in the same rounds.
set -euo pipefail
build=${1:-build}
rounds=${ROUNDS:-3}
seconds=${SECONDS_PER_RUN:-5}
syscall_seconds=${SYSCALL_SECONDS:-2}
threads=${THREADS:-2}
export_port=${EXPORT_PORT:-19977}
churn="$build/bench/tcpsight-churn"
tax="$build/bench/tcpsight-syscall-tax"
tcpsight="$build/tcpsight"
tcplife=$(command -v tcplife || echo /usr/sbin/tcplife)
tcpstates=$(command -v tcpstates || echo /usr/sbin/tcpstates)
for tool in "$churn" "$tax" "$tcpsight" "$tcplife" "$tcpstates" ${BASELINE:+"$BASELINE"}; do
  [[ -x "$tool" ]] || { echo "run_always_on: $tool is missing (build, and scripts/setup.sh --peers)" >&2; exit 1; }
done
# tcplife and tcpstates attach to a classic tracepoint: they need tracefs.
mountpoint -q /sys/kernel/tracing || mount -t tracefs tracefs /sys/kernel/tracing

log=$(mktemp -d)
pids=() errs=() scraper=""
# Stops whatever is still running if the script ends early.
cleanup() {
  [[ -z $scraper ]] || kill "$scraper" 2>/dev/null || true
  ((${#pids[@]} == 0)) || kill -INT "${pids[@]}" 2>/dev/null || true
  wait || true
  rm -rf "$log"
}
trap cleanup EXIT

# Starts one tool in the background, its stderr in a file of its own:
# start KIND COMMAND..., KIND being tcpsight or peer.
start() {
  local kind=$1 err
  shift
  err="$log/err.${#pids[@]}"
  "$@" >/dev/null 2>"$err" &
  pids+=($!)
  errs+=("$kind:$err")
}

# Waits until every started tool is attached: tcpsight says "tracing TCP"
# on stderr; the libbpf tools say nothing, so give them 2 s.
wait_attached() {
  local i kind err deadline=$((SECONDS + 30))
  for i in "${!pids[@]}"; do
    kind=${errs[i]%%:*} err=${errs[i]#*:}
    if [[ $kind == peer ]]; then
      sleep 2
    else
      until grep -q "tracing TCP" "$err" 2>/dev/null; do
        if ! kill -0 "${pids[i]}" 2>/dev/null || ((SECONDS > deadline)); then
          echo "run_always_on: a tracer did not start:" >&2
          cat "$err" >&2
          exit 1
        fi
        sleep 0.1
      done
    fi
    kill -0 "${pids[i]}" 2>/dev/null || { echo "run_always_on: a tracer exited:" >&2; cat "$err" >&2; exit 1; }
  done
}

source "$(dirname "$0")/summary.sh"

# Scrapes the exporter every second, as Prometheus would at its fastest
# usual interval, keeping each scrape's time and the last scrape.
start_scraper() {
  : >"$log/scrape_seconds"
  while :; do
    curl -s -o "$log/scrape" -w '%{time_total}\n' "http://127.0.0.1:$export_port/metrics" \
      >>"$log/scrape_seconds" || true
    sleep 1
  done &
  scraper=$!
}

# "scrapes=N median_ms=M max_ms=X series=S" for the run that just ended.
stop_scraper() {
  kill "$scraper" 2>/dev/null || true
  wait "$scraper" 2>/dev/null || true
  scraper=""
  sort -g "$log/scrape_seconds" | awk -v series="$(grep -cv '^#' "$log/scrape" 2>/dev/null || echo 0)" \
    '{ a[NR] = $1 * 1000 } END { printf "scrapes=%d median_ms=%.1f max_ms=%.1f series=%d\n", NR, a[int((NR+1)/2)], a[NR], series }'
}

# Adds counts that may be '-' (not reported): '-' only when both are.
add() { awk -v a="$1" -v b="$2" 'BEGIN { if (a == "-" && b == "-") print "-"; else print a + b }'; }

# Stops every started tool with SIGINT and sets losses to what they lost,
# added up: "lost recovered unrecovered". (Not in a $(...) subshell: only
# this shell can wait for the tools.)
stop_all() {
  local i kind err lost="-" recovered="-" unrecovered="-" l r u
  kill -INT "${pids[@]}"
  for i in "${!pids[@]}"; do
    wait "${pids[i]}" || true
    kind=${errs[i]%%:*} err=${errs[i]#*:}
    if [[ $kind == peer ]]; then
      l=$(awk '/lost [0-9]+ events/ { sum += $2 } END { print sum + 0 }' "$err") r="-" u="-"
    else
      read -r l r u < <(tcpsight_losses "$err")
    fi
    lost=$(add "$lost" "$l") recovered=$(add "$recovered" "$r") unrecovered=$(add "$unrecovered" "$u")
  done
  pids=() errs=()
  losses="$lost $recovered $unrecovered"
}

# One run of one mode: start, attach, (a) getppid alone, (b) the churn, stop.
run_mode() {
  local mode=$1 round=$2 db="$log/history.db" ns rate lost recovered unrecovered
  losses="- - -"
  rm -f "$db" "$db"-*
  case $mode in
    untraced) ;;
    trace) start tcpsight "$tcpsight" trace ;;
    trace-nodrops) start tcpsight "$tcpsight" trace --no-drops ;;
    trace-json) start tcpsight "$tcpsight" trace --json ;;
    life) start tcpsight "$tcpsight" life ;;
    life-nodrops) start tcpsight "$tcpsight" life --no-drops ;;
    record) start tcpsight "$tcpsight" record --db "$db" ;;
    export) start tcpsight "$tcpsight" export --listen "127.0.0.1:$export_port" ;;
    tcplife) start peer "$tcplife" ;;
    tcpstates) start peer "$tcpstates" ;;
    all3)
      start tcpsight "$tcpsight" trace
      start tcpsight "$tcpsight" life
      start tcpsight "$tcpsight" record --db "$db" ;;
    baseline-trace) start tcpsight "$BASELINE" trace ;;
    baseline-life) start tcpsight "$BASELINE" life ;;
  esac
  wait_attached
  [[ $mode != export ]] || start_scraper
  ns=$("$tax" --seconds "$syscall_seconds" | sed -n 's/.*ns_per_call=\([0-9.]*\).*/\1/p')
  rate=$("$churn" --threads "$threads" --seconds "$seconds" | sed -n 's/.* rate=\([0-9]*\).*/\1/p')
  local scrapes=""
  [[ $mode != export ]] || scrapes=$(stop_scraper)
  ((${#pids[@]} == 0)) || stop_all
  read -r lost recovered unrecovered <<<"$losses"
  printf '%-15s %5s %9s %11s %8s %10s %12s %s\n' "$mode" "$round" "$rate" "$ns" "$lost" "$recovered" "$unrecovered" "$scrapes"
  echo "$mode $rate $ns $losses" >>"$log/results"
}

read -r -a modes <<<"${MODES:-untraced trace trace-json life record export tcplife tcpstates all3}"
[[ -n ${BASELINE:-} ]] && modes+=(baseline-trace baseline-life)
printf '%-15s %5s %9s %11s %8s %10s %12s\n' mode round conn/s getppid_ns lost recovered unrecovered
for round in $(seq "$rounds"); do
  for mode in "${modes[@]}"; do
    run_mode "$mode" "$round"
  done
done

# Medians per mode (column 2: conn/s, column 3: getppid ns), and the losses
# summed over the rounds ('-' when no run of the mode reported them).
median() { awk -v m="$1" -v c="$2" '$1 == m {print $c}' "$log/results" | sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
total() { awk -v m="$1" -v c="$2" '$1 == m && $c != "-" {sum += $c; seen = 1} END {print seen ? sum : "-"}' "$log/results"; }
echo
echo "medians per mode: conn/s as a share of untraced, getppid ns as a ratio of untraced; losses summed over $rounds rounds"
printf '%-15s %9s %7s %11s %7s %8s %10s %12s\n' mode conn/s share getppid_ns ratio lost recovered unrecovered
base_rate=$(median untraced 2)
base_ns=$(median untraced 3)
for mode in "${modes[@]}"; do
  awk -v m="$mode" -v r="$(median "$mode" 2)" -v br="$base_rate" -v n="$(median "$mode" 3)" -v bn="$base_ns" \
    -v l="$(total "$mode" 4)" -v rc="$(total "$mode" 5)" -v u="$(total "$mode" 6)" \
    'BEGIN { printf "%-15s %9d %6.1f%% %11.1f %6.2fx %8s %10s %12s\n", m, r, 100 * r / br, n, n / bn, l, rc, u }'
done
