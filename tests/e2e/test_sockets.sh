#!/bin/bash
# tests/e2e/test_sockets.sh — ipcfs end to end: unix, tcp and udp sockets
# and their peers.  Real processes (sockmaker) joined by real sockets,
# ipcfs mounted in a temp dir, checked with ls, cat and readlink; unix and
# TCP peers also compared with lsof -nP +E.
#
#   IPCFS=build/ipcfs SOCKMAKER=build/tests/sockmaker bash tests/e2e/test_sockets.sh
#
# SOCKMAKER defaults to the sockmaker next to CHANMAKER.  Every expectation
# comes from what sockmaker reports it made (see tests/e2e/sockmaker.c),
# never from ipcfs.

. "$(dirname "$0")/lib.sh"
e2e_init

declare -F section >/dev/null || section() { diag "--- $1"; }
SOCKMAKER=${SOCKMAKER:-$(dirname "$CHANMAKER")/sockmaker}
case $SOCKMAKER in /*) ;; *) SOCKMAKER=$PWD/$SOCKMAKER ;; esac
[ -x "$SOCKMAKER" ] || bail_out "no sockmaker binary at $SOCKMAKER (build it, or set SOCKMAKER)"
TAB=$'\t' NL=$'\n'

# ---- the processes, before the mount ----------------------------------------
section "sockmaker"
mkdir -p "$TESTDIR/socks"
sockmaker_start "$TESTDIR/socks" paths
SM_PID=$SOCKMAKER_PID

declare -A ROLE_PID=() PROC_NS=() S_PID=() S_FD=() S_INO=() S_KIND=() S_X=() EXP=() BY_PF=()
LABELS=()
PIDS=()
while read -r what rest; do
	case $what in
	proc)
		declare -A f=()
		for kv in $rest; do f[${kv%%=*}]=${kv#*=}; done
		ROLE_PID[${f[role]}]=${f[pid]}
		PROC_NS[${f[pid]}]=${f[netns]}
		PIDS+=("${f[pid]}")
		unset f
		;;
	sock)
		declare -A f=()
		x=
		for kv in $rest; do
			case $kv in x_*) x+=" $kv" ;; *) f[${kv%%=*}]=${kv#*=} ;; esac
		done
		l=${f[label]}
		LABELS+=("$l")
		S_PID[$l]=${f[pid]} S_FD[$l]=${f[fd]} S_INO[$l]=${f[ino]} S_KIND[$l]=${f[kind]}
		S_X[$l]=${x# }
		EXP[$l]=
		BY_PF[${f[pid]}:${f[fd]}]=$l
		unset f
		;;
	peer)
		set -- $rest
		EXP[$1]+=" $2" EXP[$2]+=" $1"
		;;
	esac
done <"$TESTDIR/sockmaker.out"
[ ${#LABELS[@]} -ge 30 ] || bail_out "sockmaker reported only ${#LABELS[@]} sockets"
HOST_NS=${PROC_NS[$SM_PID]}
[ -n "$HOST_NS" ] || bail_out "sockmaker's pid $SM_PID not in its report"
diag "sockmaker pid $SM_PID: ${#PIDS[@]} processes, ${#LABELS[@]} sockets"

# ---- small helpers, builtins only (a process costs ~10 ms on the test VMs)

# sk_sort VAR WORD... : VAR = the words sorted (byte order), comma-joined;
# "-" for none
sk_sort() {
	local -n _ss_out=$1; shift
	local -a a=()
	local w i
	for w in "$@"; do
		i=${#a[@]}
		while ((i > 0)) && [[ ${a[i - 1]} > $w ]]; do a[i]=${a[i - 1]}; ((i--)); done
		a[i]=$w
	done
	w=${a[*]}
	w=${w// /,}
	_ss_out=${w:--}
}

# sk_info FILE : its "key: value" lines into SKI[key] (first value) and
# SKN[key] (how many); false when FILE cannot be read
declare -A SKI SKN
sk_info() {
	local line
	SKI=() SKN=()
	[ -r "$1" ] || return 1
	while IFS= read -r line; do
		[[ $line =~ ^([a-z_][a-z0-9_]*):\ (.*)$ ]] || continue
		[ -n "${SKN[${BASH_REMATCH[1]}]:-}" ] || SKI[${BASH_REMATCH[1]}]=${BASH_REMATCH[2]}
		SKN[${BASH_REMATCH[1]}]=$(( ${SKN[${BASH_REMATCH[1]}]:-0} + 1 ))
	done <"$1" || return 1
}

# per socket: its directory, its link name and target, a description, and
# the expected peer link names (sorted, comma-joined, "-" for none)
declare -A DIR LNAME LTARGET DESC EXPN
for l in "${LABELS[@]}"; do
	LNAME[$l]=${S_PID[$l]}:${S_FD[$l]}
	LTARGET[$l]=../../../${S_PID[$l]}/${S_KIND[$l]}/${S_FD[$l]}
	DESC[$l]="$l (${S_KIND[$l]} ${S_PID[$l]}/${S_FD[$l]})"
done
for l in "${LABELS[@]}"; do
	names=()
	for q in ${EXP[$l]}; do names+=("${LNAME[$q]}"); done
	sk_sort EXPN[$l] "${names[@]}"
done

section "mount"
ipcfs_mount "$E2E_TTL"
diag "ipcfs pid $IPCFS_PID on $MNT"
for l in "${LABELS[@]}"; do DIR[$l]=$MNT/${S_PID[$l]}/${S_KIND[$l]}/${S_FD[$l]}; done

# ---- peers, as links ----------------------------------------------------------
section "peer links"
for l in "${LABELS[@]}"; do
	d=${DIR[$l]}
	if [ ! -d "$d" ]; then
		t_fail "${DESC[$l]} exists" "no directory $d"
		continue
	fi
	names=()
	for e in "$d"/*; do
		[ -L "$e" ] && names+=("${e##*/}")	# "info" is a file, the rest links
	done
	sk_sort got "${names[@]}"
	t_is "$got" "${EXPN[$l]}" "${DESC[$l]}: exactly the expected peer links"
	[ -n "${EXP[$l]}" ] || continue
	paths=() want=
	for q in ${EXP[$l]}; do paths+=("$d/${LNAME[$q]}"); want+="${LTARGET[$q]}$NL"; done
	t_is "$(readlink "${paths[@]}" 2>&1)" "${want%$NL}" "${DESC[$l]}: readlink of every peer link"
done

# ---- info ---------------------------------------------------------------------
section "info"
for l in "${LABELS[@]}"; do
	if ! sk_info "${DIR[$l]}/info"; then
		t_fail "${DESC[$l]}: info" "cannot read ${DIR[$l]}/info"
		continue
	fi
	want="kind=${S_KIND[$l]} pid=${S_PID[$l]} name=${S_FD[$l]} fd=${S_FD[$l]} id=${S_INO[$l]} access=rw ${S_X[$l]//x_/}"
	bad=
	for kv in $want; do
		k=${kv%%=*} v=${kv#*=}
		[ "${SKN[$k]:-0}" = 1 ] && [ "${SKI[$k]}" = "$v" ] || bad+=" $k='${SKI[$k]:-}'(want '$v', ${SKN[$k]:-0} lines)"
	done
	sk_sort p ${SKI[peers]:-}
	[ "$p" = "${EXPN[$l]}" ] || bad+=" peers='${SKI[peers]:-}'(want ${EXPN[$l]})"
	t_is "$bad" "" "${DESC[$l]}: info keys ($want peers=${EXPN[$l]})"
done

# the namespace: ns-srv's own, not the host's
sk_info "${DIR[ns.acc]}/info"
ns_in=${SKI[netns]:-}
t_is "$ns_in" "${PROC_NS[${ROLE_PID[ns-srv]}]}" "netns of the connection in the new namespace is ns-srv's"
if [ -n "$ns_in" ] && [ "$ns_in" != "$HOST_NS" ]; then t_pass "netns inside the namespace ($ns_in) differs from the host's ($HOST_NS)"
else t_fail "netns inside the namespace differs from the host's" "got $ns_in, host $HOST_NS"; fi
sk_info "${DIR[t4.cli]}/info"
host=$(readlink /proc/self/ns/net)
t_is "net:[${SKI[netns]:-}]" "$host" "netns of a host socket is the host's (/proc/self/ns/net)"

# kinds listed: tcp-srv has tcp4 and tcp6, no other kind
names=()
for e in "$MNT/${ROLE_PID[tcp-srv]}"/*; do names+=("${e##*/}"); done
t_is "${names[*]}" "$PROC_FILES tcp4 tcp6" "ls MNT/<tcp-srv>: $PROC_FILES, tcp4, tcp6"

# ---- channels -------------------------------------------------------------------
section "channels"
mapfile -t rows <"$MNT/channels"
t_is "${rows[0]}" "KIND${TAB}PID${TAB}COMM${TAB}NAME${TAB}ACCESS${TAB}ID${TAB}PEERS${TAB}DETAIL" "channels header"
declare -A ROW=() NROWS=()
for r in "${rows[@]:1}"; do
	IFS=$TAB read -r k p _ n _ <<<"$r"
	ROW[$k/$p/$n]=$r
	NROWS[$p]=$(( ${NROWS[$p]:-0} + 1 ))
done
for l in "${LABELS[@]}"; do
	r=${ROW[${S_KIND[$l]}/${S_PID[$l]}/${S_FD[$l]}]:-}
	bad=
	if [ -z "$r" ]; then
		bad="no row"
	else
		IFS=$TAB read -r -a c <<<"$r"
		[ ${#c[@]} = 8 ] || bad+=" fields=${#c[@]}"
		[ "${c[4]}" = rw ] || bad+=" access=${c[4]}"
		[ "${c[5]}" = "${S_INO[$l]}" ] || bad+=" id=${c[5]}"
		sk_sort p ${c[6]//,/ }
		[ "$p" = "${EXPN[$l]}" ] || bad+=" peers=${c[6]}(want ${EXPN[$l]})"
		[ -n "${c[7]}" ] && [ "${c[7]}" != - ] || bad+=" no DETAIL"
		# DETAIL names the socket: its path or its local address
		for kv in ${S_X[$l]}; do
			case $kv in
			x_path=-) ;;
			x_path=*|x_local=*) [[ ${c[7]} == *"${kv#*=}"* ]] || bad+=" DETAIL '${c[7]}' lacks ${kv#*=}" ;;
			esac
		done
	fi
	t_is "$bad" "" "${DESC[$l]}: its channels row"
done
# paths the generic checks above cover, said plainly: a full 108-byte
# sun_path (no room for its NUL) and bytes info and DETAIL escape once
for l in ul.full ul.back ul.del; do
	x=${S_X[$l]#*x_path=} x=${x%% *}
	sk_info "${DIR[$l]}/info"
	t_is "${SKI[path]:-}" "$x" "$l: info path: the bound path, escaped once"
	r=${ROW[${S_KIND[$l]}/${S_PID[$l]}/${S_FD[$l]}]:-}
	t_is "${r##*$TAB}" "stream\\040listen\\040$x" "$l: channels DETAIL: the bound path, escaped once"
done
x=${S_X[ul.full]#*x_path=} x=${x%% *}
t_is "${#x}" 108 "ul.full is bound to a path of 108 bytes"
# a process's own table: the header and the same rows
for role in tcp-srv ul-cli ns-cli; do
	pid=${ROLE_PID[$role]}
	mapfile -t own <"$MNT/$pid/channels"
	want=${rows[0]}
	for r in "${rows[@]:1}"; do
		IFS=$TAB read -r _ p _ <<<"$r"
		[ "$p" = "$pid" ] && want+=$NL$r
	done
	got=$(printf '%s\n' "${own[@]}")
	t_is "$got" "$want" "MNT/<$role>/channels: the header and its rows of MNT/channels"
done

# ---- lsof -nP +E ----------------------------------------------------------------
# lsof +E names, for a unix socket or a loopback TCP/UDP connection, one
# far endpoint as "pid,command,fd<mode>" (not a queued one, nor one in
# another namespace or across a v4-mapped address; a dgram server with one
# of its clients only).  Each must be an ipcfs peer link, and one of
# sockmaker's.
section "lsof"
if command -v lsof >/dev/null; then
	lsof -nP +E -p "$(printf '%s\n' "${PIDS[@]}" | paste -sd, -)" -F pftn 2>/dev/null |
		awk '/^p/ { p = substr($0, 2) } /^f/ { f = substr($0, 2) } /^t/ { t = substr($0, 2) }
		     /^n/ && (t == "unix" || t == "IPv4" || t == "IPv6") {
			s = $0
			while (match(s, / [0-9]+,[^,]*,[0-9]+[urw]/)) {
				e = substr(s, RSTART + 1, RLENGTH - 2); s = substr(s, RSTART + RLENGTH)
				split(e, a, ","); print t, p, f, a[1], a[3]
			}
		}' >"$TESTDIR/lsof.pairs"
	n_unix=0 n_inet=0 bad= unexp=
	while read -r t p f pp pf; do
		l=${BY_PF[$p:$f]:-} q=${BY_PF[$pp:$pf]:-}
		[ -n "$l" ] && [ -n "$q" ] || continue
		case $t in unix) n_unix=$((n_unix + 1)) ;; *) n_inet=$((n_inet + 1)) ;; esac
		[ -L "${DIR[$l]}/${LNAME[$q]}" ] || bad+=" $l->$q"
		[[ " ${EXP[$l]} " == *" $q "* ]] || unexp+=" $l->$q"
	done <"$TESTDIR/lsof.pairs"
	diag "lsof +E named $n_unix unix and $n_inet inet far ends"
	if [ $n_unix -ge 10 ] && [ $n_inet -ge 4 ]; then t_pass "lsof +E names far ends (unix $n_unix, tcp/udp $n_inet)"
	else t_fail "lsof +E names far ends" "unix $n_unix, tcp/udp $n_inet: $(cat "$TESTDIR/lsof.pairs")"; fi
	t_is "$bad" "" "every far end lsof +E names is an ipcfs peer link"
	t_is "$unexp" "" "every far end lsof +E names is one sockmaker made"
	# and where lsof names one far end of a socket that has one peer, ipcfs
	# has exactly that one
	bad=
	while read -r t p f pp pf; do
		l=${BY_PF[$p:$f]:-} q=${BY_PF[$pp:$pf]:-}
		[ -n "$l" ] && [ -n "$q" ] || continue
		set -- ${EXP[$l]}
		[ $# = 1 ] || continue
		names=()
		for e in "${DIR[$l]}"/*; do [ -L "$e" ] && names+=("${e##*/}"); done
		[ "${names[*]}" = "${LNAME[$q]}" ] || bad+=" $l:'${names[*]}'(lsof ${LNAME[$q]})"
	done <"$TESTDIR/lsof.pairs"
	t_is "$bad" "" "sockets with one peer: ipcfs's peer is lsof's"
else
	diag "lsof not installed: lsof comparison not run"
fi

t_done
