# bash completion for tcpsight. Commands and options come from the binary's
# own --help, so they follow it; so do the choices it prints ({a,b,c}) and
# the state names `tcpsight states` lists.

# The option lines of HELP on stdin, one per name: "NAME TYPE", TYPE being
# the value it takes as --help writes it (TEXT, UINT:PID,
# SOURCE:{auto,netlink,bpf,proc}), or "-" for a flag.
_tcpsight_options() {
    awk '/^  -/ {
        split($1, names, ",")
        type = "-"
        # A value type follows the names after one space; "Excludes:" and
        # the description (after two or more) are not one.
        if (substr($0, 3 + length($1), 2) ~ /^ [^ ]/ && $2 !~ /:$/) type = $2
        for (i in names) { name = names[i]; sub(/\{.*/, "", name); print name, type }
    }'
}

# The first column of `tcpsight states`' table, which ends at a blank line.
_tcpsight_state_names() {
    awk 'NR > 1 && /^$/ { exit } NR > 1 { print $1 }'
}

# ss's names for states and classes of states, as `ls` filters take them.
_tcpsight_filter_states="established syn-sent syn-recv fin-wait-1 fin-wait-2 time-wait closed
    close-wait last-ack listening closing all connected synchronized bucket big"
# What a finished connection's outcome can be (life, history --outcome).
_tcpsight_outcomes="normal_active normal_passive simultaneous reset_sent reset_received refused
    timed_out aborted failed"

# Network namespaces that `ip netns` names.
_tcpsight_netns_names() {
    local path
    for path in /run/netns/*; do
        [[ -e $path ]] && printf '%s\n' "${path##*/}"
    done
}

# The value of OPTION (of COMMAND), whose help TYPE is given.
_tcpsight_option_value() {
    local binary=$1 option=$2 type=$3
    if [[ $type == *\{*\}* ]]; then # CLI11 lists the choices: SOURCE:{auto,netlink,...}
        local choices=${type#*\{}
        choices=${choices%%\}*}
        COMPREPLY=($(compgen -W "${choices//,/ }" -- "$cur"))
        return
    fi
    case $option in
    --state) COMPREPLY=($(compgen -W "$("$binary" states 2>/dev/null | _tcpsight_state_names)" -- "$cur")) ;;
    --outcome) COMPREPLY=($(compgen -W "$_tcpsight_outcomes" -- "$cur")) ;;
    -N | --net) COMPREPLY=($(compgen -W "all $(_tcpsight_netns_names)" -- "$cur")) ;;
    --netns) _filedir; COMPREPLY+=($(compgen -W "$(_tcpsight_netns_names | sed 's|^|/run/netns/|')" -- "$cur")) ;;
    --cgroup) _filedir -d ;;
    --pid) _pids ;;
    --comm) _pnames ;;
    --db | --read | --write | -F | --filter) _filedir ;;
    -f | --family) COMPREPLY=($(compgen -W "inet inet6 unix" -- "$cur")) ;;
    -A | --query | --socket)
        COMPREPLY=($(compgen -W "tcp udp raw unix inet all unix_stream unix_dgram unix_seqpacket u_str u_dgr u_seq" -- "$cur")) ;;
    esac
}

# The words of ss's filter, which `ls` and `top` take after their options.
_tcpsight_filter_word() {
    case $prev in
    state | exclude) COMPREPLY=($(compgen -W "$_tcpsight_filter_states" -- "$cur")) ;;
    # Words, where the symbols (< > ( )) would need quoting on the command line.
    sport | dport) COMPREPLY=($(compgen -W "eq ne lt gt le ge" -- "$cur")) ;;
    src | dst | eq | ne | lt | gt | le | ge | = | !=) ;;
    *) COMPREPLY=($(compgen -W "state exclude sport dport src dst and or not" -- "$cur")) ;;
    esac
}

_tcpsight() {
    local cur prev words cword split
    _init_completion -s || return # -s: --option=value as --option value
    local binary=${words[0]} command="" i
    binary=${binary/#\~/$HOME}
    # Installed in /usr/sbin, which is not on every user's PATH.
    command -v "$binary" >/dev/null || binary=/usr/sbin/tcpsight
    for ((i = 1; i < cword; i++)); do
        if [[ ${words[i]} != -* ]]; then
            command=${words[i]}
            break
        fi
    done

    if [[ -z $command ]]; then
        if [[ $cur == -* ]]; then
            COMPREPLY=($(compgen -W "$("$binary" --help 2>/dev/null | _tcpsight_options | cut -d' ' -f1)" -- "$cur"))
        else
            COMPREPLY=($(compgen -W "$("$binary" --help 2>/dev/null | awk '/^Subcommands:/ { listed = 1; next } listed && /^  [a-z]/ { print $1 }')" -- "$cur"))
        fi
        return
    fi

    local options type
    options=$("$binary" "$command" --help 2>/dev/null | _tcpsight_options)
    type=$(awk -v option="$prev" '$1 == option { print $2; exit }' <<<"$options")
    if [[ -n $type && $type != - ]]; then
        _tcpsight_option_value "$binary" "$prev" "$type"
    elif $split; then
        return
    elif [[ $cur == -* ]]; then
        COMPREPLY=($(compgen -W "$(cut -d' ' -f1 <<<"$options")" -- "$cur"))
    elif [[ $command == ls || $command == top ]]; then
        _tcpsight_filter_word
    fi
} &&
    complete -F _tcpsight tcpsight
