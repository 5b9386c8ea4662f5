#!/usr/bin/env bash
# The man pages help2man generated: one per command that `tcpsight --help`
# lists, and tcpsight(8). Each renders without a warning, names every
# option its command's --help names, and has the sections a reader looks
# for; each example in docs/man names only options its command has; the
# pages of the tracing commands say what tracing costs.
#   tests/man_pages.sh BINARY MAN_DIR H2M_DIR
# Skips (77) when help2man made no pages, but fails so under CI=true.
set -euo pipefail
binary=$1 pages=$2 sources=$3
failures=0
fail() {
  echo "FAIL: $*" >&2
  failures=$((failures + 1))
}

if [[ ! -e $pages/tcpsight.8 ]]; then
  echo "man_pages: no pages in $pages (scripts/setup.sh installs help2man)" >&2
  [[ ${CI:-} == true ]] && exit 1
  exit 77
fi

# The page as a reader sees it, wide and unhyphenated so that each option
# stays one word.
rendered() {
  LC_ALL=C.UTF-8 MANWIDTH=250 MANROFFOPT=-rHY=0 man -E UTF-8 -l "$1" 2>/dev/null | col -b
}

check_page() { # PAGE COMMAND...: the page of `tcpsight COMMAND...`
  local page=$pages/$1.8 section option text warnings
  shift
  [[ -e $page ]] || { fail "no page $page"; return; }
  warnings=$(LC_ALL=C.UTF-8 MANWIDTH=80 man --warnings -E UTF-8 -l -Tutf8 -Z "$page" 2>&1 >/dev/null)
  [[ -z $warnings ]] || fail "$page: $warnings"
  text=$(rendered "$page")
  for section in NAME SYNOPSIS DESCRIPTION OPTIONS "EXIT STATUS" EXAMPLES "SEE ALSO"; do
    grep -qx "$section" <<<"$text" || fail "$page has no $section section"
  done
  for option in $(options_of "$@"); do
    grep -qE -- "(^|[ ,])$option([ ,]|$)" <<<"$text" || fail "$page does not name $option"
  done
}

# The options of `tcpsight COMMAND`, one per line: -t, --tcp, ...
options_of() {
  "$binary" "$@" --help | grep -oE '^  -[^ ]+' | sed 's/{.*//' | tr -d ' ' | tr , '\n'
}

# The prose is written by hand: each example's options must be its command's.
check_examples() { # H2M_FILE
  local line command word letter
  while read -r line; do
    read -r _ command _ <<<"$line"
    for word in $line; do
      case $word in
      --*) grep -qxF -- "${word%%=*}" <<<"$(options_of "$command")" ||
        fail "$1: '$line': $command has no ${word%%=*}" ;;
      -[a-zA-Z]*)
        for ((letter = 1; letter < ${#word}; letter++)); do
          grep -qxF -- "-${word:letter:1}" <<<"$(options_of "$command")" ||
            fail "$1: '$line': $command has no -${word:letter:1}"
        done ;;
      esac
    done
  done < <(sed -n 's/^\.B tcpsight \([a-z]\)/\1/p' "$1" | sed 's/\\-/-/g; s/^/tcpsight /')
}

commands=$("$binary" --help | awk '/^Subcommands:/ { listed = 1; next } listed && /^  [a-z]/ { print $1 }')
[[ -n $commands ]] || { fail "tcpsight --help lists no commands"; exit 1; }
check_page tcpsight
check_examples "$sources/tcpsight.h2m"
for command in $commands; do
  check_page "tcpsight-$command" "$command"
  check_examples "$sources/tcpsight-$command.h2m"
  grep -qF "tcpsight-$command(8)" <<<"$(rendered "$pages/tcpsight.8")" ||
    fail "tcpsight(8) does not point to tcpsight-$command(8)"
done
for page in tcpsight tcpsight-trace tcpsight-life tcpsight-record tcpsight-export tcpsight-top \
  tcpsight-ls; do
  grep -qx OVERHEAD <<<"$(rendered "$pages/$page.8")" || fail "$page.8 has no OVERHEAD section"
done
grep -qx FILES <<<"$(rendered "$pages/tcpsight.8")" || fail "tcpsight.8 has no FILES section"
# Nothing is left out of the pages: a page per command and no other.
[[ $(ls "$pages"/*.8 | wc -l) -eq $(($(wc -l <<<"$commands") + 1)) ]] ||
  fail "$pages holds pages of commands tcpsight does not have"

((failures == 0)) && echo "man_pages: all pages complete"
exit $((failures > 0))
