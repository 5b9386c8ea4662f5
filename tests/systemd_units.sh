#!/usr/bin/env bash
# The systemd units in contrib/systemd: systemd-analyze verify passes on
# each, and systemd-analyze security scores each at most THRESHOLD (its
# exposure times ten; 35: "3.5 OK"). The units name /usr/sbin/tcpsight,
# where the package installs it: checked here with the built binary there,
# and their man pages, which verify looks up, from MAN_DIR (a MANPATH).
#   tests/systemd_units.sh BINARY UNIT_DIR MAN_DIR [THRESHOLD]
# Skips (77) without systemd-analyze, but fails so under CI=true.
set -euo pipefail
binary=$1 units=$2 threshold=${4:-35}
export MANPATH=$3
# --offline and --threshold came with systemd 250 (Debian 12 has 252).
if ! systemd-analyze security --help 2>/dev/null | grep -q -- --offline; then
  echo "systemd_units: no systemd-analyze with --offline (scripts/setup.sh installs systemd)" >&2
  [[ ${CI:-} == true ]] && exit 1 # a skip would hide that setup is incomplete
  exit 77
fi
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
for unit in "$units"/*.service; do
  sed "s|/usr/sbin/tcpsight|$binary|" "$unit" >"$scratch/$(basename "$unit")"
done
systemd-analyze verify "$scratch"/*.service
for unit in "$scratch"/*.service; do
  systemd-analyze security --offline=yes --threshold="$threshold" "$unit" | tail -1
done
