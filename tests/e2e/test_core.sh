#!/bin/bash
# tests/e2e/test_core.sh — ipcfs end to end, first stage: pipes, fifos,
# memfd, eventfd.  Real processes (chanmaker) joined by real channels, ipcfs
# mounted in a temp dir, checked as a user would with ls, cat, readlink,
# find; pipe and FIFO peers compared with lsof -nP +E.
#
#   IPCFS=build/ipcfs CHANMAKER=build/tests/chanmaker bash tests/e2e/test_core.sh
#
# Every expectation comes from what chanmaker reports it created (see
# cm_load in lib.sh), never from ipcfs.

# (results come back through namerefs: slurp, sort_words, norm_list)
# shellcheck disable=SC2154
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"
e2e_init

NOBODY=65534
TTL=$E2E_TTL
# deadline for "appeared / gone after the ttl": the ttl plus room for a
# rebuild on a loaded machine
DEADLINE=$(awk -v t="$TTL" 'BEGIN { print t + 3 }')
HEADER="KIND${TAB}PID${TAB}COMM${TAB}NAME${TAB}ACCESS${TAB}ID${TAB}PEERS${TAB}DETAIL"
ENOENT="No such file or directory"
EACCES="Permission denied"
ROFS="Read-only file system"

# ---- the processes, started before the mount so that the first snapshot
# already holds them -----------------------------------------------------
section "start the processes"
cm_start fan fanout
# a path with a space and a tab: escaped in info and in channels
cm_start fifo fifo "$TESTDIR/fi fo${TAB}x"
cm_start self selfpipe
cm_start mem memfd
cm_start efd eventfd
cm_start odd oddcomm
cm_start idle idle
cm_start victim fanout
cm_start_as "$NOBODY" user selfpipe
cm_load
# fan 5, fifo 3, self 2, mem 4, efd 4, odd 2, idle 0, victim 5, user 2
t_is "$EP_N" 27 "chanmaker reported the 27 endpoints of the scenarios (checks the harness)"
ALL_TAGS="fan fifo self mem efd odd idle victim user"
ALL_PIDS=
for tag in $ALL_TAGS; do ALL_PIDS+=" ${TAG_PIDS[$tag]}"; done

section "mount"
ipcfs_mount "$TTL"
diag "ipcfs pid $IPCFS_PID on $MNT, ttl=$TTL"

# chan_select PATH AWK_CONDITION [AWK_OPTIONS...] : read a channels table;
# print "header ok" (or what came instead), then the rows matching the
# condition — so that a failed read never passes for "no such row"
chan_select() {
	local path=$1 cond=$2; shift 2
	{ cat "$path" 2>&1; } | awk -F'\t' -v h="$HEADER" "$@" \
		'NR == 1 { print ($0 == h ? "header ok" : "bad header: " $0); next } '"$cond"
}

# who PID : "PID (tag/role)" into WHO
who() { WHO="$1 (${PROC_TAG[$1]}/${PROC_ROLE[$1]})"; }

# ======================================================================
section "MNT/ and self"
# ======================================================================
t_ls_root "ls MNT lists every process that has an endpoint"
t_is "${LISTED[self]:-}${LISTED[channels]:-}${LISTED[channels.json]:-}${LISTED[events]:-}" "1111" \
	"ls MNT lists self, channels, channels.json and events"
odd_names=
for e in $LS_ROOT; do
	[[ $e =~ ^([0-9]+|self|channels|channels\.json|events|sysv)$ ]] || odd_names+=" $e"
done
t_is "$odd_names" "" "ls MNT holds only pids, self, channels, channels.json, events (and sysv)"
idle=${TAG_ROLE_PID[idle/idle]}
t_is "${LISTED[$idle]:-not listed}" "not listed" "ls MNT does not list a process without endpoints ($idle)"
t_is "$(find "$MNT/self" "$MNT/channels" "$MNT/channels.json" -maxdepth 0 -printf '%y' 2>&1)" \
	"lff" "MNT/self is a symlink, MNT/channels and MNT/channels.json regular files"
t_errs "a name that is not a pid is not found" "$ENOENT" ls "$MNT/nosuchname"
t_errs "a pid that does not exist is not found" "$ENOENT" ls "$MNT/2147483647"
t_errs "an unknown kind is not found" "$ENOENT" ls "$MNT/${TAG_PIDS[fan]%% *}/nosuchkind"

# two_lines_equal OUT : OUT is two lines, the same (sh's $$, then what
# readlink, which sh exec'd into, said)
two_lines_equal() {
	[[ $1 =~ ^([0-9]+)$NL(.*)$ ]] && [ "${BASH_REMATCH[1]}" = "${BASH_REMATCH[2]}" ]
}
# the caller is sh, which execs readlink: the same process
out=$(sh -c 'echo $$; exec readlink "$1"' sh "$MNT/self" 2>&1)
if two_lines_equal "$out"; then t_pass "readlink MNT/self is the caller's pid"
else t_fail "readlink MNT/self is the caller's pid" "got (pid, then readlink):" "$out"; fi
t_is "$(cat "$MNT/self/comm" 2>&1)" "cat" "MNT/self/comm read by cat says cat (self resolves)"
out=$("$CHANMAKER" threadself "$MNT/self" 2>&1)
if [[ $out =~ ^pid=([0-9]+)\ tid=([0-9]+)\ link=(.*)$ ]] && [ "${BASH_REMATCH[1]}" != "${BASH_REMATCH[2]}" ]; then
	t_is "${BASH_REMATCH[3]}" "${BASH_REMATCH[1]}" \
		"readlink MNT/self from a second thread is the thread group id, not the tid"
else
	t_fail "readlink MNT/self from a second thread is the thread group id, not the tid" "chanmaker threadself said: $out"
fi
out=$(as_user "$NOBODY" sh -c 'echo $$; exec readlink "$1"' sh "$MNT/self" 2>&1)
if two_lines_equal "$out"; then t_pass "readlink MNT/self as nobody is the caller's pid"
else t_fail "readlink MNT/self as nobody is the caller's pid" "got (pid, then readlink):" "$out"; fi

# ======================================================================
section "MNT/<pid>/ of every process"
# ======================================================================
for pid in $ALL_PIDS; do
	who "$pid"
	t_pid_ls "$pid" "$WHO"

	# owner, group and mode: those of /proc/<pid>/fd
	out=$(stat -c '%F %u:%g %a' "$MNT/$pid" "/proc/$pid/fd" 2>&1)
	t_is "${out%%$NL*}" "${out#*$NL}" "MNT/$WHO has the owner, group and mode of /proc/$pid/fd"

	# one line; escaped like info values
	esc_comm=${PROC_COMM[$pid]//\\040/ }
	slurp got "$MNT/$pid/comm" || got="(cannot read)"
	t_is "$got" "$esc_comm$NL" "cat MNT/$WHO/comm is one line: $esc_comm"

	out=$(ls -A "$MNT/$pid/unix" 2>&1); rc=$?
	t_is "$rc:$out" "0:" "ls MNT/$WHO/unix succeeds, empty"

	t_pid_tree "$pid" "$WHO"
done

# ======================================================================
section "every endpoint: info and peer links"
# ======================================================================
for ((i = 0; i < EP_N; i++)); do
	pid=${EP_PID[i]}
	ep="${EP_KIND[i]} $pid:${EP_NAME[i]} (${PROC_TAG[$pid]}/${PROC_ROLE[$pid]})"
	t_ep_info "$i" "$ep"
	t_is "$INFO_BAD" 0 "info of $ep: every line is 'key: value'"
	t_ep_dir "$i" "$ep"
done

# ======================================================================
section "MNT/channels and MNT/<pid>/channels"
# ======================================================================
CH=$TESTDIR/channels.root
cat "$MNT/channels" >"$CH" 2>&1
slurp chan "$CH"
t_is "${chan%%$NL*}" "$HEADER" "MNT/channels header"
t_is "$(awk -F'\t' 'NF != 8 { print NR ": " NF " fields: " $0 }' "$CH" | head -n5)" "" \
	"MNT/channels: 8 tab-separated fields on every line"
t_is "$(perl -ne 'chomp; print "$.: $_\n" if /[\x00-\x08\x0a-\x20\x7f]/ || /\\(?![0-7]{3})/' "$CH" | head -n5)" "" \
	"MNT/channels: no raw space or control byte; every backslash starts \\ooo"
t_is "${chan: -1}" "$NL" "MNT/channels ends with a newline"

# the rows of our processes, by pid:name
chan_rows "$chan" "$ALL_PIDS"
for ((i = 0; i < EP_N; i++)); do
	ep="${EP_KIND[i]} ${EP_PID[i]}:${EP_NAME[i]} (${PROC_TAG[${EP_PID[i]}]})"
	t_chan_row "$i" "$ep"
	if [ "${EP_KIND[i]}" = fifos ]; then
		x=${EP_EXTRA[i]#*x_path=}
		t_has "$ROW_DETAIL" "${x%% *}" "MNT/channels DETAIL of $ep holds the FIFO's path"
	fi
done

odd=${TAG_ROLE_PID[odd/odd]}
IFS=$TAB read -r k p c n rest <<<"${ROW[$odd:3]:-}"
t_is "$c" 'odd\040x\011y\012z' "MNT/channels writes the comm 'odd x<TAB>y<NL>z' as odd\\040x\\011y\\012z"

# symmetry over the whole table, within one read (one snapshot)
t_is "$(awk -F'\t' '
	NR > 1 { key = $2 ":" $4; peers[key] = $7; kind[key] = $1 }
	END {
		for (a in peers) {
			if (peers[a] == "-") continue
			n = split(peers[a], l, ",")
			for (i = 1; i <= n; i++) {
				b = l[i]
				if (!(b in peers)) { print kind[a] " " a " lists " b ", which has no row"; continue }
				m = split(peers[b], r, ","); found = 0
				for (j = 1; j <= m; j++) if (r[j] == a) found = 1
				if (!found) print kind[a] " " a " lists " b ", which does not list it"
			}
		}
	}' "$CH" | sort | head -n10)" "" "MNT/channels: every peer relation is symmetric (whole system)"

for pid in $ALL_PIDS; do
	who "$pid"
	slurp out "$MNT/$pid/channels" || out="(cannot read)"
	t_is "${out%%$NL*}" "$HEADER" "MNT/$WHO/channels header"
	rows=${out#*$NL}
	# exactly the rows of this process in MNT/channels (same content)
	mapfile -t a <<<"${rows%$NL}"; [ -n "${rows%$NL}" ] || a=()
	mapfile -t b <<<"${ROWS_OF[$pid]%$NL}"; [ -n "${ROWS_OF[$pid]:-}" ] || b=()
	sort_words got_rows "${a[@]}"
	sort_words want_rows "${b[@]}"
	n=0; for ((j = 0; j < EP_N; j++)); do [ "${EP_PID[j]}" = "$pid" ] && n=$((n + 1)); done
	t_is "${#a[@]} rows$NL$got_rows" "$n rows$NL$want_rows" \
		"MNT/$WHO/channels: one row per endpoint, the same as in MNT/channels"
done

# ======================================================================
section "pipe and FIFO peers: ipcfs vs lsof -nP +E"
# ======================================================================
LSOF_TAGS="fan fifo self odd user"
lsof_pids=
for t in $LSOF_TAGS; do for p in ${TAG_PIDS[$t]}; do lsof_pids+=${lsof_pids:+,}$p; done; done
# (pid:fd peerpid:peerfd) of pipes and FIFOs, from lsof's endpoint lists;
# lsof +E lists every other holder, so keep the pairs where one side reads
# and the other writes (u = read-write), as the peer rule says
timeout 20 lsof -nP -w +E -F pftan -p "$lsof_pids" >"$TESTDIR/lsof.out" 2>"$TESTDIR/lsof.err"
lsof_rc=$?
lsof_pairs=$(lsof_ends FIFO "$lsof_pids" "$TESTDIR/lsof.out" | awk '
	function r(a) { return a ~ /[ru]/ }
	function w(a) { return a ~ /[wu]/ }
	(r($2) && w($4)) || (w($2) && r($4)) { print $1, $3 }' | sort -u)
exp_pairs=()
for ((i = 0; i < EP_N; i++)); do
	[[ " $LSOF_TAGS " == *" ${EP_TAG[i]} "* ]] || continue
	for p in ${EP_PEERS[i]//,/ }; do [ "$p" = - ] || exp_pairs+=("${EP_PID[i]}:${EP_NAME[i]} $p"); done
done
sort_words exp_pairs_s "${exp_pairs[@]}"
t_is "$lsof_rc:$lsof_pairs" "0:$exp_pairs_s" \
	"lsof -nP +E agrees with chanmaker on the pipe/FIFO pairs (${#exp_pairs[@]} pairs; checks the harness)"
ipcfs_pairs=$(awk -F'\t' -v pids=",$lsof_pids," '
	NR > 1 && ($1 == "pipes" || $1 == "fifos") && index(pids, "," $2 ",") && $7 != "-" {
		n = split($7, l, ","); for (i = 1; i <= n; i++) print $2 ":" $4 " " l[i] }' "$MNT/channels" | sort -u)
t_is "$ipcfs_pairs" "$lsof_pairs" \
	"ipcfs pipe/FIFO peers of these processes are the pairs lsof -nP +E reports"
[ -s "$TESTDIR/lsof.err" ] && diag "lsof stderr: $(head -c 500 "$TESTDIR/lsof.err")"

# ======================================================================
section "read-only: anything that would write gets EROFS"
# ======================================================================
w=${TAG_ROLE_PID[fan/writer]}
d=$MNT/$w/pipes/4
link=${EP_PEERS[${EP_INDEX[$w/4]}]%%,*}
t_errs "touch MNT/newfile: EROFS" "$ROFS" touch "$MNT/newfile"
t_errs "mkdir MNT/newdir: EROFS" "$ROFS" mkdir "$MNT/newdir"
t_errs "mkdir MNT/<pid>/newdir: EROFS" "$ROFS" mkdir "$MNT/$w/newdir"
t_errs "echo > info: EROFS" "$ROFS" sh -c 'echo x > "$1"' sh "$d/info"
t_errs "echo >> info: EROFS" "$ROFS" sh -c 'echo x >> "$1"' sh "$d/info"
t_errs "truncate -s0 info: EROFS" "$ROFS" truncate -s 0 "$d/info"
t_errs "echo > MNT/channels: EROFS" "$ROFS" sh -c 'echo x > "$1"' sh "$MNT/channels"
t_errs "rm info: EROFS" "$ROFS" rm -f "$d/info"
t_errs "rm a peer link: EROFS" "$ROFS" rm -f "$d/$link"
t_errs "rm MNT/self: EROFS" "$ROFS" rm -f "$MNT/self"
t_errs "rm -r an endpoint dir: EROFS" "$ROFS" rm -rf "$d"
t_errs "rmdir an endpoint dir: EROFS" "$ROFS" rmdir "$d"
t_errs "ln -s in MNT: EROFS" "$ROFS" ln -s x "$MNT/newlink"
t_errs "ln (hard link) of info: EROFS" "$ROFS" ln "$d/info" "$d/info2"
t_errs "mkfifo in MNT: EROFS" "$ROFS" mkfifo "$MNT/newfifo"
t_errs "mv comm: EROFS" "$ROFS" mv "$MNT/$w/comm" "$MNT/$w/comm2"
t_errs "chmod info: EROFS" "$ROFS" chmod 600 "$d/info"
t_errs "chown info: EROFS" "$ROFS" chown 1:1 "$d/info"
t_errs "touch an existing info (set times): EROFS" "$ROFS" touch -c "$d/info"
t_errs "setxattr on info: EROFS" "$ROFS" python3 -c '
import os, sys
try:
    os.setxattr(sys.argv[1], "user.x", b"1")
except OSError as e:
    sys.exit(os.strerror(e.errno))' "$d/info"
t_is "$(info_get "$d/info" pid)|$(readlink "$d/$link")" "$w|../../../${link%%:*}/pipes/${link#*:}" \
	"after the refused writes the endpoint and its link are intact"

# ======================================================================
section "another user: enters only its own processes; channels filtered"
# ======================================================================
upid=${TAG_ROLE_PID[user/self]}
t_errs "nobody: ls MNT/<root's pid> is refused" "$EACCES" as_user "$NOBODY" ls "$MNT/$w"
t_errs "nobody: cat MNT/<root's pid>/comm is refused" "$EACCES" as_user "$NOBODY" cat "$MNT/$w/comm"
t_errs "nobody: cat a root endpoint's info is refused" "$EACCES" as_user "$NOBODY" cat "$d/info"
t_errs "nobody: readlink a root endpoint's peer link is refused" "$EACCES" \
	as_user "$NOBODY" readlink -v "$d/$link"
out=$(as_user "$NOBODY" ls -A "$MNT" 2>&1)
t_is "$(grep -cx -e "$w" -e "$upid" <<<"$out")" 2 "nobody: ls MNT lists pid numbers, root's and its own (as /proc does)"
t_is "$(as_user "$NOBODY" ls -A "$MNT/$upid/pipes" 2>&1)" "3${NL}4" "nobody: ls MNT/<own pid>/pipes"
t_is "$(as_user "$NOBODY" cat "$MNT/$upid/pipes/3/info" 2>&1 | grep -E '^(pid|peers): ')" \
	"pid: $upid${NL}peers: $upid:4" "nobody: cat its own endpoint's info"
t_is "$(as_user "$NOBODY" readlink -v "$MNT/$upid/pipes/3/$upid:4" 2>&1)" "../../../$upid/pipes/4" \
	"nobody: readlink its own peer link"
UCH=$TESTDIR/channels.nobody
as_user "$NOBODY" cat "$MNT/channels" >"$UCH" 2>&1
slurp uchan "$UCH"
t_is "${uchan%%$NL*}" "$HEADER" "nobody: MNT/channels header"
foreign=
declare -A seen=()
while IFS=$TAB read -r k p rest; do
	[ -n "$p" ] || continue
	[ -n "${seen[$p]:-}" ] && continue
	seen[$p]=1
	slurp st "/proc/$p/status" || continue   # exited since
	[[ $st =~ Uid:[[:space:]]+[0-9]+[[:space:]]+([0-9]+) ]]
	[ "${BASH_REMATCH[1]}" = "$NOBODY" ] || foreign+=" $p(euid ${BASH_REMATCH[1]})"
done <<<"${uchan#*$NL}"
t_is "$foreign" "" "nobody: MNT/channels holds only rows of nobody's processes"
t_is "$(awk -F'\t' -v p="$upid" '$2 == p { print $1 " " $4 " " $7 }' "$UCH" | sort)" \
	"pipes 3 $upid:4${NL}pipes 4 $upid:3" "nobody: MNT/channels holds its own process's rows"

# A dumpable process with ruid 0, euid nobody, suid 0: its /proc/<pid>/fd
# belongs to nobody, yet the ptrace rule refuses nobody its links (uids
# differ). ipcfs must refuse what /proc refuses.
exec {mixed_fd}< <(exec python3 -c '
import ctypes, os, signal, sys
r, w = os.pipe()
os.setresuid(0, 65534, 0)
ctypes.CDLL(None).prctl(4, 1, 0, 0, 0)   # PR_SET_DUMPABLE
print(os.getpid(), flush=True)
signal.pause()')
mixed=$!
_e2e_pids+=("$mixed")
IFS= read -r -t 10 -u "$mixed_fd" line
[ "$line" = "$mixed" ] || bail_out "the mixed-uid process did not start: $line"
t_is "$(stat -c %u "/proc/$mixed/fd")|$(as_user "$NOBODY" readlink "/proc/$mixed/fd/0" >/dev/null 2>&1 && echo reads || echo refused)" \
	"$NOBODY|refused" "kernel: the mixed-uid process's /proc/<pid>/fd is nobody's, yet refuses nobody its links"
mixed_listed() { [ -e "$MNT/$mixed/pipes" ]; }
poll_until "$DEADLINE" mixed_listed || bail_out "MNT/$mixed/pipes not there within the ttl"
t_errs "nobody: ls MNT/<mixed-uid pid> is refused, as /proc/<pid>/fd is" "$EACCES" \
	as_user "$NOBODY" ls "$MNT/$mixed"
t_is "$(stat -c %u:%g "$MNT/$mixed" 2>&1)" "0:0" "MNT/<mixed-uid pid> belongs to root (the ptrace rule refuses its euid)"
t_is "$(as_user "$NOBODY" cat "$MNT/channels" 2>&1 | awk -F'\t' -v p="$mixed" '$2 == p' | wc -l)" 0 \
	"nobody: MNT/channels holds no row of the mixed-uid process"
t_is "$(awk -F'\t' -v p="$mixed" '$2 == p { print $1 }' "$MNT/channels" | sort -u)" "pipes" \
	"root: MNT/channels holds its pipe rows"
stop_pid "$mixed"
exec {mixed_fd}<&-

# ======================================================================
section "freshness: a new process appears after the ttl"
# ======================================================================
cm_start late selfpipe
late=$CM_PID
if poll_until "$DEADLINE" test -L "$MNT/$late/pipes/4/$late:3"; then
	t_pass "a process started after the mount appears, with its peer link, within ttl+3s"
else
	t_fail "a process started after the mount appears, with its peer link, within ttl+3s" \
		"got: $(ls -A "$MNT/$late/pipes/4" 2>&1)"
fi

# ======================================================================
section "a killed process is gone after the ttl"
# ======================================================================
vw=${TAG_ROLE_PID[victim/writer]}
vr1=${TAG_ROLE_PID[victim/reader1]} vr2=${TAG_ROLE_PID[victim/reader2]} vr3=${TAG_ROLE_PID[victim/reader3]}
t_ok "before the kill: the writer's link to reader2 exists" test -L "$MNT/$vw/pipes/4/$vr2:5"

# kill one reader (chanmaker reaps it at once); the writer survives
kill -KILL "$vr2"
poll_until 5 test ! -e "/proc/$vr2" || bail_out "reader $vr2 still exists 5 s after SIGKILL"
if poll_until "$DEADLINE" test ! -e "$MNT/$vr2"; then
	t_pass "a killed process is gone from the tree within ttl+3s"
else
	t_fail "a killed process is gone from the tree within ttl+3s" "got: $(ls -A "$MNT/$vr2" 2>&1)"
fi
t_errs "ls MNT/<killed pid>: $ENOENT" "$ENOENT" ls "$MNT/$vr2"
t_errs "cat MNT/<killed pid>/comm: $ENOENT" "$ENOENT" cat "$MNT/$vr2/comm"
t_errs "cat its old endpoint's info: $ENOENT" "$ENOENT" cat "$MNT/$vr2/pipes/5/info"
t_errs "readlink the survivor's old link to it: $ENOENT" "$ENOENT" readlink -v "$MNT/$vw/pipes/4/$vr2:5"
sort_words want info "$vr1:3" "$vr3:3" "$vr3:7"
t_is "$(ls -A "$MNT/$vw/pipes/4" 2>&1)" "$want" "the surviving writer's links no longer include the killed reader"
norm_list got "$(info_get "$MNT/$vw/pipes/4/info" peers)"
norm_list want "$vr1:3,$vr3:3,$vr3:7"
t_is "$got" "$want" "the surviving writer's info peers no longer include the killed reader"
t_is "$(chan_select "$MNT/channels" '$2 == p || $7 ~ "(^|,)" p ":"' -v p="$vr2")" "header ok" \
	"MNT/channels has no row of, and no peer naming, the killed reader"

# end the whole scenario (its parent kills and reaps the children)
cm_stop victim
gone() { local p; for p in "$@"; do [ -e "$MNT/$p" ] && return 1; done; return 0; }
if poll_until "$DEADLINE" gone "$vw" "$vr1" "$vr3"; then
	t_pass "a killed scenario (writer and readers) is gone from the tree within ttl+3s"
else
	t_fail "a killed scenario (writer and readers) is gone from the tree within ttl+3s"
fi
for p in "$vw" "$vr1" "$vr3"; do
	t_errs "ls MNT/$p (killed): $ENOENT" "$ENOENT" ls "$MNT/$p"
done
t_is "$(ls -A "$MNT" | grep -x -e "$vw" -e "$vr1" -e "$vr2" -e "$vr3")" "" \
	"ls MNT lists none of the killed processes"
cat "$MNT/channels" >"$CH" 2>&1
t_is "$(chan_select "$CH" '$2 == a || $2 == b || $2 == c' -v a="$vw" -v b="$vr1" -v c="$vr3")" "header ok" \
	"MNT/channels has no row of the killed processes"
t_is "$(chan_select "$CH" '$2 == p { print $1 " " $4 " " $7 }' -v p="$w")" \
	"header ok${NL}pipes 4 ${EP_PEERS[${EP_INDEX[$w/4]}]}" "the other fanout is untouched"

# ======================================================================
section "ttl=0: rebuilt on every open, no waiting at all"
# ======================================================================
MNT1=$MNT
ipcfs_mount 0
MNT0=$MNT
MNT=$MNT1
cm_start zero selfpipe
zp=$CM_PID
t_is "$(ls -A "$MNT0/$zp/pipes" 2>&1)" "3${NL}4" "ttl=0: a new process is there at once"
t_is "$(info_get "$MNT0/$zp/pipes/3/info" peers 2>&1)" "$zp:4" "ttl=0: its info, at once"
cm_stop zero
t_errs "ttl=0: a reaped process is gone at once (ls MNT/<pid>)" "$ENOENT" ls "$MNT0/$zp"
t_errs "ttl=0: a reaped process is gone at once (cat MNT/<pid>/comm)" "$ENOENT" cat "$MNT0/$zp/comm"
t_is "$(chan_select "$MNT0/channels" '$2 == p' -v p="$zp")" "header ok" "ttl=0: and gone from MNT/channels at once"

# ======================================================================
section "every directory lists . and .. first, then what ls -A lists"
# ======================================================================
fp=${TAG_PIDS[fan]%% *}
fkind=${PROC_KINDS[$fp]%% *}
fname=${EP_NAMES[$fp/$fkind]%%$NL*}
for dir in "" "/$fp" "/$fp/$fkind" "/$fp/$fkind/$fname" "/sysv" "/sysv/shm" "/$fp/unix"; do
	# ls -f: the directory's own order, . and .. included
	raw=$(ls -f "$MNT$dir" 2>&1)
	sort_words want . .. $(ls -A "$MNT$dir" 2>&1)
	sort_words got $raw
	t_is "$(head -n 2 <<<"$raw" | tr '\n' ' ')|$got" ". .. |$want" \
		"ls -f MNT$dir: . and .. first, then exactly the names of ls -A, each once"
done
t_is "$(stat -c '%F' "$MNT/$fp/$fkind/." "$MNT/$fp/$fkind/.." 2>&1 | sort -u)" "directory" \
	"MNT/<pid>/<kind>/. and .. are directories"

# ======================================================================
section "mount(8)'s way: a source word first, generic options, signals"
# ======================================================================
# mount.fuse3 runs "ipcfs SOURCE MOUNTPOINT -o OPTIONS"; fstab adds the
# generic options and x-* comments every filesystem gets
MNT1=$MNT
ipcfs_mount 2 ipcfs -o rw,nosuid,nodev,noatime,relatime,defaults,nofail,x-systemd.automount
MNTSRC=$MNT
MNT=$MNT1
t_is "$(awk -v m="$MNTSRC" '$5 == m { split($6, o, ","); for (i = 7; $i != "-"; i++); print o[1] " " $(i + 1) " " $(i + 2) }' /proc/self/mountinfo)" \
	"ro fuse.ipcfs ipcfs" "ipcfs SOURCE MNT -o rw,nosuid,...: mounted read-only, source ignored, type fuse.ipcfs"
t_is "$(head -n 1 "$MNTSRC/channels" 2>&1)" "$HEADER" "and it serves MNT/channels"
t_errs "an unknown option still gets one clear line" "unknown option" \
	"$IPCFS" "$TESTDIR" -o nosuchoption
t_errs "three words besides the options are refused in one line" "ipcfs: too many arguments" \
	"$IPCFS" ipcfs "$TESTDIR" extra
# signals end a foreground daemon cleanly: unmounted, exit status 0
for sig in TERM INT HUP; do
	mkdir -p "$TESTDIR/sig$sig"
	# bash starts background jobs with SIGINT ignored: give it back
	env --default-signal=INT setpriv --pdeathsig TERM "$IPCFS" -f "$TESTDIR/sig$sig" \
		</dev/null >"$TESTDIR/sig$sig.log" 2>&1 &
	sp=$!
	sig_ready() { _mounted "$TESTDIR/sig$sig" && timeout 2 stat "$TESTDIR/sig$sig/self" >/dev/null 2>&1; }
	if poll_until 10 sig_ready; then
		kill -"$sig" "$sp"
		if wait_dead "$sp" 5; then
			wait "$sp"; rc=$?
			t_is "$rc $(_mounted "$TESTDIR/sig$sig" && echo mounted || echo unmounted)" "0 unmounted" \
				"SIG$sig to ipcfs -f: it unmounts and exits with status 0"
		else
			t_fail "SIG$sig to ipcfs -f: it unmounts and exits with status 0" "still running 5 s later"
			stop_pid "$sp"
		fi
	else
		t_fail "SIG$sig to ipcfs -f: it unmounts and exits with status 0" "did not mount: $(cat "$TESTDIR/sig$sig.log")"
		stop_pid "$sp"
	fi
	_mounted "$TESTDIR/sig$sig" && { fusermount3 -u "$TESTDIR/sig$sig" || umount -l "$TESTDIR/sig$sig"; }
	rmdir "$TESTDIR/sig$sig"
done

# ======================================================================
section "hidepid=invisible: what /proc hides from a caller, ipcfs hides too"
# ======================================================================
# In a private mount namespace, a procfs with hidepid=invisible on /proc
# and ipcfs reading it. A pipe from a root writer to a reader running as
# nobody: nobody may see its reader, not the writer, not even as a peer.
cat >"$TESTDIR/hidepid.sh" <<'HP'
set -u
ipcfs=$1 dir=$2 nobody=$3 ttl=$4
out=$dir/hp
pids=()
trap 'kill "${pids[@]}" 2>/dev/null' EXIT
mount -t proc -o hidepid=invisible proc /proc || { echo "mount proc failed" >"$out.err"; exit 1; }
# $! is the pipeline's last process, the reader (setpriv and sh exec)
sh -c 'echo $$ >"$1/hp.w"; exec sleep 1000' sh "$dir" </dev/null |
	setpriv --reuid="$nobody" --regid="$nobody" --clear-groups sh -c 'exec sleep 1000' >/dev/null &
r=$!
pids+=("$r")
for ((i = 0; i < 200; i++)); do [ -s "$dir/hp.w" ] && break; sleep 0.05; done
w=$(cat "$dir/hp.w")
pids+=("$w")
mkdir -p "$dir/hmnt"
setpriv --pdeathsig TERM "$ipcfs" -f -o "ttl=$ttl" "$dir/hmnt" </dev/null >"$dir/hp.log" 2>&1 &
pids+=($!)
m=$dir/hmnt
for ((i = 0; i < 200; i++)); do [ -e "$m/$r/pipes/0" ] && break; sleep 0.05; done
as() { setpriv --reuid="$nobody" --regid="$nobody" --clear-groups "$@"; }
{
	echo "pids $w $r"
	echo "proc-nobody-sees-writer $(as test -e "/proc/$w" && echo yes || echo no)"
	echo "root-lists $(ls "$m" | grep -cx -e "$w" -e "$r")"
	stat "$m/$w" >/dev/null 2>&1   # root looks first: nothing cached for nobody
	echo "nobody-lists-writer $(as ls "$m" | grep -cx "$w")"
	echo "nobody-lists-reader $(as ls "$m" | grep -cx "$r")"
	echo "nobody-stat-writer $(as stat "$m/$w" 2>&1 >/dev/null | grep -c 'No such file')"
	echo "nobody-channels-writer-rows $(as cat "$m/channels" | awk -F'\t' -v p="$w" '$2 == p' | wc -l)"
	echo "nobody-channels-reader-peers $(as cat "$m/channels" | awk -F'\t' -v p="$r" '$2 == p && $4 == "0" { print $7 }')"
	echo "nobody-info-peers $(as cat "$m/$r/pipes/0/info" | awk '$1 == "peers:" { print $2 }')"
	echo "nobody-ls-endpoint $(as ls -A "$m/$r/pipes/0" | tr '\n' ' ')"
	echo "nobody-readlink-peer $(as readlink "$m/$r/pipes/0/$w:1" >/dev/null 2>&1 && echo found || echo none)"
	echo "root-info-peers $(awk '$1 == "peers:" { print $2 }' "$m/$r/pipes/0/info")"
	echo "root-ls-endpoint $(ls -A "$m/$r/pipes/0" | tr '\n' ' ')"
} >"$out.res" 2>&1
fusermount3 -u "$m"
HP
unshare -m --propagation private bash "$TESTDIR/hidepid.sh" "$IPCFS" "$TESTDIR" "$NOBODY" "$TTL" \
	</dev/null >"$TESTDIR/hp.out" 2>&1
declare -A HP=()
while read -r k v; do HP[$k]=$v; done <"$TESTDIR/hp.res" 2>/dev/null
read -r hw hr <<<"${HP[pids]:-}"
if [ -z "$hw" ]; then
	t_fail "hidepid scenario ran" "$(cat "$TESTDIR/hp.out" "$TESTDIR/hp.err" "$TESTDIR/hp.log" 2>&1)"
else
	t_is "${HP[proc-nobody-sees-writer]}" no "kernel: /proc with hidepid=invisible hides root's writer from nobody"
	t_is "${HP[root-lists]}" 2 "root: ls MNT lists both ends"
	t_is "${HP[nobody-lists-writer]} ${HP[nobody-lists-reader]}" "0 1" \
		"nobody: ls MNT lists its reader, not root's writer (even after root looked it up)"
	t_is "${HP[nobody-stat-writer]}" 1 "nobody: stat MNT/<root's writer>: $ENOENT"
	t_is "${HP[nobody-channels-writer-rows]}" 0 "nobody: MNT/channels has no row of the writer"
	t_is "${HP[nobody-channels-reader-peers]}|${HP[nobody-info-peers]}" "-|-" \
		"nobody: its reader's PEERS and info peers do not name the hidden writer"
	t_is "${HP[nobody-ls-endpoint]}|${HP[nobody-readlink-peer]}" "info|none" \
		"nobody: its reader's endpoint lists no link to the hidden writer, and finds none"
	t_is "${HP[root-info-peers]}|${HP[root-ls-endpoint]}" "$hw:1|$hw:1 info" \
		"root: the reader's peer is the writer, in info and as a link"
fi

t_done
