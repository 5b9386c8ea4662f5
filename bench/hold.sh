# Sourced by the benchmarks: hold_connections BUILD_DIR N opens N idle
# loopback connections (2 sockets each) in processes of at most 5000 each,
# and kills them when the script exits (this sets the EXIT trap).
holders=()
release_connections() {
  for pid in "${holders[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
}
trap release_connections EXIT

hold_connections() {
  local holder="$1/bench/tcpsight-hold-connections" left=$2 n fifo word
  while ((left > 0)); do
    n=$((left < 5000 ? left : 5000))
    fifo=$(mktemp -u)
    mkfifo "$fifo"
    "$holder" "$n" >"$fifo" &
    holders+=($!)
    read -r word _ <"$fifo"
    rm -f "$fifo"
    [[ $word == ready ]] || { echo "a connection holder failed" >&2; exit 1; }
    left=$((left - n))
  done
  echo "holding $2 connections ($((2 * $2)) sockets) in ${#holders[@]} processes"
}
