#!/usr/bin/env bash
# Socket listings with many connections open, side by side in one run.
#
#   bench/run_listing.sh [BUILD_DIR]
#
# Opens CONNECTIONS loopback connections (2 sockets each, spread over
# processes of 5000), then times each listing ROUNDS times in alternating
# order: ss -tanp, net-tools netstat -tanp, tcpsight ls -tanp, tcpsight
# netstat -tanp, and without -p ss -tan and tcpsight ls -tan. Prints the
# median wall time, its ratio to ss's, peak memory, and the rows each saw.
# Needs root for every owner. Environment: CONNECTIONS (20000), ROUNDS (5),
# and BASELINE: another build's tcpsight binary, whose ls and netstat run
# in the same rounds to compare two versions.
set -euo pipefail
build=${1:-build}
connections=${CONNECTIONS:-20000}
rounds=${ROUNDS:-5}
tcpsight="$build/tcpsight"
source "$(dirname "$0")/hold.sh"
hold_connections "$build" "$connections"

python3 - "$rounds" "$tcpsight" "${BASELINE:-}" <<'PY'
import statistics, subprocess, sys, time
rounds, tcpsight, baseline = int(sys.argv[1]), sys.argv[2], sys.argv[3]
commands = {
    "ss -tanp": ["ss", "-tanp"],
    "netstat -tanp": ["netstat", "-tanp"],
    "tcpsight ls -tanp": [tcpsight, "ls", "-tanp"],
    "tcpsight netstat -tanp": [tcpsight, "netstat", "-tanp"],
    "ss -tan": ["ss", "-tan"],
    "tcpsight ls -tan": [tcpsight, "ls", "-tan"],
}
if baseline:
    commands |= {
        "baseline ls -tanp": [baseline, "ls", "-tanp"],
        "baseline netstat -tanp": [baseline, "netstat", "-tanp"],
        "baseline ls -tan": [baseline, "ls", "-tan"],
    }
times = {name: [] for name in commands}
rows = {}
peak = {}
for _ in range(rounds):
    for name, argv in commands.items():
        start = time.perf_counter()
        result = subprocess.run(argv, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, check=True)
        times[name].append(time.perf_counter() - start)
        rows[name] = result.stdout.count(b"\n")
for name, argv in commands.items():
    # GNU time reports the command's own peak, not that of the forked Python.
    result = subprocess.run(["/usr/bin/time", "-f", "%M", *argv], stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE, check=True)
    peak[name] = int(result.stderr.decode().strip().splitlines()[-1])
base = {"p": statistics.median(times["ss -tanp"]), "": statistics.median(times["ss -tan"])}
print(f"{'command':26} {'median s':>9} {'vs ss':>7} {'peak RSS MiB':>13} {'lines':>7}")
for name in commands:
    median = statistics.median(times[name])
    ref = base["p"] if "p" in name.split()[-1] else base[""]
    print(f"{name:26} {median:9.3f} {ref / median:6.1f}x {peak[name] / 1024:13.1f} {rows[name]:7d}")
PY
