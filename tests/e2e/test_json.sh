#!/bin/bash
# tests/e2e/test_json.sh — MNT/channels.json and MNT/<pid>/channels.json end
# to end (issue 13, item 2): real processes (fieldmaker.py names) with
# hostile names — command names, a unix socket path, an abstract name, a
# FIFO path and a memfd name holding quotes, backslashes, tabs, newlines,
# NULs and bytes that are no UTF-8 — read back with python3's json and jq.
#
#   IPCFS=build/ipcfs bash tests/e2e/test_json.sh
#
# Expectations come from what fieldmaker made (its report: raw bytes in
# hex), from MNT/channels and the info files (json_check.py compares them),
# and from the escaping rule worked out by hand for a few names.

# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"
e2e_init
NOBODY=65534
CHECK=(python3 "$E2E_DIR/json_check.py")

section "start the processes"
# 9000 pipes, 18000 endpoints: a table large enough to be rendered in
# parts on several threads.  Started first, so that the processes after it
# (fieldmaker's) fall in another part.
MANY_PIPES=9000
exec {many_fd}< <(exec python3 -c '
import os, resource, sys, time
n = int(sys.argv[1])
resource.setrlimit(resource.RLIMIT_NOFILE, (2 * n + 64, 2 * n + 64))
pipes = [os.pipe() for _ in range(n)]
print("ready", flush=True)
time.sleep(3600)' "$MANY_PIPES")
MANY=$!
_e2e_pids+=("$MANY")
read -r -t 20 -u "$many_fd" line || line=
exec {many_fd}<&-
t_is "$line" "ready" "a process holds $MANY_PIPES pipes ($MANY)"

mkdir "$TESTDIR/names" && chmod 755 "$TESTDIR/names"
fieldmaker_start names "$TESTDIR/names" "$NOBODY"
A=${FM_PID[a]} B=${FM_PID[b]} U=${FM_PID[u]}
t_ok "fieldmaker made a, b and u ($A $B $U)" test -n "$A" -a -n "$B" -a -n "$U"

section "mount"
# A ttl longer than the test: every file read below is one snapshot, so
# the tables compared are of the same moment on a busy host.
ipcfs_mount 600
diag "ipcfs pid $IPCFS_PID on $MNT"

section "MNT/channels.json: valid JSON, one object per line"
J=$TESTDIR/root.json CH=$TESTDIR/root.channels
cat "$MNT/channels.json" >"$J" 2>&1
cat "$MNT/channels" >"$CH" 2>&1
t_is "$("${CHECK[@]}" doc "$J" 2>&1)" "" \
	"python3 reads it as strict UTF-8 and JSON: a [ line, objects one per line joined by ',', a ] line"
t_is "$(jq -r 'type' "$J" 2>&1)" "array" "jq reads it: an array"
t_is "$(grep -c '^{' "$J")" "$(jq length "$J" 2>&1)" "grep counts one line per object"

section "a table of 18000 rows and more: every process's rows once, as its own table has them"
for pid in $(ls "$MNT" | grep -x '[0-9]*'); do
	tail -n +2 "$MNT/$pid/channels"
done | sort >"$TESTDIR/per-process.rows"
# (and its stdout's pipe, and those python may hold)
t_ok "the holder's $((2 * MANY_PIPES)) pipe ends and more" \
	test "$(grep -c "^pipes	$MANY	" "$CH")" -ge $((2 * MANY_PIPES))
t_ok "MNT/channels has more rows than one thread renders" test "$(wc -l <"$CH")" -gt 16384
t_is "$(tail -n +2 "$CH" | sort | cmp - "$TESTDIR/per-process.rows" 2>&1)" "" \
	"MNT/channels: the rows of every MNT/<pid>/channels, none twice, none lost"

section "every endpoint of channels is in channels.json, with the same peers"
t_is "$("${CHECK[@]}" same "$CH" "$J" 2>&1)" "" \
	"the same (kind, pid, name) set, comm, access, id and peers as MNT/channels"

section "hostile names: escaped as info values, every byte back"
t_is "$("${CHECK[@]}" maker "$TESTDIR/fieldmaker.out" "$J" 2>&1)" "" \
	"comm and paths decode (JSON, then \\ooo) to the bytes fieldmaker used"
# worked out by hand from fieldmaker.py's names: below 0x20, 0x7f, backslash
# and bytes outside valid UTF-8 as \ooo; valid UTF-8 kept
t_is "$(jq -r "[.[] | select(.pid == $A)][0].comm" "$J" 2>&1)" \
	'q"b\134s\011x\012\377\300\257' "a's comm: quote kept, backslash, tab, newline, 0xff, overlong '/' escaped"
t_is "$(jq -r "[.[] | select(.pid == $B)][0].comm" "$J" 2>&1)" \
	'\355\240\200 t\011"\134\177' "b's comm: a surrogate (ED A0 80) and DEL escaped"
ABSTRACT_SOCK="select(.pid == $A and .kind == \"unix\" and (.path // \"\" | startswith(\"@\")))"
LISTENER="select(.pid == $A and .kind == \"unix\" and .state == \"listen\" and (.path | startswith(\"/\")))"
t_is "$(jq -r ".[] | $ABSTRACT_SOCK | .path" "$J" 2>&1)" \
	'@ab"s\134\012\000z\364\220\200\200' "a's abstract name: its NUL, and F4 90 80 80 (past U+10FFFF) escaped"
t_is "$(jq -r ".[] | select(.pid == $B and .kind == \"fifos\") | .path" "$J" 2>&1)" \
	"$TESTDIR/names/fi\\011fo \"\\134\\012\\342\\202 $(printf '\360\237\230\200')" \
	"b's FIFO: a cut-short E2 82 escaped, a 4-byte character kept"

section "typed values"
t_is "$(jq -r ".[] | $LISTENER |
	[.fd, .id, .rqueue, .wqueue, .pending, .peer_id, .peers] | map(type) | join(\" \")" "$J" 2>&1)" \
	"number number number number number null array" "a's listener: numbers, peer_id null, peers an array"
t_is "$(jq -r ".[] | select(.pid == $B and .kind == \"memfd\") | [.size, .mapped] | map(type) | join(\" \")" \
	"$J" 2>&1)" "number boolean" "b's memfd: size a number, mapped a boolean"
t_is "$(jq -c ".[] | select(.pid == $B and .kind == \"unix\") | .peers" "$J" 2>&1)" \
	"[{\"pid\":$A,\"kind\":\"unix\",\"name\":\"5\"}]" "b's client: its peer as {pid, kind, name}"
t_is "$(jq -r ".[] | select(.pid == $B and .kind == \"unix\") | .path" "$J" 2>&1)" "null" \
	"an unnamed socket's path is null (info: -)"

section "info and channels.json: the same keys and values"
t_is "$("${CHECK[@]}" info "$MNT" "$J" "$A" "$B" "$U" 2>&1)" "" \
	"each endpoint of a, b, u: info's keys in order, numbers, null as -, booleans as yes/no, peers"

section "MNT/<pid>/channels.json"
for role in a b u; do
	pid=${FM_PID[$role]}
	cat "$MNT/$pid/channels.json" >"$TESTDIR/$role.json" 2>&1
	cat "$MNT/$pid/channels" >"$TESTDIR/$role.channels" 2>&1
	t_is "$("${CHECK[@]}" doc "$TESTDIR/$role.json" 2>&1)" "" "MNT/<$role>/channels.json: valid, one object per line"
	t_is "$("${CHECK[@]}" same "$TESTDIR/$role.channels" "$TESTDIR/$role.json" 2>&1)" "" \
		"MNT/<$role>/channels.json holds what MNT/<$role>/channels does"
	t_is "$(grep "^{\"kind\":\"[a-z0-9]*\",\"pid\":$pid," "$J" | sed 's/,$//')" \
		"$(grep '^{' "$TESTDIR/$role.json" | sed 's/,$//')" \
		"MNT/<$role>/channels.json: the same lines as MNT/channels.json for $role"
done

section "as nobody: the rows of its own processes, as channels shows them"
as_user "$NOBODY" cat "$MNT/channels.json" >"$TESTDIR/nobody.json" 2>&1
as_user "$NOBODY" cat "$MNT/channels" >"$TESTDIR/nobody.channels" 2>&1
t_is "$("${CHECK[@]}" doc "$TESTDIR/nobody.json" 2>&1)" "" "nobody's channels.json is valid"
t_is "$("${CHECK[@]}" same "$TESTDIR/nobody.channels" "$TESTDIR/nobody.json" 2>&1)" "" \
	"nobody's channels.json holds exactly nobody's channels rows"
t_is "$(jq -r "[.[] | .pid] | unique | map(select(. == $A or . == $B or . == $U)) | join(\" \")" \
	"$TESTDIR/nobody.json" 2>&1)" "$U" "nobody sees u (its own), not root's a and b"
t_is "$(jq -r "[.[] | .pid | tostring] | unique | .[]" "$TESTDIR/nobody.json" 2>&1 |
	while read -r p; do stat -c %u "/proc/$p/fd" 2>/dev/null; done | sort -u | tr '\n' ' ')" "$NOBODY " \
	"every process nobody sees has its /proc/<pid>/fd owned by nobody"

t_done
