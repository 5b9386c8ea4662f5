#!/usr/bin/env bash
# The bash and zsh completions in contrib/completion, driven as the shells
# drive them: the words typed so far in, the candidates out. Each list
# they offer is checked against the binary: the commands and options of its
# --help, states, outcomes and filter words it accepts.
#   tests/completion.sh BINARY SOURCE_DIR
# Needs bash-completion and zsh (scripts/setup.sh installs both), and root
# for the network namespace case; skips (77) without them, but fails so
# under CI=true.
set -euo pipefail
binary=$(realpath "$1") sources=$2
completions=$sources/contrib/completion
failures=0

skip() {
  echo "completion: $1" >&2
  [[ ${CI:-} == true ]] && exit 1 # a skip would hide an incomplete setup
  exit 77
}
[[ -r /usr/share/bash-completion/bash_completion ]] || skip "no bash-completion"
command -v zsh >/dev/null || skip "no zsh"

# The binary as `tcpsight`, the name the completions are registered for.
scratch=$(mktemp -d)
namespace=tcpsight-completion-$$
trap 'ip netns delete "$namespace" 2>/dev/null || true; rm -rf "$scratch"' EXIT
ln -s "$binary" "$scratch/tcpsight"
export PATH=$scratch:$PATH

# Candidates for the last word of the typed line, one per line, sorted.
bash_candidates() {
  bash -c 'source /usr/share/bash-completion/bash_completion
    source "$1"; shift
    [[ $(complete -p tcpsight) == "complete -F _tcpsight tcpsight" ]] || { echo "not registered" >&2; exit 1; }
    COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1)); COMP_LINE=${LINE:-$*}; COMP_POINT=${#COMP_LINE}
    _tcpsight tcpsight "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD-1]}"
    printf "%s\n" "${COMPREPLY[@]}"' _ "$completions/tcpsight.bash" "$@" | sort -u
}

# The same from zsh's function, whose completion builtins print what they
# are given: compadd its words, _describe its names, the rest their own name.
zsh_candidates() {
  local last=${*: -1}
  zsh -f -c 'compadd() { [[ $1 == -a ]] && print -l -- ${(P)2} }
    _describe() { local entry; for entry in ${(P)4}; do print -r -- ${${entry%%[^\\]:*}//\\:/:}${entry[${#${entry%%[^\\]:*}}+1]}; done }
    _files() { print FILES }; _pids() { print PIDS }; _process_names() { print NAMES }
    compset() { PREFIX=${PREFIX#*=} }
    words=("$@"); CURRENT=$#; PREFIX=$words[CURRENT]
    source "$0"' "$completions/_tcpsight" "$@" | { grep -e "^${last#*=}" || true; } | sort -u
}

# Fails unless each shell offers exactly WANT (newline-separated) for WORDS.
expect() {
  local want=$1
  shift
  local shell got
  for shell in bash zsh; do
    got=$("${shell}_candidates" "$@")
    if [[ $got != "$(sort -u <<<"$want")" ]]; then
      echo "FAIL ($shell): tcpsight ${*:2} offered:" $got "; wanted:" $want >&2
      failures=$((failures + 1))
    fi
  done
}

# Fails unless each shell offers at least WANT for WORDS.
expect_among() {
  local want=$1
  shift
  local shell missing
  for shell in bash zsh; do
    missing=$(comm -23 <(sort -u <<<"$want") <("${shell}_candidates" "$@"))
    if [[ -n $missing ]]; then
      echo "FAIL ($shell): tcpsight ${*:2} did not offer:" $missing >&2
      failures=$((failures + 1))
    fi
  done
}

commands=$(tcpsight --help | awk '/^Subcommands:/ { listed = 1; next } listed && /^  [a-z]/ { print $1 }')
[[ $(wc -l <<<"$commands") -ge 9 ]] || { echo "FAIL: no commands in --help" >&2; exit 1; }
expect "$commands" tcpsight ""
expect "trace
top" tcpsight t
expect "-h
--help
-V
--version" tcpsight -

# Every option of every command, short and long, as --help names it.
for command in $commands; do
  options=$(tcpsight "$command" --help | grep -oE '^  -[^ ]+' | sed 's/{.*//' | tr -d ' ' | tr , '\n')
  expect "$options" tcpsight "$command" -
done
expect "--state
--sport" tcpsight trace --s

# State names: those `tcpsight states` lists, each accepted by --state.
states=$(tcpsight states | awk 'NR > 1 && /^$/ { exit } NR > 1 { print $1 }')
expect "$states" tcpsight trace --state ""
for state in $states; do
  refused=$(tcpsight trace --state "$state" --read /nonexistent 2>&1 || true)
  if grep -q "is not a TCP state" <<<"$refused"; then
    echo "FAIL: trace --state $state is refused" >&2
    failures=$((failures + 1))
  fi
done
# --option=value, split as bash splits it, and as zsh leaves it.
for shell in bash zsh; do
  if [[ $shell == bash ]]; then
    got=$(LINE="tcpsight trace --state=" bash_candidates tcpsight trace --state = "")
  else
    got=$(zsh_candidates tcpsight trace --state=)
  fi
  [[ $got == "$(sort -u <<<"$states")" ]] ||
    { echo "FAIL ($shell): --state= offered:" $got >&2; failures=$((failures + 1)); }
done

# Outcomes: the nine --help lists, each accepted, and nothing else.
outcomes=$(tcpsight life --help | grep -oE 'normal_active[a-z_, ]*or [a-z_]+' | sed 's/ or /, /' | tr -d ' ' | tr , '\n')
[[ $(wc -l <<<"$outcomes") -eq 9 ]] || { echo "FAIL: --help lists no outcomes" >&2; exit 1; }
expect "$outcomes" tcpsight history --outcome ""
expect "$outcomes" tcpsight life --outcome ""
for outcome in $outcomes; do
  status=0
  tcpsight history --outcome "$outcome" --db "$scratch/none.db" >/dev/null 2>&1 || status=$?
  ((status != 2)) || { echo "FAIL: --outcome $outcome is a usage error" >&2; failures=$((failures + 1)); }
done

# Choices that --help prints in braces.
expect "auto
bpf
netlink
proc" tcpsight ls --source ""
expect "inet
inet6
unix" tcpsight netstat -A ""

# ss's families and tables, each accepted by ls.
expect "inet
inet6
unix" tcpsight ls -f ""
tables=$(bash_candidates tcpsight ls -A "")
expect "$tables" tcpsight ls --query ""
for table in $tables; do
  tcpsight ls -A "$table" >/dev/null ||
    { echo "FAIL: ls -A $table is refused" >&2; failures=$((failures + 1)); }
done
for family in inet inet6 unix; do
  tcpsight ls -f "$family" >/dev/null ||
    { echo "FAIL: ls -f $family is refused" >&2; failures=$((failures + 1)); }
done

# -N: 'all' and the names of /run/netns; netstat's -N is a flag.
if ((EUID == 0)); then
  ip netns add "$namespace"
  expect_among "all
$namespace" tcpsight ls -N ""
else
  namespace_case_skipped=1
fi
expect "" tcpsight netstat -N ""

# ss's filter words after ls's and top's options, flags not taking a value.
filter_words="state
exclude
sport
dport
src
dst
and
or
not"
expect "$filter_words" tcpsight ls -ta ""
expect "$filter_words" tcpsight ls -N all ""
expect "eq
ne
lt
gt
le
ge" tcpsight ls sport ""
for operator in eq ne lt gt le ge; do
  tcpsight ls -t sport "$operator" :1 >/dev/null ||
    { echo "FAIL: ls sport $operator is refused" >&2; failures=$((failures + 1)); }
done
filter_states=$(bash_candidates tcpsight ls state "")
expect "$filter_states" tcpsight ls -t state ""
expect "$filter_states" tcpsight ls -t exclude ""
expect_among "bucket
big" tcpsight ls state ""
expect_among "established
time-wait
connected" tcpsight top state ""
for state in $filter_states; do
  tcpsight ls -t state "$state" >/dev/null ||
    { echo "FAIL: ls state $state is refused" >&2; failures=$((failures + 1)); }
done

# Files where a file is wanted, nothing where a number is.
for shell in bash zsh; do
  [[ -n $("${shell}_candidates" tcpsight record --db "") ]] ||
    { echo "FAIL ($shell): record --db offered no file" >&2; failures=$((failures + 1)); }
done
expect "" tcpsight history --limit ""

# A binary named by its path, not on PATH.
mkdir "$scratch/elsewhere"
ln -s "$binary" "$scratch/elsewhere/tcpsight"
expect_among "trace
ls" "$scratch/elsewhere/tcpsight" ""

# zsh shows what each option does, from --help's second column or the next
# line where CLI11 wraps it.
described=$(zsh -f -c '_describe() { print -l -- ${(P)4} }; compadd() { }
  words=(tcpsight trace -); CURRENT=3; PREFIX=-; source "$0"' "$completions/_tcpsight")
for entry in "--json:One JSON object per line" \
  "--ring-buffer-size:Kernel ring buffer size in bytes (a power of two, at least a page)"; do
  grep -qxF -- "$entry" <<<"$described" ||
    { echo "FAIL (zsh): no '$entry' among: $described" >&2; failures=$((failures + 1)); }
done

((failures == 0)) || exit 1
if [[ -n ${namespace_case_skipped:-} ]]; then
  skip "all other cases passed; -N's namespace names need root to create one"
fi
echo "completion: all cases passed"
