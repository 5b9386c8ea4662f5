# Shared by the benchmark drivers: sourced, not run.

# Events lost, from a tcpsight exit summary: "lost recovered unrecovered",
# each a number or '-' when the summary does not say. A summary reads
# "tcpsight: ... events: 0 filtered in the kernel, 0 lost", and in newer
# versions "..., 0 lost, 0 recovered, 0 not recovered" (or "0 lost and not
# recovered"); the running warnings read "lost N events", which does not
# match "N lost".
tcpsight_losses() {
  awk '
    /^tcpsight: .*[0-9]+ (lost|recovered)/ { summary = $0 }
    END {
      lost = recovered = unrecovered = "-"
      s = summary
      if (match(s, /[0-9]+ (lost and )?not recovered/)) {
        unrecovered = substr(s, RSTART, RLENGTH) + 0
        s = substr(s, 1, RSTART - 1) substr(s, RSTART + RLENGTH)
      }
      if (match(s, /[0-9]+ recovered/)) recovered = substr(s, RSTART, RLENGTH) + 0
      if (match(s, /[0-9]+ lost/)) lost = substr(s, RSTART, RLENGTH) + 0
      print lost, recovered, unrecovered
    }' "$1"
}
