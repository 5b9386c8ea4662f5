#!/usr/bin/env bash
# `tcpsight record` under the churn generator: does it keep up, how fast
# does it write, how big does the history grow, and does its memory stay flat.
#
#   bench/run_record.sh [BUILD_DIR]
#
# Part 1, in alternating rounds: the churn alone, then beside
# `tcpsight record` into a fresh database. Prints connections/s (and the
# ratio to the churn alone), connections made, connection records written
# (two per connection: client and server), lost events, records inserted
# per second, and database bytes per million connections.
# Part 2, a soak: the churn paced at SOAK_RATE connections/s for
# SOAK_SECONDS beside one recorder; its RSS every SAMPLE_SECONDS.
# Needs root. Environment: ROUNDS (3), SECONDS_PER_RUN (5), THREADS (2),
# SOAK_SECONDS (600; 0 skips it), SOAK_RATE (5000), SAMPLE_SECONDS (30),
# MAX_SIZE (the recorder's --max-size during the soak, 256M).
set -euo pipefail
build=${1:-build}
rounds=${ROUNDS:-3}
seconds=${SECONDS_PER_RUN:-5}
threads=${THREADS:-2}
soak_seconds=${SOAK_SECONDS:-600}
soak_rate=${SOAK_RATE:-5000}
sample_seconds=${SAMPLE_SECONDS:-30}
max_size=${MAX_SIZE:-256M}
churn="$build/bench/tcpsight-churn"
tcpsight="$build/tcpsight"

work=$(mktemp -d)
recorder=""
cleanup() { [[ -n $recorder ]] && kill "$recorder" 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT

start_recorder() { # db, extra options...
  local db=$1
  shift
  "$tcpsight" record --db "$db" "$@" 2>"$work/err" &
  recorder=$!
  until grep -q "tracing TCP" "$work/err" 2>/dev/null; do sleep 0.1; done
}

stop_recorder() {
  kill -INT "$recorder"
  wait "$recorder" || true
  recorder=""
}

# Connection records in a history: the outcome counts summed.
records_in() {
  "$tcpsight" history --db "$1" --summary --json |
    sed -n 's/.*"type":"outcome_count".*"connections":\([0-9]*\).*/\1/p' | awk '{s += $1} END {print s + 0}'
}

printf '%-9s %5s %9s %11s %9s %6s %10s %12s\n' mode round conn/s connections records lost inserts/s bytes/Mconn
for round in $(seq "$rounds"); do
  read -r made rate < <("$churn" --threads "$threads" --seconds "$seconds" |
    sed -n 's/connections=\([0-9]*\).* rate=\([0-9]*\).*/\1 \2/p')
  printf '%-9s %5s %9s %11s\n' alone "$round" "$rate" "$made"
  echo "alone $rate" >>"$work/results"

  db="$work/round$round.db"
  start_recorder "$db"
  read -r made rate < <("$churn" --threads "$threads" --seconds "$seconds" |
    sed -n 's/connections=\([0-9]*\).* rate=\([0-9]*\).*/\1 \2/p')
  sleep 0.5 # the last commit
  stop_recorder
  lost=$(sed -n 's/.* \([0-9]*\) lost.*/\1/p' "$work/err" | tail -1)
  records=$(records_in "$db")
  inserts=$(awk -v r="$records" -v s="$seconds" 'BEGIN { printf "%.0f", r / s }')
  bytes=$(stat -c %s "$db")
  per_million=$(awk -v b="$bytes" -v m="$made" 'BEGIN { printf "%.0f", b / m * 1e6 }')
  printf '%-9s %5s %9s %11s %9s %6s %10s %12s\n' record "$round" "$rate" "$made" "$records" "$lost" "$inserts" "$per_million"
  echo "record $rate" >>"$work/results"
done
median() { awk -v m="$1" '$1 == m {print $2}' "$work/results" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
awk -v a="$(median alone)" -v r="$(median record)" \
  'BEGIN { printf "median conn/s: alone %d, beside record %d (%.1f%%)\n", a, r, 100 * r / a }'

((soak_seconds > 0)) || exit 0
echo
echo "soak: $soak_rate connections/s for ${soak_seconds}s, recorder RSS every ${sample_seconds}s (--max-size $max_size)"
db="$work/soak.db"
start_recorder "$db" --max-size "$max_size"
"$churn" --threads "$threads" --seconds "$soak_seconds" --rate "$soak_rate" >"$work/soak" &
churner=$!
printf '%8s %10s %12s\n' seconds rss_kib db_bytes
for ((t = 0; t <= soak_seconds; t += sample_seconds)); do
  rss=$(awk '/VmRSS/ {print $2}' "/proc/$recorder/status")
  printf '%8s %10s %12s\n' "$t" "$rss" "$(stat -c %s "$db")"
  ((t + sample_seconds <= soak_seconds)) && sleep "$sample_seconds"
done
wait "$churner"
sleep 0.5
stop_recorder
echo "churn: $(cat "$work/soak")"
echo "recorder: $(tail -1 "$work/err")"
