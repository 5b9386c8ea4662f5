#!/usr/bin/env bash
# What confirming remote peers' TIME_WAITs costs: `tcpsight trace` with
# many sockets handed over in FIN_WAIT2 whose peer never sends its FIN, so
# that every second it looks up as many as it may (1024).
#
#   bench/run_time_wait_lookups.sh [BUILD_DIR]
#
# Two network namespaces joined by a veth pair; a server in one accepts
# CONNECTIONS connections and holds them open; a client in the other
# closes each at once, so each is handed over to a timewait socket in
# FIN_WAIT2 for 60 s. `tcpsight trace --netns CLIENT` runs throughout; its
# CPU time is read from /proc for SECONDS_PER_RUN seconds before the
# connections (nothing to look up) and again while they wait, and
# `ss -tan state fin-wait-2`, which lists them, is timed beside it. Then
# the server closes them all: fails unless trace confirmed their TIME_WAITs.
# Needs root. Environment: CONNECTIONS (5000), SECONDS_PER_RUN (10).
set -euo pipefail
build=${1:-build}
connections=${CONNECTIONS:-5000}
seconds=${SECONDS_PER_RUN:-10}
tcpsight=$(realpath "$build/tcpsight")
client=tsbc$$ server=tsbs$$
cleanup() {
  kill "${tracer:-}" "${holder:-}" 2>/dev/null || true
  wait 2>/dev/null || true
  ip netns del "$client" 2>/dev/null || true
  ip netns del "$server" 2>/dev/null || true
  rm -f "${notices:-}"
}
trap cleanup EXIT
ip netns add "$client"
ip netns add "$server"
ip link add tsb0 netns "$client" type veth peer name tsb1 netns "$server"
ip -n "$client" addr add 10.232.0.1/24 dev tsb0
ip -n "$server" addr add 10.232.0.2/24 dev tsb1
for ns in "$client" "$server"; do ip -n "$ns" link set lo up; done
ip -n "$client" link set tsb0 up
ip -n "$server" link set tsb1 up

cpu_seconds() {
  kill -0 "$tracer" 2>/dev/null || { echo "tcpsight trace ended: $(cat "$notices")" >&2; exit 1; }
  awk '{ print ($14 + $15) / '"$(getconf CLK_TCK)"' }' "/proc/$1/stat"
}
window() { # the tracer's share of a core over the next $seconds
  local before after
  before=$(cpu_seconds "$tracer")
  sleep "$seconds"
  after=$(cpu_seconds "$tracer")
  awk "BEGIN { printf \"%.3f\", ($after - $before) / $seconds }"
}

notices=$(mktemp)
"$tcpsight" trace --netns "/run/netns/$client" >/dev/null 2>"$notices" &
tracer=$!
sleep 2
idle=$(window)

fifo=$(mktemp -u)
mkfifo "$fifo"
ip netns exec "$server" python3 -c '
import socket, sys, time
listener = socket.socket()
listener.bind(("10.232.0.2", 9000))
listener.listen(4096)
print("ready", flush=True)
held = [listener.accept()[0] for _ in range(int(sys.argv[1]))]
time.sleep(3600)' "$connections" >"$fifo" &
holder=$!
read -r word <"$fifo" || true
rm -f "$fifo"
[[ ${word:-} == ready ]] || { echo "the server did not start" >&2; exit 1; }
ip netns exec "$client" python3 -c '
import socket, sys
for _ in range(int(sys.argv[1])):
    socket.create_connection(("10.232.0.2", 9000)).close()' "$connections"
sleep 1
waiting=$(ip netns exec "$client" ss -Htan state fin-wait-2 | wc -l)
busy=$(window)
start=$(date +%s%N)
for _ in 1 2 3 4 5; do ip netns exec "$client" ss -tan state fin-wait-2 >/dev/null; done
ss_ms=$(( ($(date +%s%N) - start) / 5000000 ))
# The server ends: its FINs move the timewait sockets to TIME_WAIT, which
# trace must have confirmed, or the figure above measured nothing.
kill "$holder"
wait "$holder" 2>/dev/null || true
sleep 3
kill -INT "$tracer"
wait "$tracer" || true
confirmed=$(grep -o "[0-9]* TIME_WAITs of remote peers confirmed" "$notices" | cut -d' ' -f1)
if grep -q "not confirmed" "$notices" || ((${confirmed:-0} == 0)); then
  echo "the lookups failed: $(cat "$notices")" >&2
  exit 1
fi
echo "sockets handed over in FIN_WAIT2, waiting: $waiting; TIME_WAITs confirmed at the end: $confirmed"
echo "tcpsight trace, nothing to look up: $idle of a core"
echo "tcpsight trace, 1024 lookups a second: $busy of a core"
echo "ss -tan state fin-wait-2 (lists them all once): $ss_ms ms"
