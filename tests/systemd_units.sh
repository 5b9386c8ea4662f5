#!/usr/bin/env bash
# The systemd units in contrib/systemd: systemd-analyze verify passes on
# each, and systemd-analyze security scores each at most THRESHOLD (its
# exposure times ten; 35: "3.5 OK"). The units name /usr/sbin/tcpsight,
# where the package installs it: checked here with the built binary there.
#   tests/systemd_units.sh BINARY UNIT_DIR [THRESHOLD]
set -euo pipefail
binary=$1 units=$2 threshold=${3:-35}
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
for unit in "$units"/*.service; do
  sed "s|/usr/sbin/tcpsight|$binary|" "$unit" >"$scratch/$(basename "$unit")"
done
systemd-analyze verify "$scratch"/*.service
for unit in "$scratch"/*.service; do
  systemd-analyze security --offline=yes --threshold="$threshold" "$unit" | tail -1
done
