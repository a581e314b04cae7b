#!/bin/bash
# tests/e2e/test_examples.sh — the example tools (examples/who-talks-to,
# ipc-graph-dot, container-graph, listeners, shared-memory, watch-ipc) run
# against a live mount.  Real
# processes: chanmaker (a pipe between two processes with odd names, a
# fan-out pipe, a pty, pidfds, shared anonymous memory, netlink sockets
# connected to each other), sockmaker (unix and TCP listeners with accepted and queued
# clients, socketpairs, UDP, a second network namespace) and shmmaker
# (memfd, /dev/shm and System V segments shared by fd and by mapping).
#
#   IPCFS=build/ipcfs CHANMAKER=build/tests/chanmaker bash tests/e2e/test_examples.sh
#
# SOCKMAKER and SHMMAKER default to the makers next to CHANMAKER.  Every
# expectation comes from what the makers report they made (lib.sh's cm_load
# for chanmaker and shmmaker; sockmaker's sock and peer lines, and its
# labels: L.acc is the accepted end of listener L (L.lis for TCP), L.q and
# a queued TCP connection's client are L's peers) and from the kernel
# (/proc/<pid>/comm, /proc/sysvipc/shm, /proc/net/tcp), never from ipcfs
# or the scripts.  The rules the scripts state in their --help (an edge
# per pair of processes, its kinds counted on the lower pid's side; which
# memory objects are shown) are applied to those facts here.
#
# Test-only tools: graphviz's dot (the DOT is rendered; without dot those
# checks are skipped with a diagnostic) and unshare (private mount
# namespaces, for mount discovery and "nothing mounted").

# (results come back through namerefs: slurp, sort_words)
# shellcheck disable=SC2154
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"
SOCKMAKER=${SOCKMAKER:-$(dirname "$CHANMAKER")/sockmaker}
SHMMAKER=${SHMMAKER:-$(dirname "$CHANMAKER")/shmmaker}
case $SOCKMAKER in /*) ;; *) SOCKMAKER=$PWD/$SOCKMAKER ;; esac
case $SHMMAKER in /*) ;; *) SHMMAKER=$PWD/$SHMMAKER ;; esac
e2e_init
[ -x "$SOCKMAKER" ] || bail_out "no sockmaker binary at $SOCKMAKER (build it, or set SOCKMAKER)"
[ -x "$SHMMAKER" ] || bail_out "no shmmaker binary at $SHMMAKER (build it, or set SHMMAKER)"
command -v unshare >/dev/null || bail_out "unshare (util-linux) not found"
EX=$E2E_REPO/examples
SCRIPTS="who-talks-to ipc-graph-dot container-graph listeners shared-memory"
NOT_MOUNTED="ipcfs is not mounted"
unset IPCFS_MOUNT

# At exit, before lib.sh's cleanup: end shmmaker (it removes its objects),
# then whatever a killed run may have left (see shmmaker.c).
ex_exit() {
	local p
	[ -n "${TCP_FD:-}" ] && exec {TCP_FD}>&-
	shmmaker_stop
	# watch-ipc's cgroups, once the processes in them are ended
	if [ -n "${CG_DIR:-}" ]; then
		for p in ${TAG_PIDS[wa]:-} ${TAG_PIDS[wb]:-} ${TAG_PIDS[wr]:-}; do stop_pid "$p"; done
		rmdir "$CG_DIR/a" "$CG_DIR/b" "$CG_DIR" 2>/dev/null
	fi
	_e2e_cleanup
}
trap ex_exit EXIT

# ---- the processes, before the mount ------------------------------------
section "start the processes"
# names with a quote, a backslash, a space, < and &; a tab, a newline, a
# byte that is never UTF-8, an é (two bytes of UTF-8) and the first byte
# of a two-byte sequence followed by "(" (not UTF-8)
NAME_A='q"b\s x<&'
NAME_B=$'t\tn\nz\xff\xc3\xa9\xc3('

cm_start pair pair "$NAME_A" "$NAME_B"
cm_start fan fanout
cm_start idle idle
cm_start self selfpipe
cm_start pty pty
cm_start pidfd pidfd
cm_start anon anonshm
cm_start nl netlink
SM_RUNNING=1
CHANMAKER=$SHMMAKER cm_start sm shared
SM_PID=$CM_PID
cm_load

mkdir -p "$TESTDIR/socks"
sockmaker_start "$TESTDIR/socks"

# sockmaker's report: S_*[label], EXP[label] (peer labels), SK_ROLE[role]
declare -A S_PID S_FD S_INO S_KIND S_X EXP SK_ROLE
LABELS=() SK_PIDS=()
while read -r what rest; do
	declare -A f=()
	for kv in $rest; do f[${kv%%=*}]=${kv#*=}; done
	case $what in
	proc) SK_ROLE[${f[role]}]=${f[pid]}; SK_PIDS+=("${f[pid]}") ;;
	sock)
		l=${f[label]}
		LABELS+=("$l")
		S_PID[$l]=${f[pid]} S_FD[$l]=${f[fd]} S_INO[$l]=${f[ino]} S_KIND[$l]=${f[kind]}
		S_X[$l]=" $rest "
		EXP[$l]=
		;;
	peer) set -- $rest; EXP[$1]+=" $2" EXP[$2]+=" $1" ;;
	esac
	unset f
done <"$TESTDIR/sockmaker.out"
[ ${#LABELS[@]} -ge 30 ] || bail_out "sockmaker reported only ${#LABELS[@]} sockets"
# x_KEY of a socket label
sx() { local v=${S_X[$1]##* x_$2=}; [ "$v" = "${S_X[$1]}" ] && return 1; printf '%s' "${v%% *}"; }

# ---- one table of every endpoint the makers made -------------------------
# U_KIND U_ID U_PEERS (sorted "pid:name,...", "-") by "pid:name"; U_NAMES by
# pid; COMM[pid] escaped as MNT/channels escapes (the makers' reports, or
# /proc/<pid>/comm for sockmaker, whose names are plain)
declare -A U_KIND U_ID U_PEERS U_NAMES COMM
for ((i = 0; i < EP_N; i++)); do
	k=${EP_PID[i]}:${EP_NAME[i]}
	U_KIND[$k]=${EP_KIND[i]} U_ID[$k]=${EP_ID[i]} U_PEERS[$k]=${EP_PEERS[i]}
	U_NAMES[${EP_PID[i]}]+=" ${EP_NAME[i]}"
	COMM[${EP_PID[i]}]=${EP_COMM[i]}
done
for l in "${LABELS[@]}"; do
	k=${S_PID[$l]}:${S_FD[$l]}
	U_KIND[$k]=${S_KIND[$l]} U_ID[$k]=${S_INO[$l]}
	names=()
	for q in ${EXP[$l]}; do names+=("${S_PID[$q]}:${S_FD[$q]}"); done
	sort_words p "${names[@]}"
	p=${p//$NL/,}
	U_PEERS[$k]=${p:--}
	U_NAMES[${S_PID[$l]}]+=" ${S_FD[$l]}"
done
for p in "${SK_PIDS[@]}"; do
	slurp c "/proc/$p/comm" || bail_out "no /proc/$p/comm"
	COMM[$p]=${c%$NL}
done
# pidfds: U_TARGET by "pid:name" (the target pid, "-" once it is gone); the
# live target, a process with no endpoint, is one of the makers' too
declare -A U_TARGET
for ((i = 0; i < EP_N; i++)); do
	[ "${EP_KIND[i]}" = pidfd ] || continue
	t=${EP_EXTRA[i]##*x_target=}; t=${t%% *}
	U_TARGET[${EP_PID[i]}:${EP_NAME[i]}]=$t
	[ "$t" = - ] && continue
	U_NAMES[$t]+=""
	COMM[$t]=${PROC_COMM[$t]}
done
PIDFD_H=${TAG_ROLE_PID[pidfd/pidfd-holder]} PIDFD_T=${TAG_ROLE_PID[pidfd/pidfd-target]}
[ "${U_TARGET[$PIDFD_H:3]:-}" = "$PIDFD_T" ] || bail_out "chanmaker pidfd: fd 3 does not refer to its target"
MAKER_PIDS=" ${!U_NAMES[*]} "
# sort_lines VAR TEXT : the non-empty lines of TEXT sorted (byte order)
sort_lines() {
	local -a _l=()
	local _x
	while IFS= read -r _x; do [ -n "$_x" ] && _l+=("$_x"); done <<<"$2"
	sort_words "$1" "${_l[@]}"
}
# what the scripts print for a name: info escaping (a space as itself)
human() { printf '%s' "${1//\\040/ }"; }
# an endpoint as the scripts write it: "fd N" or the name
epn() { if [[ $1 =~ ^[0-9]+$ ]]; then printf 'fd %s' "$1"; else printf '%s' "$1"; fi; }

PAIR_A=${TAG_ROLE_PID[pair/pair-a]} PAIR_B=${TAG_ROLE_PID[pair/pair-b]}
FAN_W=${TAG_ROLE_PID[fan/writer]}
FAN_R1=${TAG_ROLE_PID[fan/reader1]} FAN_R3=${TAG_ROLE_PID[fan/reader3]}
declare -A SMR
for p in ${TAG_PIDS[sm]}; do SMR[${PROC_ROLE[$p]}]=$p; done
t_is "${COMM[$PAIR_A]} ${COMM[$PAIR_B]}" 'q"b\134s\040x<& t\011n\012z'$'\xff\xc3\xa9\xc3(' \
	"chanmaker pair: the kernel holds the odd names (checks the harness)"

# container-graph's cgroups: the pair's first process and the fan-out in
# one test cgroup, the pair's second in another (lib.sh removes them)
cg_new "ipcfs-e2e-$$-a"; CG_A=$CG_PATH
for p in "$PAIR_A" ${TAG_PIDS[fan]}; do cg_move "$p" "$CG_DIR"; done
cg_new "ipcfs-e2e-$$-b"; CG_B=$CG_PATH
cg_move "$PAIR_B" "$CG_DIR"
# CGOF[pid]: every maker process's cgroup, as the kernel tells it
declare -A CGOF
for p in $MAKER_PIDS; do CGOF[$p]=$(sed -n 's/^0:://p' "/proc/$p/cgroup"); done
t_is "${CGOF[$PAIR_A]} ${CGOF[$FAN_R1]} ${CGOF[$PAIR_B]}" "$CG_A $CG_A $CG_B" \
	"kernel: the pair's processes in two test cgroups, the fan-out with the first (checks the harness)"

# ---- the mount -----------------------------------------------------------
# The makers are set up and then change nothing: a long ttl gives every
# script the same snapshot, and no rebuild per run.
section "mount"
ipcfs_mount 30
diag "ipcfs pid $IPCFS_PID on $MNT"
export IPCFS_MOUNT=$MNT

# run NAME ARGS... : run an example with IPCFS_MOUNT (a hung one killed
# after 20 s); stdout into OUT, stderr into ERR, exit status into RC
run() {
	local s=$1; shift
	timeout 20 "$EX/$s" "$@" >"$TESTDIR/out" 2>"$TESTDIR/err" 9>&-
	RC=$?
	slurp OUT "$TESTDIR/out"; OUT=${OUT%$NL}
	slurp ERR "$TESTDIR/err"; ERR=${ERR%$NL}
}

# ======================================================================
section "--help and usage"
# ======================================================================
for s in $SCRIPTS; do
	run "$s" --help
	t_is "$RC ${OUT:0:7}$ERR" "0 usage: " "$s --help: usage on stdout, exit 0"
done
run who-talks-to
t_is "$RC $([ -n "$ERR" ] && echo said)" "2 said" "who-talks-to without a PID: exit 2 with a message"
run ipc-graph-dot 1 x
t_is "$RC $([ -n "$ERR" ] && echo said)" "2 said" "ipc-graph-dot PID x: exit 2 with a message"
declare -A ALL_FLAG=([shared-memory]=-a)
for s in $SCRIPTS; do
	# shellcheck disable=SC2086
	t_errs "$s on a pid that does not exist: says so, exits non-zero" "no process 4194305" \
		"$EX/$s" ${ALL_FLAG[$s]:-} 4194305
done

# ======================================================================
section "who-talks-to"
# ======================================================================
# wtt_expect PID : the lines' beginnings "KIND ENDPOINT -> PEERPID COMM
# PEERENDPOINT" (or "KIND ENDPOINT (no peer)"), sorted, into WANT; for a
# pidfd "pidfd ENDPOINT -> TARGET COMM (target)" or "(target gone)", and
# for each pidfd another process holds on PID "pidfd (target) <- HOLDER
# COMM ENDPOINT"
wtt_expect() {
	local pid=$1 n k q qp far t
	local -a w=()
	for k in "${!U_TARGET[@]}"; do
		[ "${U_TARGET[$k]}" = "$pid" ] && [ "${k%%:*}" != "$pid" ] &&
			w+=("pidfd (target) <- ${k%%:*} $(human "${COMM[${k%%:*}]}") $(epn "${k#*:}")")
	done
	for n in ${U_NAMES[$pid]}; do
		k=$pid:$n
		if [ "${U_KIND[$k]}" = pidfd ]; then
			t=${U_TARGET[$k]}
			if [ "$t" = - ]; then w+=("pidfd $(epn "$n") (target gone)")
			else w+=("pidfd $(epn "$n") -> $t $(human "${COMM[$t]}") (target)$([ "$t" = "$pid" ] && echo " (self)")"); fi
			continue
		fi
		if [ "${U_PEERS[$k]}" = - ]; then w+=("${U_KIND[$k]} $(epn "$n") (no peer)"); continue; fi
		for q in ${U_PEERS[$k]//,/ }; do
			qp=${q%%:*}
			far=$(epn "${q#*:}")
			[ "${U_KIND[$q]}" = "${U_KIND[$k]}" ] || far="${U_KIND[$q]} $far"
			w+=("${U_KIND[$k]} $(epn "$n") -> $qp $(human "${COMM[$qp]}") $far$([ "$qp" = "$pid" ] && echo " (self)")")
		done
	done
	sort_words WANT "${w[@]}"
}
# wtt_got : each line of OUT (spaces squeezed) as the expected beginning it
# starts with, or "UNEXPECTED: line", sorted, into GOT
wtt_got() {
	local line e m
	local -a g=() wants
	mapfile -t wants <<<"$WANT"
	while IFS= read -r line; do
		[ -n "$line" ] || continue
		while [[ $line == *"  "* ]]; do line=${line//  / }; done
		m="UNEXPECTED: $line"
		for e in "${wants[@]}"; do [[ "$line " == "$e "* ]] && { m=$e; break; }; done
		g+=("$m")
	done <<<"$OUT"
	sort_words GOT "${g[@]}"
}
for p in $PAIR_A $PAIR_B $FAN_W $FAN_R3 ${SMR[mapper]} ${SMR[both]} ${SMR[shm-c]} ${SMR[mq-c]} \
	${SK_ROLE[ul-srv]} ${SK_ROLE[ul-cli]} ${SK_ROLE[tcp-srv]} ${SK_ROLE[tcp-cli]} \
	${SK_ROLE[ud-srv]} ${SK_ROLE[us-srv]} ${SK_ROLE[ns-cli]} ${TAG_PIDS[self]} ${TAG_PIDS[pty]} \
	$PIDFD_H $PIDFD_T ${TAG_PIDS[anon]} ${TAG_PIDS[nl]}; do
	run who-talks-to "$p"
	wtt_expect "$p"; wtt_got
	t_is "$RC$NL$GOT" "0$NL$WANT" "who-talks-to $p ($(human "${COMM[$p]}")): every far end with its name, one line each"
done
IDLE=${TAG_PIDS[idle]}
run who-talks-to "$IDLE"
t_is "$RC [$OUT] $ERR" "0 [] who-talks-to: process $IDLE has no channel" "who-talks-to <idle>: no line, says it has no channel"

# ======================================================================
section "ipc-graph-dot"
# ======================================================================
# the expected edges between the makers' processes: "A B" (A < B) -> label
declare -A E_LABEL E_COUNT E_SEEN ADJ
for k in "${!U_PEERS[@]}"; do
	a=${k%%:*}
	for q in ${U_PEERS[$k]//,/ }; do
		[ "$q" = - ] && continue
		b=${q%%:*}
		[ "$a" = "$b" ] && continue
		ADJ[$a]+=" $b"
		((a < b)) || continue
		s="$a $b ${U_KIND[$k]} ${U_ID[$k]}"
		[ -n "${E_SEEN[$s]:-}" ] && continue
		E_SEEN[$s]=1
		E_COUNT[$a $b ${U_KIND[$k]}]=$(( ${E_COUNT[$a $b ${U_KIND[$k]}]:-0} + 1 ))
	done
done
# a pidfd joins its holder and its target, once per pidfd
for k in "${!U_TARGET[@]}"; do
	a=${k%%:*} b=${U_TARGET[$k]}
	[ "$b" = - ] || [ "$a" = "$b" ] && continue
	ADJ[$a]+=" $b" ADJ[$b]+=" $a"
	((a < b)) || { t=$a a=$b b=$t; }
	E_COUNT[$a $b pidfd]=$(( ${E_COUNT[$a $b pidfd]:-0} + 1 ))
done
for s in "${!E_COUNT[@]}"; do
	set -- $s
	E_LABEL[$1 $2]+=" $3"
done
for e in "${!E_LABEL[@]}"; do
	# kinds in name order, "kind (n)" when more than one object
	sort_words ks ${E_LABEL[$e]}
	l=
	for k in $ks; do
		c=${E_COUNT[$e $k]}
		l+="${l:+\\n}$k$([ "$c" -gt 1 ] && echo " ($c)")"
	done
	E_LABEL[$e]=$l
done

# dot_parse : OUT's node and edge lines into NODES ("pid" sorted), LABEL[pid]
# (the label as written), BOLD (bold pids), EDGES ("a b label" sorted);
# BAD counts other lines between the braces
declare -A LABEL
dot_parse() {
	local line
	local -a n=() e=()
	LABEL=() BOLD='' BAD=0
	while IFS= read -r line; do
		if [[ $line =~ ^\ \ p([0-9]+)\ \[label=\"(.*)\"(,\ style=bold,\ penwidth=2)?\]\;$ ]]; then
			n+=("${BASH_REMATCH[1]}"); LABEL[${BASH_REMATCH[1]}]=${BASH_REMATCH[2]}
			[ -n "${BASH_REMATCH[3]}" ] && BOLD+=" ${BASH_REMATCH[1]}"
		elif [[ $line =~ ^\ \ p([0-9]+)\ --\ p([0-9]+)\ \[label=\"([^\"]*)\"\]\;$ ]]; then
			e+=("${BASH_REMATCH[1]} ${BASH_REMATCH[2]} ${BASH_REMATCH[3]}")
		elif [[ $line != "graph ipc {" && $line != "}" && $line != "  graph ["* && $line != "  node ["* && $line != "  edge ["* ]]; then
			BAD=$((BAD + 1))
		fi
	done <<<"$OUT"
	sort_words NODES "${n[@]}"
	sort_words EDGES "${e[@]}"
}
# edges_among PIDS... : the expected edges with both ends among PIDS
edges_among() {
	local e a b
	local -a w=()
	for e in "${!E_LABEL[@]}"; do
		a=${e% *} b=${e#* }
		[[ " $* " == *" $a "* && " $* " == *" $b "* ]] && w+=("$e ${E_LABEL[$e]}")
	done
	sort_words WANT_E "${w[@]}"
}
# hood PID DEPTH : the makers' processes at most DEPTH edges from PID
hood() {
	local -A dist=([$1]=0)
	local -a q=("$1")
	local u v h=0
	while ((h < ${#q[@]})); do
		u=${q[h]}; h=$((h + 1))
		((dist[$u] < $2)) || continue
		for v in ${ADJ[$u]:-}; do
			[ -n "${dist[$v]:-}" ] && continue
			dist[$v]=$((dist[$u] + 1)); q+=("$v")
		done
	done
	sort_words WANT_N "${!dist[@]}"
}

# the whole graph: the makers' edges exactly, none to anyone else
run ipc-graph-dot
dot_parse
ALL_DOT=$OUT
t_is "$RC $BAD $(head -n1 <<<"$OUT")" "0 0 graph ipc {" "ipc-graph-dot: exit 0, a graph, every line a node or an edge"
got='' out_edges=''
while read -r a b l; do
	[ -n "$a" ] || continue
	ia=0 ib=0
	[[ $MAKER_PIDS == *" $a "* ]] && ia=1
	[[ $MAKER_PIDS == *" $b "* ]] && ib=1
	if ((ia && ib)); then got+="$a $b $l$NL"; elif ((ia || ib)); then out_edges+=" $a-$b"; fi
done <<<"$EDGES"
edges_among ${!U_NAMES[*]}
t_is "${got%$NL}" "$WANT_E" "ipc-graph-dot: the makers' processes joined by exactly the expected edges, kinds and counts"
t_is "$out_edges" "" "ipc-graph-dot: no edge from the makers' processes to any other"
SELF=${TAG_PIDS[self]}
t_is "$([[ $NL$NODES$NL == *"$NL$SELF$NL"* ]] && echo drawn || echo absent)" absent \
	"ipc-graph-dot: a process whose only channel is with itself is not drawn"
bad=
for e in "${!E_LABEL[@]}"; do
	for p in ${e% *} ${e#* }; do
		[ "$p" = "$PAIR_A" ] || [ "$p" = "$PAIR_B" ] && continue
		[ "${LABEL[$p]:-}" = "$p $(human "${COMM[$p]}")" ] || bad+=" $p:'${LABEL[$p]:-}'"
	done
done
t_is "$bad" "" "ipc-graph-dot: each process labelled \"PID COMM\""
# DOT escaping, as DOT reads it: \" a quote, \\ a backslash; the bytes
# that are not text written as the visible \ooo (so \\ooo in DOT)
t_is "${LABEL[$PAIR_A]}|${LABEL[$PAIR_B]}" "$PAIR_A q\\\"b\\\\s x<&|$PAIR_B t\\\\011n\\\\012z\\\\377"$'\xc3\xa9''\\303(' \
	"ipc-graph-dot: a quote, a backslash, control bytes and a byte that is not UTF-8 escaped in labels"

if command -v dot >/dev/null; then
	dot -Tsvg <<<"$ALL_DOT" >"$TESTDIR/all.svg" 2>"$TESTDIR/dot.err"
	rc=$?
	t_is "$rc $(cat "$TESTDIR/dot.err")" "0 " "dot -Tsvg reads the whole graph without error or warning"
	run ipc-graph-dot "$PAIR_A"
	dot -Tsvg <<<"$OUT" >"$TESTDIR/pair.svg" 2>"$TESTDIR/dot.err"
	rc=$?
	mapfile -t texts < <(sed -n 's/^<text[^>]*>\(.*\)<\/text>$/\1/p' "$TESTDIR/pair.svg")
	sort_words got "${texts[@]}"
	sort_words want "$PAIR_A q&quot;b\\s x&lt;&amp;" "$PAIR_B t\\011n\\012z\\377"$'\xc3\xa9''\303(' pipes
	t_is "$rc $(cat "$TESTDIR/dot.err")$NL$got" "0 $NL$want" \
		"dot renders the odd names as written (quote, backslash, <, &, \\ooo for the rest, é kept)"
else
	diag "dot (graphviz) not installed: the DOT is not rendered"
fi

# neighbourhoods: exactly the nodes within DEPTH, every edge among them
for c in "$FAN_R1" "$FAN_R1 2" "$FAN_W 0" "$FAN_W 1" "$PAIR_B 5" "${SMR[mapper]} 1" "${SMR[shm-a1]}" \
	"${SK_ROLE[ud-c1]} 1" "${SK_ROLE[ud-c1]} 2" "${SK_ROLE[tcp-srv]}" "$PIDFD_T" "$PIDFD_H 2" \
	"${TAG_PIDS[pty]%% *}" "${TAG_PIDS[anon]%% *}" "${TAG_PIDS[nl]}"; do
	set -- $c
	run ipc-graph-dot "$@"
	dot_parse
	hood "$1" "${2:-1}"
	# shellcheck disable=SC2086
	edges_among $WANT_N
	t_is "$RC $BAD bold:$BOLD$NL$NODES$NL--$NL$EDGES" "0 0 bold: $1$NL$WANT_N$NL--$NL$WANT_E" \
		"ipc-graph-dot $* ($(human "${COMM[$1]}")): exactly the processes within ${2:-1} edges and the edges among them"
done

run ipc-graph-dot "$IDLE" 3
dot_parse
t_is "$RC $NODES ${LABEL[$IDLE]:-} bold:$BOLD [$EDGES]" "0 $IDLE $IDLE cm-idle bold: $IDLE []" \
	"ipc-graph-dot <idle> 3: a process with no channel is drawn alone, named"

# ======================================================================
section "container-graph"
# ======================================================================
# cg_parse : OUT into CL_OF[pid] (the label of its cluster, "" outside
# every one), CL_N[label] (clusters with that label), EDGES ("a b label"
# sorted), RED ("a b" of the red edges, sorted); BAD counts other lines
declare -A CL_OF CL_N
cg_parse() {
	local line cur='' label=''
	local -a e=() r=()
	CL_OF=() CL_N=() BAD=0
	while IFS= read -r line; do
		if [[ $line =~ ^\ \ subgraph\ cluster_[0-9]+\ \{$ ]] && [ -z "$cur" ]; then
			cur=1 label=
		elif [ -n "$cur" ] && [[ $line =~ ^\ \ \ \ label=\"(.*)\"\;$ ]]; then
			label=${BASH_REMATCH[1]}
			CL_N[$label]=$(( ${CL_N[$label]:-0} + 1 ))
		elif [[ $line =~ ^(\ \ )+p([0-9]+)\ \[label= ]]; then
			CL_OF[${BASH_REMATCH[2]}]=$label
		elif [ -n "$cur" ] && [ "$line" = "  }" ]; then
			cur='' label=''
		elif [[ $line =~ ^\ \ p([0-9]+)\ --\ p([0-9]+)\ \[label=\"([^\"]*)\"(,\ color=red,\ penwidth=2)?\]\;$ ]]; then
			e+=("${BASH_REMATCH[1]} ${BASH_REMATCH[2]} ${BASH_REMATCH[3]}")
			[ -n "${BASH_REMATCH[4]}" ] && r+=("${BASH_REMATCH[1]} ${BASH_REMATCH[2]}")
		elif [[ $line != "graph ipc {" && $line != "}" && $line != "  graph ["* && $line != "  node ["* && $line != "  edge ["* ]]; then
			BAD=$((BAD + 1))
		fi
	done <<<"$OUT"
	sort_words EDGES "${e[@]}"
	sort_words RED "${r[@]}"
}
run container-graph
CG_DOT=$OUT
cg_parse
t_is "$RC $BAD $(head -n1 <<<"$OUT")" "0 0 graph ipc {" \
	"container-graph: exit 0, a graph, every line a cluster, a node or an edge"
bad=
for p in $MAKER_PIDS; do
	[ -n "${CL_OF[$p]+drawn}" ] || continue
	[ "${CL_OF[$p]}" = "${CGOF[$p]}" ] || bad+=" $p:'${CL_OF[$p]}'"
done
t_is "$bad" "" "container-graph: each of the makers' processes drawn in the cluster of its cgroup"
t_is "${CL_N[$CG_A]:-0} ${CL_N[$CG_B]:-0} ${CL_OF[$PAIR_A]:-} ${CL_OF[$FAN_W]:-} ${CL_OF[$PAIR_B]:-}" \
	"1 1 $CG_A $CG_A $CG_B" "container-graph: one cluster per test cgroup, the pair split between them"
# the same edges as ipc-graph-dot's; red where the ends' cgroups differ
edges_among ${!U_NAMES[*]}
want_red=() got=''
while read -r a b l; do
	[ -n "$a" ] || continue
	[[ $MAKER_PIDS == *" $a "* && $MAKER_PIDS == *" $b "* ]] || continue
	got+="$a $b $l$NL"
	[ "${CGOF[$a]}" = "${CGOF[$b]}" ] || want_red+=("$a $b")
done <<<"$EDGES"
t_is "${got%$NL}" "$WANT_E" "container-graph: the makers' edges are ipc-graph-dot's, kinds and counts"
sort_words want "${want_red[@]}"
got=''
while read -r a b; do
	[ -n "$a" ] && [[ $MAKER_PIDS == *" $a "* && $MAKER_PIDS == *" $b "* ]] && got+="$a $b$NL"
done <<<"$RED"
t_is "${got%$NL}" "$want" "container-graph: red exactly the edges across cgroups ($PAIR_A -- $PAIR_B among them)"
t_has "$NL$want$NL" "$NL$PAIR_A $PAIR_B$NL" "container-graph: the pair's pipe crosses from $CG_A to $CG_B"
run container-graph "$PAIR_A" 1
cg_parse
sort_words got "${!CL_OF[@]}"
sort_words want "$PAIR_A" "$PAIR_B"
t_is "$RC ${got//$NL/ }|${CL_OF[$PAIR_A]:-}|${CL_OF[$PAIR_B]:-}|$RED" \
	"0 ${want//$NL/ }|$CG_A|$CG_B|$PAIR_A $PAIR_B" \
	"container-graph PAIR_A 1: the pair, each in its cluster, the edge red"
if command -v dot >/dev/null; then
	dot -Tsvg <<<"$CG_DOT" >"$TESTDIR/cg.svg" 2>"$TESTDIR/dot.err"
	rc=$?
	clusters=$(grep -c 'class="cluster"' "$TESTDIR/cg.svg")
	t_is "$rc $(cat "$TESTDIR/dot.err") $clusters" "0  $(grep -c '^  subgraph cluster_' <<<"$CG_DOT")" \
		"dot -Tsvg draws container-graph's clusters, without error or warning"
	# (graphviz writes a hyphen as &#45;)
	t_has "$(cat "$TESTDIR/cg.svg")" ">${CG_A//-/\&#45;}</text>" "the SVG labels the cluster $CG_A"
fi

# ======================================================================
section "listeners"
# ======================================================================
# lis_expect LABEL : the block sockmaker's facts give for listener LABEL
lis_expect() {
	local l=$1 base=${1%.lis} kind=${S_KIND[$1]} a q who
	local -a w=()
	if [ "$kind" = unix ]; then
		w+=("unix $(sx "$l" type) $(sx "$l" path) (socket ${S_INO[$l]})")
	else
		w+=("$kind $(sx "$l" local) (socket ${S_INO[$l]})")
	fi
	w+=("  listening ${S_PID[$l]} ${COMM[${S_PID[$l]}]} fd ${S_FD[$l]}")
	a=$base.acc
	if [ -n "${S_PID[$a]:-}" ]; then
		q=${EXP[$a]# }
		who="${S_PID[$q]} ${COMM[${S_PID[$q]}]} fd ${S_FD[$q]}"
		[ "$kind" = unix ] || who+=" ($(sx "$a" remote))"
		w+=("  accepted  ${S_PID[$a]} ${COMM[${S_PID[$a]}]} fd ${S_FD[$a]} <- $who")
	else
		w+=("  accepted  none")
	fi
	[ -n "${EXP[$l]}" ] || w+=("  queued    none")
	for q in ${EXP[$l]}; do
		who="${S_PID[$q]} ${COMM[${S_PID[$q]}]} fd ${S_FD[$q]}"
		[ "$kind" = unix ] || who+=" ($(sx "$q" local))"
		w+=("  queued    $who")
	done
	printf '%s\n' "${w[@]}"
}
# blocks_of TEXT : BLOCK[header] = the block (header line first), HEADERS
# (sorted, one per line)
declare -A BLOCK
blocks_of() {
	local line cur=''
	local -a hs=()
	BLOCK=()
	while IFS= read -r line; do
		if [ -z "$line" ]; then cur=; continue; fi
		if [ -z "$cur" ]; then cur=$line; hs+=("$line"); BLOCK[$cur]=$line$NL; continue; fi
		BLOCK[$cur]+=$line$NL
	done <<<"$1"
	sort_words HEADERS "${hs[@]}"
}
LISTENERS=()
for l in "${LABELS[@]}"; do [ "$(sx "$l" state)" = listen ] && LISTENERS+=("$l"); done
[ ${#LISTENERS[@]} = 7 ] || bail_out "sockmaker reported ${#LISTENERS[@]} listeners, not 7"
run listeners
t_is "$RC $ERR" "0 " "listeners: exit 0, nothing on stderr"
blocks_of "$OUT"
for l in "${LISTENERS[@]}"; do
	want=$(lis_expect "$l")
	t_is "${BLOCK[${want%%$NL*}]:-(no block \"${want%%$NL*}\")$NL}" "$want$NL" \
		"listeners: $l (${S_KIND[$l]} ${S_PID[$l]}/${S_FD[$l]}), its accepted and queued clients"
done
for r in ul-srv tcp-srv ul-cli; do
	run listeners "${SK_ROLE[$r]}"
	blocks_of "$OUT"
	w=()
	for l in "${LISTENERS[@]}"; do [ "${S_PID[$l]}" = "${SK_ROLE[$r]}" ] && w+=("$(lis_expect "$l" | head -n1)"); done
	sort_words want "${w[@]}"
	t_is "$RC $HEADERS" "0 $want" "listeners ${SK_ROLE[$r]} ($r): exactly the listeners it holds"
done

# ======================================================================
section "shared-memory"
# ======================================================================
# shm_objects : the memory objects of shmmaker's report: OBJ_KEYS ("kind/id",
# in report order), OBJ_HEAD, OBJ_LINES (sorted), OBJ_PIDS (distinct)
declare -A OBJ_HEAD OBJ_LINES OBJ_NP OBJ_PIDSET
OBJ_KEYS=()
for ((i = 0; i < EP_N; i++)); do
	case ${EP_TAG[i]} in sm | anon) ;; *) continue ;; esac
	k=${EP_KIND[i]}
	case $k/${EP_NAME[i]} in memfd/* | shm/* | anonshm/* | sysv/shm-*) ;; *) continue ;; esac
	o=$k/${EP_ID[i]}
	declare -A x=()
	for kv in ${EP_EXTRA[i]}; do kv=${kv#x_}; x[${kv%%=*}]=${kv#*=}; done
	if [ -z "${OBJ_HEAD[$o]:-}" ]; then
		OBJ_KEYS+=("$o")
		if [ "$k" = sysv ]; then OBJ_HEAD[$o]="sysv shm ${EP_ID[i]} key ${x[key]} size "
		else OBJ_HEAD[$o]="$k ${EP_ID[i]} $(human "${x[path]}") size "; fi
	fi
	# the size: from any endpoint that knows it (System V: the kernel's)
	if [ "$k" = sysv ]; then s=$(awk -v id="${EP_ID[i]}" '$2 == id { print $4 }' /proc/sysvipc/shm)
	else s=${x[size]}; fi
	[ "$s" != - ] && [[ ${OBJ_HEAD[$o]} == *" size " ]] && OBJ_HEAD[$o]+=$s
	m=
	[[ ${EP_NAME[i]} =~ ^[0-9]+$ ]] && [ "${x[mapped]:-}" = yes ] && m=" mapped"
	OBJ_LINES[$o]+="  ${EP_PID[i]} $(human "${EP_COMM[i]}") $(epn "${EP_NAME[i]}") ${EP_ACCESS[i]}$m$NL"
	[[ " ${OBJ_PIDSET[$o]:-} " == *" ${EP_PID[i]} "* ]] || { OBJ_PIDSET[$o]+=" ${EP_PID[i]}"; OBJ_NP[$o]=$(( ${OBJ_NP[$o]:-0} + 1 )); }
	unset x
done
for o in "${OBJ_KEYS[@]}"; do
	[[ ${OBJ_HEAD[$o]} == *" size " ]] && OBJ_HEAD[$o]+=-
	sort_lines "OBJ_LINES[$o]" "${OBJ_LINES[$o]}"
done
[ ${#OBJ_KEYS[@]} = 7 ] || bail_out "shmmaker and chanmaker anonshm reported ${#OBJ_KEYS[@]} memory objects, not 7 (M1 M2 SA SB, a System V segment; shared anonymous memory A and L)"

# sorted_block HEADER : BLOCK[HEADER] with its endpoint lines sorted
sorted_block() {
	local b=${BLOCK[$1]:-} s
	[ -n "$b" ] || { printf '(no block "%s")' "$1"; return; }
	sort_lines s "${b#*$NL}"
	printf '%s\n%s' "$1" "$s"
}
# shm_check DESC ARGS... : run shared-memory ARGS; each object of the
# report that ARGS selects has exactly its block; for a PID, no other block
shm_check() {
	local desc=$1 pid='' all=0 o h nsel=0
	local -a wl=() gl=()
	shift
	[ "${1:-}" = -a ] && all=1
	[ -n "${*: -1}" ] && [[ ${*: -1} =~ ^[0-9]+$ ]] && pid=${*: -1}
	run shared-memory "$@"
	blocks_of "$OUT"
	for o in "${OBJ_KEYS[@]}"; do
		h=${OBJ_HEAD[$o]}
		if { ((all)) || [ "${OBJ_NP[$o]}" -ge 2 ]; } && { [ -z "$pid" ] || [[ " ${OBJ_PIDSET[$o]} " == *" $pid "* ]]; }; then
			wl+=("$h$NL${OBJ_LINES[$o]}")
			nsel=$((nsel + 1))
			gl+=("$(sorted_block "$h")")
		else
			wl+=("(no block for $o)")
			gl+=("$([ -n "${BLOCK[$h]:-}" ] && echo "a block for $o" || echo "(no block for $o)")")
		fi
	done
	# with a PID, its objects only: as many blocks as selected
	[ -n "$pid" ] && wl+=("blocks: $nsel") gl+=("blocks: $(grep -c . <<<"$HEADERS")")
	t_is "$RC$NL$(printf '%s\n' "${gl[@]}")" "0$NL$(printf '%s\n' "${wl[@]}")" "$desc"
}
shm_check "shared-memory: the objects two processes or more reach, with size and every sharer"
shm_check "shared-memory -a: also the objects one process reaches" -a
shm_check "shared-memory -a <mapper>: the four objects it maps" -a "${SMR[mapper]}"
shm_check "shared-memory <holder>: M1 and A, shared with mapper and both" "${SMR[holder]}"
shm_check "shared-memory <shm-a1>: its System V segment" "${SMR[shm-a1]}"
ANON_P=${TAG_ROLE_PID[anon/anonshm-parent]} ANON_C=${TAG_ROLE_PID[anon/anonshm-child]}
shm_check "shared-memory <anonshm parent>: the shared anonymous memory it shares with its child" "$ANON_P"
shm_check "shared-memory -a <anonshm parent>: also the anonymous memory only it maps" -a "$ANON_P"
shm_check "shared-memory -a <anonshm child>: the shared anonymous memory" -a "$ANON_C"
run shared-memory -a "${SMR[mq-a]}"
t_is "$RC [$OUT]" "0 []" "shared-memory -a <mq-a>: a queue is not memory, nothing"
# ======================================================================
section "finding the mount"
# ======================================================================
# reference outputs, through IPCFS_MOUNT
declare -A CMD=([who-talks-to]="$PAIR_A" [ipc-graph-dot]="$FAN_R1 2" [container-graph]="$FAN_R1 2"
	[listeners]="${SK_ROLE[ul-srv]}" [shared-memory]="-a ${SMR[mapper]}")
for s in $SCRIPTS; do
	# shellcheck disable=SC2086
	run "$s" ${CMD[$s]}
	printf '%s\n' "$OUT" "$RC" >"$TESTDIR/ref.$s"
	[ -n "$OUT" ] || t_fail "$s ${CMD[$s]} prints something (the reference for mount discovery)"
	# shellcheck disable=SC2086
	t_errs "$s with IPCFS_MOUNT on a directory that is not ipcfs: says so, exits non-zero" \
		"IPCFS_MOUNT=$TESTDIR is not an ipcfs mount" env IPCFS_MOUNT="$TESTDIR" "$EX/$s" ${CMD[$s]}
done
# copied alone, without ipcfs-mount.sh: IPCFS_MOUNT still works; without it,
# a clear message
mkdir -p "$TESTDIR/solo" "$TESTDIR/bin" "$TESTDIR/m b"
cp "$EX/who-talks-to" "$TESTDIR/solo/"
"$TESTDIR/solo/who-talks-to" "$PAIR_A" >"$TESTDIR/out" 2>&1 9>&-
echo $? >>"$TESTDIR/out"
t_is "$(cat "$TESTDIR/out")" "$(cat "$TESTDIR/ref.who-talks-to")" \
	"who-talks-to copied alone: works with IPCFS_MOUNT"
t_errs "who-talks-to copied alone, no IPCFS_MOUNT: says to set it" \
	"ipcfs-mount.sh is not beside this script: set IPCFS_MOUNT" \
	env -u IPCFS_MOUNT "$TESTDIR/solo/who-talks-to" "$PAIR_A"
ln -s "$EX/who-talks-to" "$TESTDIR/bin/who-talks-to"

# In a private mount namespace (nothing done there is seen outside it):
# every other fuse.ipcfs mount unmounted there, ours bound on a path with a
# space and its own path unmounted, so the first fuse.ipcfs mount is "m b";
# each script run without IPCFS_MOUNT.  Then ours unmounted too: nothing is
# mounted.  Outputs go to files; ns.ok says the namespace was set up.
cat >"$TESTDIR/ns.sh" <<'NS'
set -u
mnt=$1 dir=$2 ex=$3 pair=$4 fan=$5 srv=$6 mapper=$7
# the fuse.ipcfs mount points, decoded
ipcfs_mounts() {
	awk '{ for (i = 7; i <= NF && $i != "-"; i++) ;
	       if ($(i + 1) != "fuse.ipcfs") next
	       s = $5; out = ""
	       while (match(s, /\\[0-7][0-7][0-7]/)) {
		       c = substr(s, RSTART + 1, 3)
		       out = out substr(s, 1, RSTART - 1) sprintf("%c", substr(c, 1, 1) * 64 + substr(c, 2, 1) * 8 + substr(c, 3, 1))
		       s = substr(s, RSTART + RLENGTH)
	       }
	       print out s }' /proc/self/mountinfo
}
ipcfs_mounts | while IFS= read -r m; do [ "$m" = "$mnt" ] || umount -l "$m"; done
mount --bind "$mnt" "$dir/m b" && umount -l "$mnt" || exit 1
awk '{ for (i = 7; i <= NF && $i != "-"; i++) ; if ($(i + 1) == "fuse.ipcfs") print $5 }' \
	/proc/self/mountinfo >"$dir/ns.mounts"
unset IPCFS_MOUNT
go() { local s=$1; shift; "$ex/$s" "$@" >"$dir/disc.$s" 2>&1; echo $? >>"$dir/disc.$s"; }
go who-talks-to "$pair"
go ipc-graph-dot "$fan" 2
go container-graph "$fan" 2
go listeners "$srv"
go shared-memory -a "$mapper"
"$dir/bin/who-talks-to" "$pair" >"$dir/disc.link" 2>&1; echo $? >>"$dir/disc.link"
umount -l "$dir/m b" || exit 1
ipcfs_mounts >"$dir/ns.after"
for s in who-talks-to ipc-graph-dot container-graph listeners shared-memory; do
	if [ "$s" = who-talks-to ]; then set -- "$pair"; else set --; fi
	"$ex/$s" "$@" >"$dir/none.$s.out" 2>"$dir/none.$s.err"
	echo $? >"$dir/none.$s.rc"
done
echo ok >"$dir/ns.ok"
NS
unshare -m --propagation private bash "$TESTDIR/ns.sh" "$MNT" "$TESTDIR" "$EX" "$PAIR_A" "$FAN_R1" \
	"${SK_ROLE[ul-srv]}" "${SMR[mapper]}" 9>&- </dev/null >"$TESTDIR/ns.log" 2>&1
t_is "$(cat "$TESTDIR/ns.ok" 2>&1)|$(cat "$TESTDIR/ns.mounts" 2>&1)|$(cat "$TESTDIR/ns.after" 2>&1)" \
	"ok|$TESTDIR/m\\040b|" \
	"private mount namespace: ours alone, on a path with a space (\\040 in mountinfo), then none" ||
	diag "$(cat "$TESTDIR/ns.log")"
for s in $SCRIPTS; do
	t_is "$(cat "$TESTDIR/disc.$s" 2>&1)" "$(cat "$TESTDIR/ref.$s")" \
		"$s ${CMD[$s]}, no IPCFS_MOUNT: finds the mount in mountinfo (a path with a space), same output"
done
t_is "$(cat "$TESTDIR/disc.link" 2>&1)" "$(cat "$TESTDIR/ref.who-talks-to")" \
	"who-talks-to run through a symlink elsewhere, no IPCFS_MOUNT: finds ipcfs-mount.sh beside its target"
for s in $SCRIPTS; do
	err=$(cat "$TESTDIR/none.$s.err" 2>&1)
	t_is "$(cat "$TESTDIR/none.$s.rc" 2>&1) [$(cat "$TESTDIR/none.$s.out" 2>&1)] $(grep -c . <<<"$err") ${err:0:${#s}+2+${#NOT_MOUNTED}}" \
		"1 [] 1 $s: $NOT_MOUNTED" "$s, nothing mounted, no IPCFS_MOUNT: says so in one line on stderr, exit 1"
done

# ======================================================================
section "a TCP listener with an accepted and a queued client"
# ======================================================================
# This shell connects to t4.lis, which never accepts it.  A second mount
# with a short ttl, polled until it shows the connection (bounded: the ttl
# is the only signal there is).  The scripts run with fd 9 closed: this
# shell alone holds the client.
ipcfs_mount "$E2E_TTL"
IPCFS_MOUNT=$MNT
port=$(sx t4.lis local)
exec 9<>"/dev/tcp/127.0.0.1/${port##*:}"
ino=$(readlink "/proc/$$/fd/9"); ino=${ino#socket:[}; ino=${ino%]}
cport=$(awk -v ino="$ino" '$10 == ino { split($2, a, ":"); print a[2] }' /proc/net/tcp)
slurp mycomm "/proc/$$/comm"
poll_until 5 test -e "$MNT/$$/tcp4/9/info" || diag "$MNT/$$/tcp4/9 did not appear within 5 s"
wb=$(lis_expect t4.lis)
wb=${wb/"  queued    none"/"  queued    $$ ${mycomm%$NL} fd 9 (127.0.0.1:$((16#${cport:-0})))"}
run listeners "${SK_ROLE[tcp-srv]}"
blocks_of "$OUT"
t_is "${BLOCK[${wb%%$NL*}]:-(no block \"${wb%%$NL*}\")$NL}" "$wb$NL" \
	"listeners: t4.lis with its accepted client and this shell's connection, queued"
# the client closes; its connection stays in the accept queue, held by no
# process: the kernel's count says it
exec 9>&-
poll_until 5 eval '! test -e "$MNT/$$/tcp4/9"' || diag "$MNT/$$/tcp4/9 still there after 5 s"
wb=${wb%%"  queued    "*}"  queued    1 not seen here (the kernel counts 1)"
run listeners "${SK_ROLE[tcp-srv]}"
blocks_of "$OUT"
t_is "${BLOCK[${wb%%$NL*}]:-(no block \"${wb%%$NL*}\")$NL}" "$wb$NL" \
	"listeners: t4.lis once the queued client closed: 1 queued, not seen here"

# ======================================================================
section "watch-ipc"
# ======================================================================
# On the mount above (a short ttl): two chanmaker processes with a pipe, a
# socketpair and an eventfd each, in two cgroups made for the test where
# a cgroup2 hierarchy is writable; watchers with each filter started, then
# the processes end: each watcher prints exactly the '-' lines its filters
# let through.  Expectations from chanmaker's report and /proc/<pid>/cgroup.
run watch-ipc --help
t_is "$RC ${OUT:0:7}$ERR" "0 usage: " "watch-ipc --help: usage on stdout, exit 0"
for args in "-p x" "-k nosuch" "-c relative" "-c /a -c /b" "extra"; do
	# shellcheck disable=SC2086
	run watch-ipc $args
	t_is "$RC $([ -n "$ERR" ] && echo said)" "2 said" "watch-ipc $args: exit 2 with a message"
done
t_errs "watch-ipc with IPCFS_MOUNT on a directory that is not ipcfs: says so, exits non-zero" \
	"IPCFS_MOUNT=$TESTDIR is not an ipcfs mount" env IPCFS_MOUNT="$TESTDIR" "$EX/watch-ipc"

CG2=$(awk '$3 == "cgroup2" { print $2; exit }' /proc/self/mounts)
CG_DIR=$CG2/ipcfs-e2e-$$
if [ -n "$CG2" ] && mkdir "$CG_DIR" 2>/dev/null && mkdir "$CG_DIR/a" "$CG_DIR/b"; then
	for c in a b; do
		printf '#!/bin/sh\necho $$ >"%s/cgroup.procs" || exit 1\nexec "%s" "$@"\n' \
			"$CG_DIR/$c" "$CHANMAKER" >"$TESTDIR/cg-$c"
		chmod 755 "$TESTDIR/cg-$c"
	done
	CHANMAKER=$TESTDIR/cg-a cm_start wa mixed
	CHANMAKER=$TESTDIR/cg-b cm_start wb mixed
else
	diag "no writable cgroup2 hierarchy: -c is checked only against a cgroup nothing is in"
	CG_DIR=
	cm_start wa mixed
	cm_start wb mixed
fi
cm_load
WA=${TAG_PIDS[wa]} WB=${TAG_PIDS[wb]}
# The watchers' stream starts from the snapshot current when the first
# opens: one that already holds both processes (a process that comes and
# goes between two snapshots is never seen).
both_listed() {
	local t
	slurp t "$MNT/channels"
	[[ $t == *"$NL"*"$TAB$WA$TAB"* && $t == *"$NL"*"$TAB$WB$TAB"* ]]
}
poll_until 10 both_listed || diag "MNT/channels did not list both processes within 10 s"
cgroup_of() { awk '/^0::/ { print substr($0, 4) }' "/proc/$1/cgroup"; }
CGA=$(cgroup_of "$WA")
declare -A WATCH
# watch NAME ARGS... : watch-ipc ARGS in the background, into watch.NAME
watch() {
	local n=$1; shift
	"$EX/watch-ipc" "$@" >"$TESTDIR/watch.$n" 2>&1 9>&- &
	WATCH[$n]=$!
	_e2e_pids+=("$!")
}
watch p -p "$WA"
watch k -k eventfd
watch pk -p "$WA" -p "$WB" -k unix
watch none -c "/ipcfs-e2e-no-such-cgroup-$$"
if [ -n "$CG_DIR" ]; then
	t_is "$CGA $(cgroup_of "$WB")" "${CGA%/a}/a ${CGA%/a}/b" "the processes are in cgroups a and b of the test's"
	watch ca -c "$CGA"
	watch cp -c "${CGA%/a}/"
fi
# readiness: each watcher has the stream open (it runs awk on it)
for n in "${!WATCH[@]}"; do
	poll_until 10 eval '[ "$(readlink "/proc/${WATCH[$n]}/fd/0")" = "$MNT/events" ]' ||
		diag "watch-ipc ($n) did not open MNT/events in 10 s"
done
cm_stop wa
cm_stop wb
# the '-' lines of the five endpoints (fds 3 to 7) of PIDS in watch.NAME,
# as "PID NAME", sorted
gone_in() {
	awk -F'\t' -v pids=" $2 " '$2 == "-" && index(pids, " " $4 " ") && $6 ~ /^[3-7]$/ { print $4, $6 }' \
		"$TESTDIR/watch.$1" | sort -u
}
gone_want() { local p n; for p in "$@"; do for n in 3 4 5 6 7; do echo "$p $n"; done; done | sort; }
poll_until 10 eval '[ "$(gone_in k "$WA $WB" | wc -l)" -ge 2 ] && [ "$(gone_in p "$WA" | wc -l)" -ge 5 ]' ||
	diag "watch-ipc did not see the processes end within 10 s"
if [ -n "$CG_DIR" ]; then
	poll_until 10 eval '[ "$(gone_in cp "$WA $WB" | wc -l)" -ge 10 ]' || diag "watch-ipc -c did not see both processes end within 10 s"
fi
poll_until 10 eval '[ "$(gone_in pk "$WA $WB" | wc -l)" -ge 4 ]' || diag "watch-ipc -p -p -k did not see both processes end within 10 s"
# every line but "lost N" as "PID KIND", sorted, once each
pid_kinds() { awk -F'\t' '!/^lost [0-9]+$/ { print $4, $3 }' "$TESTDIR/watch.$1" | sort -u; }
t_is "$(gone_in p "$WA")" "$(gone_want "$WA")" "watch-ipc -p $WA: each endpoint of the process vanishing"
t_is "$(pid_kinds p)" "$(printf '%s\n' "$WA eventfd" "$WA pipes" "$WA unix" | sort)" \
	"watch-ipc -p $WA: nothing of other processes"
t_is "$(awk -F'\t' '!/^lost / && $3 != "eventfd"' "$TESTDIR/watch.k" | head -3)" "" \
	"watch-ipc -k eventfd: eventfd lines only"
t_is "$(gone_in k "$WA $WB")" "$WA 7$NL$WB 7" "watch-ipc -k eventfd: both processes' eventfd vanishing"
t_is "$(pid_kinds pk)" "$WA unix$NL$WB unix" "watch-ipc -p $WA -p $WB -k unix: those processes' unix lines only"
t_is "$(gone_in pk "$WA $WB")" "$WA 5$NL$WA 6$NL$WB 5$NL$WB 6" \
	"watch-ipc -p $WA -p $WB -k unix: both socketpairs vanishing"
t_is "$(gone_in none "$WA $WB")" "" "watch-ipc -c with a cgroup nothing is in: none of their lines"
if [ -n "$CG_DIR" ]; then
	t_is "$(gone_in ca "$WA $WB")" "$(gone_want "$WA")" "watch-ipc -c $CGA: the process in it, not the other"
	t_is "$(pid_kinds ca | cut -d' ' -f1 | sort -u)" "$WA" "watch-ipc -c $CGA: no other process (the host's neither)"
	t_is "$(gone_in cp "$WA $WB")" "$(gone_want "$WA" "$WB")" \
		"watch-ipc -c ${CGA%/a}/: both processes, in cgroups below it"
	t_is "$(pid_kinds cp | cut -d' ' -f1 | sort -u)" "$(printf '%s\n' "$WA" "$WB" | sort)" \
		"watch-ipc -c ${CGA%/a}/: no other process"
	# A reused pid: a process in cgroup b given WA's pid through
	# ns_last_pid (a few tries: another process may take the pid first).
	# -c a remembers a for WA's lines, and must not print the new
	# process's.  Its '+' lines reach cp and ca at once; ca is checked
	# once cp has them.
	came_in() { awk -F'\t' -v p="$2" '$2 == "+" && $4 == p { print $4, $6 }' "$TESTDIR/watch.$1" | sort -u; }
	for try in 1 2 3 4 5; do
		{ echo $((WA - 1)) >/proc/sys/kernel/ns_last_pid; } 2>/dev/null || break
		unset 'TAG_PIDS[wr]'
		CHANMAKER=$TESTDIR/cg-b cm_start wr mixed
		[ "$CM_PID" = "$WA" ] && break
		cm_stop wr
	done
	if [ "${TAG_PIDS[wr]%% *}" = "$WA" ]; then
		poll_until 10 eval '[ "$(came_in cp "$WA" | wc -l)" -ge 5 ]' ||
			diag "watch-ipc -c did not see the process given pid $WA within 10 s"
		t_is "$(came_in cp "$WA")" "$(gone_want "$WA")" \
			"watch-ipc -c ${CGA%/a}/: a new process in cgroup b given pid $WA appearing"
		t_is "$(came_in ca "$WA")" "" "watch-ipc -c $CGA: not the new process given pid $WA"
		cm_stop wr
	else
		diag "no process could be given pid $WA (ns_last_pid): pid reuse not checked"
	fi
	unset 'TAG_PIDS[wr]'
	rmdir "$CG_DIR/a" "$CG_DIR/b" "$CG_DIR" || diag "could not remove $CG_DIR"
	CG_DIR=
fi
for n in "${!WATCH[@]}"; do
	stop_pid "${WATCH[$n]}"
	_untrack "${WATCH[$n]}"
done

t_done
