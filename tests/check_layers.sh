#!/usr/bin/env bash
# The library's layers include only the layers above them (docs/ARCHITECTURE.md):
# model, kernel, pipeline, session, history, views, metrics, then cli, which nothing includes.
#
#   tests/check_layers.sh SOURCE_DIR
set -euo pipefail
cd "${1:-.}"
layers=(model kernel pipeline session history views metrics cli)
rank() { local i; for i in "${!layers[@]}"; do [[ ${layers[$i]} == "$1" ]] && echo "$i" && return; done; echo -1; }
status=0
for dir in "${layers[@]}"; do
  own=$(rank "$dir")
  for file in src/"$dir"/* include/tcpsight/"$dir"/*; do
    [[ -f $file ]] || continue
    while read -r included; do
      their=$(rank "$included")
      if ((their > own)); then
        echo "$file ($dir) includes $included/, a layer below it"
        status=1
      fi
    done < <(sed -n 's@^[[:space:]]*#[[:space:]]*include[[:space:]]*["<]\(\.\./\)*\(tcpsight/\)\{0,1\}\([a-z]*\)/.*@\3@p' "$file")
  done
done
exit $status
