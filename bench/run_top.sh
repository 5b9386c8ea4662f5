#!/usr/bin/env bash
# Is `tcpsight top` responsive under heavy churn?
#
#   bench/run_top.sh [BUILD_DIR]
#
# Runs `tcpsight top` in a tmux window of its own, then the churn generator
# (bench/churn.cpp) beside it for SECONDS_PER_RUN seconds. While the churn
# runs it presses p (pause) PRESSES times, each time measuring how long
# until the screen says PAUSED, and again until it no longer does. Prints
# the events/s top itself reports, those latencies (median and worst), the
# events top lost, and the CPU time top used per second.
# Needs root. Environment: SECONDS_PER_RUN (10), THREADS (2), PRESSES (20).
set -euo pipefail
build=${1:-build}
seconds=${SECONDS_PER_RUN:-10}
threads=${THREADS:-2}
presses=${PRESSES:-20}
churn="$build/bench/tcpsight-churn"
tcpsight=$(realpath "$build/tcpsight")
socket="tcpsight-bench-$$"
trap 'tmux -L "$socket" kill-server 2>/dev/null || true' EXIT

tmux -L "$socket" -f /dev/null new-session -d -s top -x 200 -y 50 "$tcpsight top"
until tmux -L "$socket" capture-pane -p -t top | grep -q "tcpsight top"; do sleep 0.1; done
top_pid=$(pgrep -P "$(tmux -L "$socket" display-message -p -t top '#{pane_pid}')" -x tcpsight ||
  tmux -L "$socket" display-message -p -t top '#{pane_pid}')

"$churn" --threads "$threads" --seconds "$seconds" >/tmp/run_top_churn.$$ &
churner=$!
sleep 1 # the churn up to speed

python3 - "$socket" "$presses" "$top_pid" <<'PY'
import statistics, subprocess, sys, time
socket, presses, pid = sys.argv[1], int(sys.argv[2]), sys.argv[3]

def screen():
    return subprocess.run(["tmux", "-L", socket, "capture-pane", "-p", "-t", "top"],
                          capture_output=True, text=True).stdout

def cpu_seconds():
    fields = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / 100  # utime + stime, in clock ticks

def press_and_wait(paused):
    start = time.perf_counter()
    subprocess.run(["tmux", "-L", socket, "send-keys", "-t", "top", "p"])
    while ("PAUSED" in screen()) != paused:
        if time.perf_counter() - start > 5:
            return float("inf")
    return time.perf_counter() - start

cpu_start, wall_start = cpu_seconds(), time.perf_counter()
latencies = []
for _ in range(presses):
    latencies.append(press_and_wait(True))
    latencies.append(press_and_wait(False))
    time.sleep(0.1)
cpu = (cpu_seconds() - cpu_start) / (time.perf_counter() - wall_start)
header = screen().splitlines()[1]
ms = sorted(1000 * l for l in latencies)
print(f"top's header under the churn: {header.strip()}")
print(f"key to screen, {len(ms)} presses: median {statistics.median(ms):.0f} ms, worst {ms[-1]:.0f} ms")
print(f"top's CPU: {cpu:.2f} of a core")
PY
wait "$churner"
echo "churn: $(cat /tmp/run_top_churn.$$)"
rm -f /tmp/run_top_churn.$$
echo "top at the end: $(tmux -L "$socket" capture-pane -p -t top | sed -n 2p)"
