#!/usr/bin/env bash
# What `tcpsight top` costs with many connections open and nothing
# happening: its snapshots (every 2 s, with tcp_info for the RTT_MS and
# RETRANS columns), and drawing the table ten times a second.
#
#   bench/run_top_idle.sh [BUILD_DIR]
#
# Holds CONNECTIONS idle loopback connections, then in alternating rounds
# runs `tcpsight top` (and BASELINE's, another build's binary) in a tmux
# window for SECONDS each, reading its CPU time from /proc, and times
# `ss -tin`, which asks the kernel what one of top's snapshots asks. Prints
# the medians. Needs root and tmux. Environment: CONNECTIONS (20000),
# ROUNDS (3), SECONDS_PER_RUN (20), BASELINE.
set -euo pipefail
build=${1:-build}
connections=${CONNECTIONS:-20000}
rounds=${ROUNDS:-3}
seconds=${SECONDS_PER_RUN:-20}
source "$(dirname "$0")/hold.sh"
hold_connections "$build" "$connections"

python3 - "$rounds" "$seconds" "$(realpath "$build/tcpsight")" "${BASELINE:-}" <<'PY'
import os, statistics, subprocess, sys, time
rounds, seconds, tcpsight, baseline = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3], sys.argv[4]

def tmux(socket, *args):
    return subprocess.run(["tmux", "-L", socket, "-f", "/dev/null", *args],
                          capture_output=True, text=True).stdout

def cpu_seconds(pid):
    fields = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

def top_cpu(binary):
    socket = f"tcpsight-idle-{os.getpid()}"
    tmux(socket, "new-session", "-d", "-s", "top", "-x", "200", "-y", "50", f"{binary} top")
    try:
        deadline = time.monotonic() + 60
        while "tcpsight top" not in tmux(socket, "capture-pane", "-p", "-t", "top"):
            if time.monotonic() > deadline:
                sys.exit(f"{binary} top did not start")
            time.sleep(0.1)
        shell = tmux(socket, "display-message", "-p", "-t", "top", "#{pane_pid}").strip()
        children = subprocess.run(["pgrep", "-P", shell, "-x", "tcpsight"], capture_output=True,
                                  text=True).stdout.split()
        pid = children[0] if children else shell
        time.sleep(3)  # past the seeding snapshot, with its owners
        start, wall = cpu_seconds(pid), time.perf_counter()
        time.sleep(seconds)
        return (cpu_seconds(pid) - start) / (time.perf_counter() - wall)
    finally:
        tmux(socket, "kill-server")

def ss_seconds():
    start = time.perf_counter()
    subprocess.run(["ss", "-tin"], stdout=subprocess.DEVNULL, check=True)
    return time.perf_counter() - start

tops = {"top": tcpsight} | ({"baseline top": baseline} if baseline else {})
cpu = {name: [] for name in tops}
ss = []
for _ in range(rounds):
    for name, binary in tops.items():
        cpu[name].append(top_cpu(binary))
    ss.extend(ss_seconds() for _ in range(5))
for name in tops:
    print(f"{name}: {statistics.median(cpu[name]):.3f} of a core "
          f"(rounds: {', '.join(f'{c:.3f}' for c in cpu[name])})")
print(f"ss -tin: {statistics.median(ss) * 1000:.0f} ms (median of {len(ss)})")
PY
