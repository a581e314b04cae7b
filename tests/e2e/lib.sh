# tests/e2e/lib.sh — shared helpers for the ipcfs end-to-end tests.
#
# Source it from a bash test script (tests/e2e/test_*.sh):
#
#   . "$(dirname "$0")/lib.sh"
#   e2e_init                     # temp dir, traps, skip if no /dev/fuse
#   cm_start fan fanout          # real processes with real channels
#   cm_load                      # expected endpoints and peers -> arrays
#   ipcfs_mount 0.3              # sets MNT (and IPCFS_PID)
#   t_is "$(readlink "$MNT/self")" ... "description"
#   ...
#   t_done                       # unmounts, prints 1..N, exit status
#
# Environment: IPCFS (default <repo>/build/ipcfs), CHANMAKER (default
# <repo>/build/tests/chanmaker), E2E_TTL (the ttl tests mount with unless
# they choose; default 0.3), E2E_KEEP=1 keeps the temp dir (it is also kept
# when a test failed).
#
# Output is TAP: "ok N - desc" / "not ok N - desc" followed by "# expected
# ... got ..." diagnostics, and "1..N" at the end.  The exit status is
# non-zero if any test failed; 77 (skip) only when /dev/fuse is absent.
#
# Only processes this library started (chanmaker scenarios and the children
# they report, the ipcfs daemons) are ever signalled, and only by pid.
#
# Starting a process costs ~10 ms on the test VMs, so the helpers use bash
# builtins wherever they can (slurp instead of cat, arrays instead of awk).

export LC_ALL=C
E2E_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
E2E_REPO=${E2E_DIR%/tests/e2e}
IPCFS=${IPCFS:-$E2E_REPO/build/ipcfs}
CHANMAKER=${CHANMAKER:-$E2E_REPO/build/tests/chanmaker}
E2E_TTL=${E2E_TTL:-0.3}
case $IPCFS in /*) ;; *) IPCFS=$PWD/$IPCFS ;; esac
case $CHANMAKER in /*) ;; *) CHANMAKER=$PWD/$CHANMAKER ;; esac
TAB=$'\t'
NL=$'\n'
# The files every MNT/<pid>/ has, as ls sorts them.
PROC_FILES="cgroup channels channels.json comm"

_t_n=0
_t_failed=0
_e2e_pids=()      # processes to end at exit (scenario parents)
_e2e_mounts=()    # mount points to unmount at exit
_e2e_daemons=()   # ipcfs daemon pids, parallel to _e2e_mounts
_e2e_done=0
_e2e_t0=$EPOCHREALTIME

# ---- TAP -------------------------------------------------------------

# diag TEXT... : "# " before every line of every argument
diag() {
	local a line
	for a in "$@"; do
		while IFS= read -r line; do printf '# %s\n' "$line"; done <<<"$a"
	done
}

# section NAME : a diagnostic line with the time since the start
section() {
	local us=$(( ${EPOCHREALTIME/./} - ${_e2e_t0/./} ))
	printf '# --- %s (%d.%03d s)\n' "$1" $((us / 1000000)) $((us / 1000 % 1000))
}

_t_line() {
	local d=${2//$'\n'/ }
	_t_n=$((_t_n + 1))
	printf '%s %d - %s\n' "$1" "$_t_n" "${d//#/\\#}"
}

t_pass() { _t_line ok "$1"; }

# t_fail DESC [DIAG...]
t_fail() {
	_t_failed=$((_t_failed + 1))
	_t_line "not ok" "$1"
	shift
	[ $# -gt 0 ] && diag "$@"
	return 0
}

_indent() { local l; while IFS= read -r l; do printf '  %s\n' "$l"; done <<<"$1"; }

# t_ok DESC CMD... : passes when CMD exits 0
t_ok() {
	local desc=$1 out rc; shift
	out=$("$@" 2>&1); rc=$?
	if [ $rc -eq 0 ]; then t_pass "$desc"
	else t_fail "$desc" "expected success of: $*" "got exit $rc: $out"; fi
}

# t_is GOT EXPECTED DESC : string equality (multi-line values welcome)
t_is() {
	if [ "$1" == "$2" ]; then t_pass "$3"; return 0; fi
	t_fail "$3" "expected:" "$(_indent "$2")" "got:" "$(_indent "$1")"
	return 1
}

# t_has GOT SUBSTRING DESC
t_has() {
	if [[ $1 == *"$2"* ]]; then t_pass "$3"; return 0; fi
	t_fail "$3" "expected to contain: $2" "got:" "$(_indent "$1")"
	return 1
}

# t_errs DESC MESSAGE CMD... : CMD must fail and say MESSAGE on stderr
t_errs() {
	local desc=$1 msg=$2 out rc; shift 2
	out=$("$@" 2>&1 >/dev/null); rc=$?
	if [ $rc -ne 0 ] && [[ $out == *"$msg"* ]]; then t_pass "$desc"; return 0; fi
	t_fail "$desc" "expected: $* to fail with \"$msg\"" "got: exit $rc, stderr: $out"
	return 1
}

bail_out() {
	local m=${*//$'\n'/ }
	printf 'Bail out! %s\n' "$m"
	exit 1
}

# t_done : unmount everything (testing that the daemons exit cleanly), print
# the plan, exit 0 if every test passed.
t_done() {
	section "unmount"
	ipcfs_unmount_all
	_e2e_done=1
	printf '1..%d\n' "$_t_n"
	[ "$_t_failed" -eq 0 ] || diag "$_t_failed of $_t_n tests failed"
	section "done"
	[ "$_t_failed" -eq 0 ]
	exit $?
}

# ---- small builtins-only helpers ----------------------------------------

# slurp VAR FILE : the whole file into VAR (no process started); false when
# FILE cannot be opened (VAR is then empty)
slurp() {
	local -n _sl_out=$1
	_sl_out=$'\001'
	{ IFS= read -r -d '' _sl_out; } 2>/dev/null <"$2"
	if [ "$_sl_out" = $'\001' ]; then _sl_out=; return 1; fi
	return 0
}

# sort_words VAR WORD... : VAR = the words sorted (byte order), one per line
sort_words() {
	local -n _sw_out=$1; shift
	local -a _sw_a=()
	local _sw_w _sw_i _sw_s=
	for _sw_w in "$@"; do
		_sw_i=${#_sw_a[@]}
		while ((_sw_i > 0)) && [[ ${_sw_a[_sw_i - 1]} > $_sw_w ]]; do
			_sw_a[_sw_i]=${_sw_a[_sw_i - 1]}
			((_sw_i--))
		done
		_sw_a[_sw_i]=$_sw_w
	done
	for _sw_w in "${_sw_a[@]}"; do _sw_s+=$_sw_w$NL; done
	_sw_out=${_sw_s%$NL}
}

# norm_list VAR LIST : split LIST on spaces and commas, drop "-", sort,
# join with ","; an empty list gives "-"
norm_list() {
	local -n _nl_out=$1
	local _nl_w _nl_s
	local -a _nl_a=()
	for _nl_w in ${2//,/ }; do [ "$_nl_w" = - ] || _nl_a+=("$_nl_w"); done
	sort_words _nl_s "${_nl_a[@]}"
	_nl_s=${_nl_s//$NL/,}
	_nl_out=${_nl_s:--}
}

# info_parse TEXT : "key: value" lines into INFO[key] (first value) and
# INFO_N[key] (how many lines); INFO_BAD counts lines not "key: value"
declare -A INFO INFO_N
info_parse() {
	local line k
	INFO=() INFO_N=() INFO_BAD=0
	while IFS= read -r line; do
		if [[ $line =~ ^([a-z_][a-z0-9_]*):\ (.*)$ ]]; then
			k=${BASH_REMATCH[1]}
			[ -n "${INFO_N[$k]:-}" ] || INFO[$k]=${BASH_REMATCH[2]}
			INFO_N[$k]=$(( ${INFO_N[$k]:-0} + 1 ))
		else
			INFO_BAD=$((INFO_BAD + 1))
		fi
	done <<<"${1%$NL}"
}

# info_get FILE KEY : print one key's value (for use in $(...))
info_get() {
	local t
	slurp t "$1" || { echo "(cannot read $1)"; return 1; }
	info_parse "$t"
	printf '%s' "${INFO[$2]:-}"
}

# esc_info S : chanmaker's escaping (that of the channels table) turned into
# that of info values, where a space is written as itself
esc_info() { printf '%s' "${1//\\040/ }"; }

# poll_until SECONDS CMD... : run CMD until it succeeds or the deadline
# passes (bounded readiness polling, never synchronisation by sleeping)
poll_until() {
	local secs=$1 int frac end; shift
	int=${secs%%.*} frac=${secs#"$int"}; frac=${frac#.}000000
	end=$(( ${EPOCHREALTIME/./} + 10#${int:-0} * 1000000 + 10#${frac:0:6} ))
	while :; do
		"$@" && return 0
		[ "${EPOCHREALTIME/./}" -ge "$end" ] && return 1
		sleep 0.05
	done
}

# as_user UID CMD... : run CMD as that user and group, no supplementary
# groups
as_user() { local u=$1; shift; setpriv --reuid="$u" --regid="$u" --clear-groups "$@"; }

# ---- process bookkeeping ----------------------------------------------

# _dead PID : true when PID is gone or a zombie
_dead() {
	local st
	slurp st "/proc/$1/stat" || return 0
	st=${st##*) }
	st=${st%% *}
	[ -z "$st" ] || [ "$st" = Z ] || [ "$st" = X ]
}

# wait_dead PID [SECONDS] : wait (bounded) until PID is gone or a zombie and
# reap it if it is our child.  False if still alive at the deadline.
wait_dead() {
	local pid=$1 tries=$(( ${2:-5} * 20 ))
	while ! _dead "$pid"; do
		tries=$((tries - 1))
		[ $tries -le 0 ] && return 1
		sleep 0.05
	done
	wait "$pid" 2>/dev/null
	return 0
}

# stop_pid PID : SIGTERM, wait, SIGKILL if needed.  Only for pids we started.
stop_pid() {
	local pid=$1
	kill -TERM "$pid" 2>/dev/null || { wait "$pid" 2>/dev/null; return 0; }
	wait_dead "$pid" 5 && return 0
	kill -KILL "$pid" 2>/dev/null
	wait_dead "$pid" 5
}

_untrack() {
	local p keep=()
	for p in "${_e2e_pids[@]}"; do [ "$p" = "$1" ] || keep+=("$p"); done
	_e2e_pids=("${keep[@]}")
}

_e2e_cleanup() {
	local p
	trap - EXIT INT TERM HUP
	for p in "${_e2e_pids[@]}"; do stop_pid "$p"; done
	_e2e_pids=()
	cg_remove_all
	ipcfs_unmount_all quiet
	if [ -n "${TESTDIR:-}" ] && [ -d "$TESTDIR" ]; then
		if awk -v d="$TESTDIR/" 'index($5, d) == 1 { f = 1 } END { exit !f }' /proc/self/mountinfo; then
			echo "# leaving $TESTDIR: something is still mounted in it"
		elif [ "${E2E_KEEP:-0}" = 1 ] || [ "$_t_failed" -ne 0 ] || [ "$_e2e_done" = 0 ]; then
			echo "# test files kept in $TESTDIR"
		else
			rm -rf "$TESTDIR"
		fi
	fi
	if [ "$_e2e_done" = 0 ]; then
		printf '1..%d\n' "$_t_n"
		diag "the test script ended before t_done"
		exit 1
	fi
}

# e2e_init : checks, temp dir (world-traversable so that other users reach
# the mount), traps.
e2e_init() {
	if [ ! -c /dev/fuse ]; then
		echo "1..0 # SKIP /dev/fuse is absent: cannot mount FUSE filesystems"
		exit 77
	fi
	[ "$(id -u)" = 0 ] || bail_out "the e2e tests run as root (they mount with allow_other and switch users)"
	[ -x "$IPCFS" ] || bail_out "no ipcfs binary at $IPCFS (build it, or set IPCFS)"
	[ -x "$CHANMAKER" ] || bail_out "no chanmaker binary at $CHANMAKER (build it, or set CHANMAKER)"
	command -v fusermount3 >/dev/null || bail_out "fusermount3 not found"
	setpriv --pdeathsig TERM true 2>/dev/null || bail_out "setpriv --pdeathsig not supported (util-linux >= 2.33 needed)"
	TESTDIR=$(mktemp -d /tmp/ipcfs-e2e.XXXXXX) || bail_out "mktemp failed"
	chmod 755 "$TESTDIR"
	: >"$TESTDIR/endpoints"
	trap _e2e_cleanup EXIT
	trap 'exit 130' INT
	trap 'exit 143' TERM
	trap 'exit 129' HUP
}

# ---- mounting ------------------------------------------------------------

# _mounted DIR : DIR is a mount point (from mountinfo: never stats DIR, so a
# hung FUSE mount cannot block the check)
_mounted() { awk -v m="$1" '$5 == m { f = 1 } END { exit !f }' /proc/self/mountinfo; }

# ipcfs_mount TTL [OPTIONS...] : mount ipcfs in the foreground (-f, so its
# pid is ours) on a new directory under TESTDIR; wait until it answers.
# Sets MNT and IPCFS_PID; earlier mounts stay mounted until t_done.
ipcfs_mount() {
	local ttl=${1:-$E2E_TTL} n=${#_e2e_mounts[@]} tries; shift
	MNT=$TESTDIR/mnt$n
	mkdir "$MNT" && chmod 755 "$MNT"
	# -f keeps the pid ours; the parent-death signal unmounts even if this
	# shell is SIGKILLed (a timeout): ipcfs ends its session on SIGTERM
	setpriv --pdeathsig TERM "$IPCFS" -f -o "ttl=$ttl" "$@" "$MNT" \
		</dev/null >"$TESTDIR/ipcfs$n.log" 2>&1 &
	IPCFS_PID=$!
	_e2e_mounts+=("$MNT")
	_e2e_daemons+=("$IPCFS_PID")
	# readiness: the mount is there and answers (bounded, 10 s)
	for ((tries = 200; tries > 0; tries--)); do
		if _dead "$IPCFS_PID"; then
			wait "$IPCFS_PID"
			bail_out "ipcfs exited at start (status $?): $(cat "$TESTDIR/ipcfs$n.log")"
		fi
		if _mounted "$MNT" && timeout 2 stat "$MNT/self" >/dev/null 2>&1; then
			return 0
		fi
		sleep 0.05
	done
	bail_out "ipcfs did not become ready on $MNT within 10 s: $(cat "$TESTDIR/ipcfs$n.log")"
}

# _umount_one INDEX [quiet] : fusermount3 -u (umount -l as the fallback),
# then the daemon must exit; unless quiet, these are tests.
_umount_one() {
	local i=$1 quiet=${2:-} mnt=${_e2e_mounts[$1]} pid=${_e2e_daemons[$1]} rc out
	[ -n "$mnt" ] || return 0
	if [ -z "$quiet" ]; then
		if _dead "$pid"; then
			t_fail "ipcfs on $mnt still running at the end" \
				"log: $(cat "$TESTDIR/ipcfs$i.log" 2>/dev/null)"
		else
			t_pass "ipcfs on $mnt still running at the end"
		fi
	fi
	out=$(timeout 10 fusermount3 -u "$mnt" 2>&1); rc=$?
	_mounted "$mnt" && umount -l "$mnt" 2>/dev/null
	if [ -z "$quiet" ]; then
		if [ $rc -eq 0 ]; then t_pass "fusermount3 -u $mnt"
		else t_fail "fusermount3 -u $mnt" "got exit $rc: $out"; fi
	fi
	if wait_dead "$pid" 5; then
		wait "$pid" 2>/dev/null; rc=$?
		[ -z "$quiet" ] && t_is "$rc" 0 "ipcfs exits with status 0 after unmount"
	else
		[ -z "$quiet" ] && t_fail "ipcfs exits with status 0 after unmount" \
			"still running 5 s after unmount; killing pid $pid"
		kill -TERM "$pid" 2>/dev/null
		wait_dead "$pid" 2 || { kill -KILL "$pid" 2>/dev/null; wait_dead "$pid" 2; }
	fi
	if [ -z "$quiet" ] && [ -s "$TESTDIR/ipcfs$i.log" ]; then
		diag "ipcfs log ($mnt):" "$(head -c 2000 "$TESTDIR/ipcfs$i.log")"
	fi
	rmdir "$mnt" 2>/dev/null
	_e2e_mounts[i]=
	_e2e_daemons[i]=
}

ipcfs_unmount_all() {
	local i
	for ((i = ${#_e2e_mounts[@]} - 1; i >= 0; i--)); do _umount_one "$i" "$@"; done
}

# ---- cgroups ---------------------------------------------------------------
#
# cg_new NAME : a new cgroup NAME below the root of the cgroup v2 hierarchy
# (its mount found in mountinfo, else one mounted for the test).  Sets
# CG_DIR (its directory) and CG_PATH (its path as /proc/<pid>/cgroup shows
# it).  lib.sh's cleanup moves what is still in it to the root and removes
# it.  cg_move PID DIR : puts process PID into cgroup DIR.

_e2e_cgroups=()
CG_ROOT= CG_OWN_MOUNT=

cg_new() {
	local root
	if [ -z "$CG_ROOT" ]; then
		# " - cgroup2 " ends the optional fields; $4 is the mount's root
		read -r CG_ROOT CG_MNT_ROOT < <(awk '{ for (i = 7; i < NF; i++) if ($i == "-") {
			if ($(i + 1) == "cgroup2") { print $5, $4; exit } break } }' /proc/self/mountinfo)
		if [ -z "$CG_ROOT" ]; then
			# No cgroup v2 mount here (a chroot, a hybrid host): mount
			# the hierarchy privately for the test, as it is seen
			# from this cgroup namespace; cg_remove_all unmounts it.
			CG_OWN_MOUNT=$TESTDIR/cgroup2
			mkdir -p "$CG_OWN_MOUNT" && mount -t cgroup2 none "$CG_OWN_MOUNT" ||
				bail_out "no cgroup v2 hierarchy mounted, and mounting one failed"
			CG_ROOT=$CG_OWN_MOUNT CG_MNT_ROOT=/
		fi
	fi
	CG_DIR=$CG_ROOT/$1
	mkdir "$CG_DIR" || bail_out "cannot make cgroup $CG_DIR"
	_e2e_cgroups+=("$CG_DIR")
	root=${CG_MNT_ROOT%/}
	CG_PATH=$root/$1
}

cg_move() { echo "$1" >"$2/cgroup.procs"; }

cg_remove_all() {
	local d p i
	for d in "${_e2e_cgroups[@]}"; do
		for ((i = 0; i < 50; i++)); do
			while read -r p; do echo "$p" >"$CG_ROOT/cgroup.procs" 2>/dev/null; done <"$d/cgroup.procs"
			rmdir "$d" 2>/dev/null && break
			sleep 0.1	# a process still exiting
		done
		[ -d "$d" ] && echo "# could not remove cgroup $d"
	done
	_e2e_cgroups=()
	if [ -n "$CG_OWN_MOUNT" ]; then
		umount "$CG_OWN_MOUNT" || umount -l "$CG_OWN_MOUNT"
		CG_OWN_MOUNT= CG_ROOT=
	fi
}

# ---- shmmaker -------------------------------------------------------------

# A test that runs shmmaker (CHANMAKER=$SHMMAKER cm_start) sets SM_RUNNING=1
# before and SM_PID after; shmmaker_stop, at its exit, ends shmmaker (which
# removes its objects), then whatever a killed run may have left (see
# shmmaker.c).
SM_RUNNING=0 SM_PID=
shmmaker_stop() {
	if [ "$SM_RUNNING" = 1 ]; then
		# (cm_start sets CM_PID before it reads the report)
		[ -n "$SM_PID" ] || SM_PID=${CM_PID:-}
		[ -n "$SM_PID" ] && stop_pid "$SM_PID"
		SM_RUNNING=0
	fi
	[ -n "$SM_PID" ] && "$SHMMAKER" cleanup "$SM_PID" >/dev/null 2>&1
}

# ---- sockmaker and fieldmaker ----------------------------------------------

# report_start NAME CMD [ARGS...] : runs CMD ARGS and reads its report to EOF
# (EOF = everything is made) into $TESTDIR/NAME.out, which must end with
# "ready".  Sets REPORT_PID; lib.sh's cleanup ends it (and so its
# children).
report_start() {
	local name=$1 fd line rc
	shift
	exec {fd}< <(exec "$@")
	REPORT_PID=$!
	_e2e_pids+=("$REPORT_PID")
	: >"$TESTDIR/$name.out"
	while :; do
		IFS= read -r -t 10 -u "$fd" line; rc=$?
		[ $rc -eq 0 ] || break
		printf '%s\n' "$line" >>"$TESTDIR/$name.out"
	done
	exec {fd}<&-
	[ $rc -eq 1 ] || bail_out "$name: no EOF within 10 s"
	[ "$(tail -n1 "$TESTDIR/$name.out")" = ready ] ||
		bail_out "$name did not get ready: $(tr '\n' ' ' <"$TESTDIR/$name.out")"
}

# sockmaker_start DIR [ARGS...] : $SOCKMAKER DIR ARGS, its report in
# $TESTDIR/sockmaker.out, SOCKMAKER_PID (see report_start).
sockmaker_start() {
	report_start sockmaker "$SOCKMAKER" "$@"
	# shellcheck disable=SC2034  # for the caller
	SOCKMAKER_PID=$REPORT_PID
}

# fieldmaker_start ARGS... : tests/e2e/fieldmaker.py ARGS, its report in
# $TESTDIR/fieldmaker.out (see report_start); FM_PID[role] the pid of each
# of its processes.
declare -A FM_PID
fieldmaker_start() {
	local line
	report_start fieldmaker python3 "$E2E_DIR/fieldmaker.py" "$@"
	while IFS= read -r line; do
		[[ $line =~ ^\{\"role\":\ \"([a-z]+)\",\ \"pid\":\ ([0-9]+) ]] &&
			FM_PID[${BASH_REMATCH[1]}]=${BASH_REMATCH[2]}
	done <"$TESTDIR/fieldmaker.out"
}

# ---- chanmaker scenarios -----------------------------------------------
#
# cm_start TAG SCENARIO [ARGS...]        as root
# cm_start_as UID TAG SCENARIO [ARGS...] as another user (setpriv)
#
# Runs chanmaker and reads its report to EOF (EOF = every process of the
# scenario is set up).  Keeps the report in $TESTDIR/cm.TAG, appends its
# endpoints, prefixed by TAG, to $TESTDIR/endpoints, and fills
#   PROC_ROLE[pid] PROC_COMM[pid] (escaped) PROC_TAG[pid]
#   TAG_PIDS[tag] (parent first)  TAG_ROLE_PID[tag/role]
# Sets CM_PID to the scenario's parent.  Call cm_load afterwards.

declare -A PROC_ROLE PROC_COMM PROC_TAG TAG_PIDS TAG_ROLE_PID

cm_start() { _cm_start "" "$@"; }

cm_start_as() {
	local uid=$1; shift
	# a copy the user can read and run (readable keeps the process
	# dumpable, so its /proc/<pid>/fd belongs to the user)
	if [ ! -x "$TESTDIR/bin/chanmaker" ]; then
		mkdir -p "$TESTDIR/bin" && chmod 755 "$TESTDIR/bin"
		cp "$CHANMAKER" "$TESTDIR/bin/chanmaker" && chmod 755 "$TESTDIR/bin/chanmaker"
	fi
	_cm_start "$uid" "$@"
}

_cm_start() {
	local uid=$1 tag=$2 fd line rc report='' last='' eps=''; shift 2
	if [ -n "$uid" ]; then
		exec {fd}< <(exec setpriv --reuid="$uid" --regid="$uid" --clear-groups \
			"$TESTDIR/bin/chanmaker" "$@")
	else
		exec {fd}< <(exec "$CHANMAKER" "$@")
	fi
	CM_PID=$!
	_e2e_pids+=("$CM_PID")
	while :; do
		IFS= read -r -t 10 -u "$fd" line; rc=$?
		[ $rc -eq 0 ] || break
		report+=$line$NL
		last=$line
		if [[ $line =~ ^proc\ pid=([0-9]+)\ role=([^ ]+)\ comm=(.*)$ ]]; then
			PROC_ROLE[${BASH_REMATCH[1]}]=${BASH_REMATCH[2]}
			PROC_COMM[${BASH_REMATCH[1]}]=${BASH_REMATCH[3]}
			PROC_TAG[${BASH_REMATCH[1]}]=$tag
			TAG_ROLE_PID[$tag/${BASH_REMATCH[2]}]=${BASH_REMATCH[1]}
			TAG_PIDS[$tag]+="${BASH_REMATCH[1]} "
		elif [[ $line == ep\ * ]]; then
			eps+="$tag ${line#ep }$NL"
		fi
	done
	exec {fd}<&-
	printf '%s' "$report" >"$TESTDIR/cm.$tag"
	[ $rc -eq 1 ] || bail_out "chanmaker $* (tag $tag): no EOF within 10 s"
	[ "$last" = ready ] || bail_out "chanmaker $* (tag $tag) did not get ready: $report"
	[ "${PROC_TAG[$CM_PID]:-}" = "$tag" ] || bail_out "chanmaker $* (tag $tag): pid $CM_PID not in its report"
	# the parent first
	local p others=
	for p in ${TAG_PIDS[$tag]}; do [ "$p" = "$CM_PID" ] || others+=" $p"; done
	TAG_PIDS[$tag]="$CM_PID$others"
	printf '%s' "$eps" >>"$TESTDIR/endpoints"
}

# cm_stop TAG : end a scenario (its parent kills and reaps the children)
cm_stop() {
	local pid=${TAG_PIDS[$1]%% *}
	stop_pid "$pid"
	_untrack "$pid"
}

# cm_load : compute $TESTDIR/expected.tsv from $TESTDIR/endpoints and load
# it into arrays, index 0..EP_N-1:
#   EP_TAG EP_KIND EP_PID EP_NAME EP_FD EP_ACCESS EP_ID EP_OBJ EP_COMM
#   EP_PEERS EP_EXTRA
# and PROC_KINDS[pid] (sorted, one per line), EP_NAMES[pid/kind] (sorted,
# one per line), EP_INDEX[pid/name].
# Values are escaped as chanmaker escapes them (like the channels table).
# EP_PEERS: comma-separated <pid>:<name>, sorted, "-" for none.  An
# endpoint's peers are the other endpoints on the same object (same tag,
# kind and obj): for pipes and fifos only those holding the other end (r
# pairs with w; rw has both ends); for pty a master (x_side=master) with
# each slave; for every other kind all of them.
# EP_EXTRA: the x_KEY=VALUE fields, space-separated: info keys to check.
cm_load() {
	awk '
	{
		n++; tag[n] = $1; ex[n] = ""
		for (i = 2; i <= NF; i++) {
			eq = index($i, "="); k = substr($i, 1, eq - 1); v = substr($i, eq + 1)
			if (k ~ /^x_/) { ex[n] = ex[n] (ex[n] == "" ? "" : " ") $i; continue }
			f[n, k] = v
		}
	}
	function peer(a, b,   ka, ra, wa, rb, wb) {
		if (a == b || tag[a] != tag[b] || f[a, "kind"] != f[b, "kind"] || f[a, "obj"] != f[b, "obj"])
			return 0
		ka = f[a, "kind"]
		if (ka == "pty")
			return (index(ex[a], "x_side=master") > 0) != (index(ex[b], "x_side=master") > 0)
		if (ka != "pipes" && ka != "fifos")
			return 1
		ra = index(f[a, "access"], "r") > 0; wa = index(f[a, "access"], "w") > 0
		rb = index(f[b, "access"], "r") > 0; wb = index(f[b, "access"], "w") > 0
		return (ra && wb) || (wa && rb)
	}
	END {
		for (a = 1; a <= n; a++) {
			m = 0
			for (b = 1; b <= n; b++)
				if (peer(a, b)) list[++m] = f[b, "pid"] ":" f[b, "name"]
			for (i = 2; i <= m; i++) {   # insertion sort, byte order
				v = list[i]
				for (j = i - 1; j >= 1 && list[j] > v; j--) list[j + 1] = list[j]
				list[j + 1] = v
			}
			p = ""
			for (i = 1; i <= m; i++) p = p (i > 1 ? "," : "") list[i]
			if (p == "") p = "-"
			printf "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", tag[a], f[a, "kind"], f[a, "pid"], f[a, "name"], f[a, "fd"], f[a, "access"], f[a, "id"], f[a, "obj"], f[a, "comm"], p, ex[a]
		}
	}' "$TESTDIR/endpoints" >"$TESTDIR/expected.tsv"

	EP_TAG=() EP_KIND=() EP_PID=() EP_NAME=() EP_FD=() EP_ACCESS=() EP_ID=()
	EP_OBJ=() EP_COMM=() EP_PEERS=() EP_EXTRA=()
	declare -gA PROC_KINDS=() EP_NAMES=() EP_INDEX=()
	local -A kinds=() names=()
	local i=0 a b c d e f g h j k l key
	while IFS=$TAB read -r a b c d e f g h j k l; do
		EP_TAG[i]=$a EP_KIND[i]=$b EP_PID[i]=$c EP_NAME[i]=$d EP_FD[i]=$e
		EP_ACCESS[i]=$f EP_ID[i]=$g EP_OBJ[i]=$h EP_COMM[i]=$j EP_PEERS[i]=$k
		EP_EXTRA[i]=$l
		EP_INDEX[$c/$d]=$i
		[[ " ${kinds[$c]:-} " == *" $b "* ]] || kinds[$c]+=" $b"
		names[$c/$b]+=" $d"
		i=$((i + 1))
	done <"$TESTDIR/expected.tsv"
	EP_N=$i
	for key in "${!kinds[@]}"; do
		# shellcheck disable=SC2086
		sort_words "PROC_KINDS[$key]" ${kinds[$key]}
	done
	for key in "${!names[@]}"; do
		# shellcheck disable=SC2086
		sort_words "EP_NAMES[$key]" ${names[$key]}
	done
}

# ---- lsof -nP +E ------------------------------------------------------------

# lsof_ends TYPES PIDS FILE : the other holders lsof +E appends to a name,
# from its -F pftan output in FILE.  For each numbered fd of a process in
# PIDS whose lsof TYPE is in TYPES (both comma-separated: FIFO, CHR), one
# line per holder listed:
#   PID:FD ACCESS PEERPID:PEERFD PEERACCESS
# (access r, w or u; - where lsof gave none).
lsof_ends() {
	perl -ne '
	BEGIN {
		%types = map { $_ => 1 } split /,/, shift @ARGV;
		%want = map { $_ => 1 } split /,/, shift @ARGV;
	}
	chomp;
	if (/^p(\d+)/) { $pid = $1; next }
	if (/^f(.*)/)  { $fd = $1; $acc = "-"; $type = ""; next }
	if (/^a([rwu])/) { $acc = $1; next }
	if (/^t(.*)/)  { $type = $1; next }
	if (/^n(.*)/) {
		my $n = $1;
		next unless $types{$type} && $fd =~ /^\d+$/ && $want{$pid};
		$n =~ s/^\S+//;  # the name itself: "pipe", a FIFO or device path
		print "$pid:$fd $acc $1:$3 $4\n" while $n =~ / (\d+),(.*?),(\d+)([rwu])(?= |$)/g;
	}' "$@"
}

# ---- checks the test scripts share ----------------------------------------
#
# On the endpoints cm_load loaded and the mount at MNT.  WHO_LABEL /
# EP_LABEL arguments are how the calling script names a process ("PID
# (role)") or an endpoint in its test descriptions.

# t_ls_root DESC : ls MNT into LS_ROOT and LISTED[entry]=1; DESC: every
# process with an endpoint is listed
declare -A LISTED
t_ls_root() {
	local e i missing=
	LS_ROOT=$(ls -A "$MNT" 2>&1)
	LISTED=()
	for e in $LS_ROOT; do LISTED[$e]=1; done
	for ((i = 0; i < EP_N; i++)); do
		[ -n "${LISTED[${EP_PID[i]}]:-}" ] || missing+=" ${EP_PID[i]}"
	done
	t_is "$missing" "" "$1"
}

# t_pid_ls PID WHO_LABEL : ls MNT/PID is $PROC_FILES and PID's kinds
t_pid_ls() {
	local want
	# shellcheck disable=SC2086
	sort_words want $PROC_FILES ${PROC_KINDS[$1]:-}
	t_is "$(ls -A "$MNT/$1" 2>&1)" "$want" "ls MNT/$2 lists $PROC_FILES and exactly its kinds"
}

# t_pid_tree PID WHO_LABEL : each MNT/PID/<kind> lists exactly PID's
# endpoints of that kind, and find MNT/PID shows every endpoint dir, info
# and peer link, nothing else
t_pid_tree() {
	local pid=$1 who=$2 kind i k n p want
	local -a entries=("d ")
	for k in $PROC_FILES; do entries+=("f $k"); done
	for kind in ${PROC_KINDS[$pid]:-}; do
		t_is "$(ls -A "$MNT/$pid/$kind" 2>&1)" "${EP_NAMES[$pid/$kind]}" \
			"ls MNT/$who/$kind lists exactly its endpoints"
	done
	# the whole subtree, with types: d dirs, f files, l peer links
	for ((i = 0; i < EP_N; i++)); do
		[ "${EP_PID[i]}" = "$pid" ] || continue
		k=${EP_KIND[i]} n=${EP_NAME[i]}
		entries+=("d $k" "d $k/$n" "f $k/$n/info")
		for p in ${EP_PEERS[i]//,/ }; do [ "$p" = - ] || entries+=("l $k/$n/$p"); done
		[ -z "$(ep_target "$i")" ] || entries+=("l $k/$n/target")
	done
	sort_words want "${entries[@]}"
	want=$(uniq <<<"$want")
	t_is "$(find "$MNT/$pid" -printf '%y %P\n' 2>&1 | sort)" "$want" \
		"find MNT/$who: every endpoint dir, info and peer link, nothing else"
}

# t_ep_info I EP_LABEL : the info file of endpoint I has the common keys
# and the x_ keys the maker reported, each exactly once, exact values.
# Leaves the parsed file in INFO, INFO_N and INFO_BAD.
t_ep_info() {
	local i=$1 ep=$2 pid=${EP_PID[$1]} kind=${EP_KIND[$1]} name=${EP_NAME[$1]}
	local text rc want got k v gv x keys
	slurp text "$MNT/$pid/$kind/$name/info"; rc=$?
	info_parse "$text"
	want="read: 0" got="read: $rc"
	for k in kind pid comm name fd id access peers; do
		case $k in
		kind) v=$kind ;; pid) v=$pid ;; comm) v=${EP_COMM[i]//\\040/ } ;;
		name) v=$name ;; fd) v=${EP_FD[i]} ;; id) v=${EP_ID[i]} ;;
		access) v=${EP_ACCESS[i]} ;; peers) v="${EP_PEERS[i]} (sorted)" ;;
		esac
		gv=${INFO[$k]:-}
		[ "$k" = peers ] && { norm_list gv "$gv"; gv+=" (sorted)"; }
		want+="$NL$k: $v (1 line)"
		got+="$NL$k: $gv (${INFO_N[$k]:-0} line)"
	done
	t_is "$got" "$want" "info of $ep: kind pid comm name fd id access peers"
	# the kind's own keys the maker knows (paths, sizes, System V keys)
	[ -n "${EP_EXTRA[i]}" ] || return 0
	want='' got='' keys=''
	for x in ${EP_EXTRA[i]}; do
		k=${x#x_}; v=${k#*=}; k=${k%%=*}
		keys+=" $k"
		want+="$k: ${v//\\040/ } (1 line)$NL"
		got+="$k: ${INFO[$k]:-(missing)} (${INFO_N[$k]:-0} line)$NL"
	done
	t_is "$got" "$want" "info of $ep:$keys"
}

# ep_target I : the pid endpoint I (a pidfd) refers to, from its x_target;
# empty for none
ep_target() {
	local t=" ${EP_EXTRA[$1]} "
	[[ $t =~ \ x_target=([0-9]+)\  ]] && printf '%s' "${BASH_REMATCH[1]}"
	return 0
}

# t_ep_dir I EP_LABEL : the directory of endpoint I holds info, one link
# per peer, each link resolving to that peer (t_links), and for a pidfd
# whose target lives the link target -> ../../../<pid>
t_ep_dir() {
	local pid=${EP_PID[$1]} kind=${EP_KIND[$1]} name=${EP_NAME[$1]} p want
	local target
	local -a peers=()
	for p in ${EP_PEERS[$1]//,/ }; do [ "$p" = - ] || peers+=("$p"); done
	target=$(ep_target "$1")
	[ -z "$target" ] || peers+=(target)
	sort_words want info "${peers[@]}"
	t_is "$(ls -A "$MNT/$pid/$kind/$name" 2>&1)" "$want" "ls $2: info and one link per peer, no other"
	if [ -n "$target" ]; then
		t_is "$(readlink "$MNT/$pid/$kind/$name/target" 2>&1) $(cat "$MNT/$pid/$kind/$name/target/comm" 2>&1)" \
			"../../../$target ${PROC_COMM[$target]:-?}" "readlink $2/target is ../../../$target and resolves"
		unset 'peers[-1]'
	fi
	[ ${#peers[@]} -gt 0 ] || return 0
	t_links "$MNT/$pid/$kind/$name" "$kind" "$pid/$kind/$name" "" "${peers[@]}"
}

# t_links DIR KIND LABEL CHECK LINK... : each DIR/LINK (LINK is
# <pid>:<name>) reads as exactly ../../../<pid>/KIND/<name> and resolves:
# the info behind it says that pid and name (and, for CHECK "KEY=VALUE",
# that value of KEY).  LABEL stands for DIR in the descriptions.
t_links() {
	local dir=$1 kind=$2 label=$3 key=${4%%=*} val=${4#*=} j p text xgot='' xwant='' target
	shift 4
	local -a links=("${@/#/$dir/}") got_targets
	mapfile -t got_targets < <(readlink -v "${links[@]}" 2>&1)
	for ((j = 0; j < $#; j++)); do
		p=${links[j]##*/}
		target=../../../${p%%:*}/$kind/${p#*:}
		slurp text "${links[j]}/info" || text="(cannot read info through the link)"
		info_parse "$text"
		[ -n "$key" ] && xgot=" $key ${INFO[$key]:-}" xwant=" $key $val"
		t_is "${got_targets[j]:-} -> pid ${INFO[pid]:-} name ${INFO[name]:-}$xgot" \
			"$target -> pid ${p%%:*} name ${p#*:}$xwant" \
			"readlink $label/$p is $target and resolves"
	done
}

# t_endpoints PID LABEL [CHECK] : process PID's listing and whole tree,
# then, for each endpoint of the report, its info, its directory and its
# channels row; CHECK I EP_LABEL, when given, then checks what is the
# kind's own (ROW_DETAIL holds the row's DETAIL).
t_endpoints() {
	local pid=$1 label=$2 check=${3:-} i ep
	section "the process: its kind dirs and its whole tree"
	t_pid_ls "$pid" "$label"
	t_pid_tree "$pid" "$label"
	section "every endpoint: info, peer links, channels row"
	cat "$MNT/channels" >"$TESTDIR/channels" 2>&1
	slurp chan "$TESTDIR/channels"
	chan_rows "$chan" "$pid"
	for ((i = 0; i < EP_N; i++)); do
		ep="${EP_KIND[i]} $pid:${EP_NAME[i]}"
		t_ep_info "$i" "$ep"
		t_is "$INFO_BAD" 0 "info of $ep: every line is 'key: value'"
		t_ep_dir "$i" "$ep"
		t_chan_row "$i" "$ep"
		[ -z "$check" ] || "$check" "$i" "$ep"
	done
}

# chan_rows TEXT PIDS : the rows of the channels table TEXT (header
# included) of the processes PIDS into ROW[pid:name], NROWS[pid:name] (how
# many) and ROWS_OF[pid] (all of them, one per line)
declare -A ROW ROWS_OF NROWS
chan_rows() {
	local line k p c n rest
	ROW=() ROWS_OF=() NROWS=()
	while IFS= read -r line; do
		p=${line#*"$TAB"} p=${p%%"$TAB"*}
		[[ " $2 " == *" $p "* ]] || continue
		IFS=$TAB read -r k p c n rest <<<"$line"
		ROW[$p:$n]=$line
		ROWS_OF[$p]+=$line$NL
		NROWS[$p:$n]=$(( ${NROWS[$p:$n]:-0} + 1 ))
	done <<<"${1#*"$NL"}"
}

# t_chan_row I EP_LABEL : endpoint I has exactly one row (chan_rows), with
# its KIND COMM ACCESS ID and PEERS; the row's DETAIL into ROW_DETAIL
t_chan_row() {
	local i=$1 k p c n a id pe
	# shellcheck disable=SC2034  # ROW_DETAIL: for the caller
	IFS=$TAB read -r k p c n a id pe ROW_DETAIL <<<"${ROW[${EP_PID[i]}:${EP_NAME[i]}]:-}"
	norm_list pe "$pe"
	t_is "${NROWS[${EP_PID[i]}:${EP_NAME[i]}]:-0} $k $c $a $id $pe" \
		"1 ${EP_KIND[i]} ${EP_COMM[i]} ${EP_ACCESS[i]} ${EP_ID[i]} ${EP_PEERS[i]}" \
		"MNT/channels row of $2: (count) KIND COMM ACCESS ID PEERS"
}
