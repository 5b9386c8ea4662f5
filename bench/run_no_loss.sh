#!/usr/bin/env bash
# Does every connection reach every tcpsight that runs at once, exactly once?
#
#   bench/run_no_loss.sh [BUILD_DIR]
#
# Starts `tcpsight trace >/dev/null`, `tcpsight life --json` (into a file)
# and `tcpsight record` (into a fresh database) at once and waits until all
# three are attached. Then one separate process, bench's
# `tcpsight-churn --count COUNT --sequential`, makes COUNT loopback
# connections one after the other, each closed normally (100 bytes sent,
# the client closes first with a FIN, the server reads to the end and
# closes), and lists each connection's client port. Then stops the three
# with SIGINT and checks, for each connection and for both of its ends
# (the client, active, and the server, passive: both sockets belong to the
# generating process), that it appears exactly once in life's output and
# exactly once in the history (`tcpsight history --json`), owned by the
# generator's pid. Prints found/expected for each, and what each
# instance's exit summary says it lost (and, in versions that say so,
# recovered). Exits 1 when a connection is missing, duplicated or has
# another owner.
# Needs root. Environment: COUNT (3000).
set -euo pipefail
build=${1:-build}
count=${COUNT:-3000}
churn="$build/bench/tcpsight-churn"
tcpsight="$build/tcpsight"
for tool in "$churn" "$tcpsight"; do
  [[ -x "$tool" ]] || { echo "run_no_loss: $tool is missing (build first)" >&2; exit 1; }
done

work=$(mktemp -d)
pids=()
cleanup() {
  ((${#pids[@]} == 0)) || kill -INT "${pids[@]}" 2>/dev/null || true
  wait || true
  rm -rf "$work"
}
trap cleanup EXIT

# The three instances, each with its stderr in $work/NAME.err.
"$tcpsight" trace >/dev/null 2>"$work/trace.err" &
pids+=($!)
"$tcpsight" life --json >"$work/life.json" 2>"$work/life.err" &
pids+=($!)
"$tcpsight" record --db "$work/history.db" >/dev/null 2>"$work/record.err" &
pids+=($!)
deadline=$((SECONDS + 30))
for name in trace life record; do
  until grep -q "tracing TCP" "$work/$name.err" 2>/dev/null; do
    if ((SECONDS > deadline)); then
      echo "run_no_loss: tcpsight $name did not start:" >&2
      cat "$work/$name.err" >&2
      exit 1
    fi
    sleep 0.1
  done
done

# The connections, from a process of their own: its pid is their owner.
"$churn" --count "$count" --sequential --ports "$work/ports" >"$work/churn" &
generator=$!
wait "$generator" || { echo "run_no_loss: the generator failed: $(cat "$work/churn")" >&2; exit 1; }
echo "generator (pid $generator): $(cat "$work/churn")"
sleep 0.5 # let the recorder's 200 ms transaction pass, though SIGINT drains too
kill -INT "${pids[@]}"
for pid in "${pids[@]}"; do
  wait "$pid" || true
done
pids=()
listener=$(awk 'NR == 1 {print $2}' "$work/ports")
"$tcpsight" history --db "$work/history.db" --json --port "$listener" >"$work/history.json"

# Checks one end of every listed connection in a file of JSON lines
# (life's or history's "connection" objects): check FILE active|passive.
# The ports file holds "client_port listener_port" per connection; the
# client end is sport=client, dport=listener, the server end the reverse.
# Prints "found expected missing duplicated other_owner_or_role".
check() {
  awk -v side="$2" -v owner="$generator" '
    function field(line, key) {
      if (!match(line, "\"" key "\":[^,}]*")) return ""
      return substr(line, RSTART + length(key) + 3, RLENGTH - length(key) - 3)
    }
    FILENAME == ARGV[1] { expected[side == "active" ? $1 " " $2 : $2 " " $1] = 1; next }
    field($0, "type") == "\"connection\"" {
      key = field($0, "sport") " " field($0, "dport")
      if (!(key in expected)) next
      seen[key]++
      if (field($0, "pid") != owner || field($0, "role") != "\"" side "\"") wrong[key] = 1
    }
    END {
      for (key in expected) {
        n++
        if (!(key in seen)) missing++
        else if (seen[key] > 1) duplicated++
        else if (key in wrong) other++
        else found++
      }
      print found + 0, n + 0, missing + 0, duplicated + 0, other + 0
    }' "$work/ports" "$1"
}

source "$(dirname "$0")/summary.sh"

status=0
echo
printf '%-8s %-8s %7s %9s %8s %11s %12s\n' source end found expected missing duplicated other_owner
for source in life history; do
  for side in active passive; do
    read -r found expected missing duplicated other < <(check "$work/$source.json" "$side")
    printf '%-8s %-8s %7s %9s %8s %11s %12s\n' "$source" "$side" "$found" "$expected" "$missing" "$duplicated" "$other"
    ((found == count && expected == count)) || status=1
  done
done

echo
printf '%-8s %6s %10s %12s  %s\n' instance lost recovered unrecovered "exit summary"
for name in trace life record; do
  read -r lost recovered unrecovered < <(tcpsight_losses "$work/$name.err")
  printf '%-8s %6s %10s %12s  %s\n' "$name" "$lost" "$recovered" "$unrecovered" "$(tail -1 "$work/$name.err")"
done

echo
if ((status == 0)); then
  echo "run_no_loss: every one of the $count connections, both ends, exactly once in life and in the history"
else
  echo "run_no_loss: MISMATCH: not every connection appears exactly once, owned by pid $generator" >&2
fi
exit "$status"
