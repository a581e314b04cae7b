#!/bin/bash
# tests/e2e/test_vsock.sh — ipcfs end to end for vsock sockets (issue 12):
# a real process (chanmaker vsock) holding a vsock stream listener and,
# where the kernel has vsock loopback, a client connected to it through
# cid 1 and the accepted end, checked with ls, cat, readlink and find.
#
#   IPCFS=build/ipcfs CHANMAKER=build/tests/chanmaker bash tests/e2e/test_vsock.sh
#
# ipcfs learns of vsock sockets only from vsock_diag.  Where the kernel
# has none (chanmaker asks it and says so), the sockets cannot be shown:
# the endpoint checks are skipped (a "# SKIP" line says why) and what is
# checked is that nothing breaks: MNT/<pid>/vsock is an empty directory
# that can be looked up, the listener's fd shows nowhere, ipcfs logs
# nothing, and the daemon asks the kernel once for its whole life, not once
# per build (strace, a test-only tool, counts its sock_diag requests).
# Expectations come from what chanmaker reports (cm_load in lib.sh): the
# addresses from getsockname/getpeername, peers from which socket it
# connected where.

# (results come back through namerefs: slurp)
# shellcheck disable=SC2154
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"
e2e_init

section "start the process"
cm_start vs vsock
cm_load
line=$(grep '^vsock ' "$TESTDIR/cm.vs")
[[ $line =~ ^vsock\ af=([01])\ diag=([01])\ loopback=([01-])$ ]] ||
	bail_out "chanmaker vsock said no 'vsock af= diag= loopback=' line: $line"
AF=${BASH_REMATCH[1]} DIAG=${BASH_REMATCH[2]} LOOPBACK=${BASH_REMATCH[3]}
diag "kernel: AF_VSOCK sockets $AF, vsock_diag $DIAG, vsock loopback $LOOPBACK"
PID=${TAG_PIDS[vs]}
WANT_EPS=0
((DIAG)) && WANT_EPS=1
[ "$LOOPBACK" = 1 ] && WANT_EPS=3
t_is "$EP_N" "$WANT_EPS" "chanmaker reported the vsock sockets the kernel can show (checks the harness)"

section "mount (ipcfs under strace, counting its sock_diag requests)"
TRACE=$TESTDIR/sendto.trace
if command -v strace >/dev/null; then
	REAL_IPCFS=$IPCFS
	IPCFS=$TESTDIR/ipcfs-traced
	# LeakSanitizer cannot run under ptrace (a sanitized build): off here,
	# the other tests check the daemon for leaks
	printf '#!/bin/sh\nASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0 exec strace -f -qq -e trace=sendto -o "%s" "%s" "$@"\n' \
		"$TRACE" "$REAL_IPCFS" >"$IPCFS"
	chmod +x "$IPCFS"
else
	diag "strace is not installed: the count of vsock_diag requests is skipped"
fi
ipcfs_mount 0.3
diag "ipcfs (or strace) pid $IPCFS_PID on $MNT"
# builds past the first: a read once the snapshot is older than the ttl
for _ in 1 2 3; do
	cat "$MNT/channels" >/dev/null
	sleep 0.35
done
cat "$MNT/channels" >"$TESTDIR/channels" 2>&1

if ((DIAG)); then
	t_endpoints "$PID" "$PID (vs)"
	[ "$LOOPBACK" = 1 ] || diag "no vsock loopback: only the listener (no peers) is checked"
else
	_t_n=$((_t_n + 1))
	printf 'ok %d - vsock: endpoints and peers skipped, kernel has no vsock_diag # SKIP %s\n' \
		"$_t_n" "$([ "$AF" = 1 ] && echo "kernel has no vsock_diag" || echo "kernel has no AF_VSOCK")"
	section "no vsock_diag: nothing to show, nothing breaks"
	t_is "$(ls -A "$MNT/$PID/vsock" 2>&1)|$(stat -c %F "$MNT/$PID/vsock" 2>&1)" "|directory" \
		"MNT/$PID/vsock: an empty directory that can be looked up"
	t_is "$(ls -A "$MNT/$PID" 2>&1)" "$(printf '%s\n' $PROC_FILES | sort)" \
		"ls MNT/$PID: no kind listed (its vsock listener cannot be shown)"
	t_is "$(stat -c %F "$MNT/$PID/vsock/3" 2>&1 | grep -c 'No such file')" 1 \
		"MNT/$PID/vsock/3: no such endpoint"
	t_is "$(awk -F'\t' -v p="$PID" '$2 == p || $1 == "vsock"' "$TESTDIR/channels" | wc -l)" 0 \
		"channels: no row of $PID's, no vsock row at all"
fi

section "the daemon's log and requests"
t_is "$(grep -ci vsock "$TESTDIR/ipcfs0.log")" 0 "ipcfs logged nothing about vsock"
if [ -n "${REAL_IPCFS:-}" ]; then
	ipcfs_unmount_all
	unix_requests=$(grep -c 'family=AF_UNIX' "$TRACE")
	vsock_requests=$(grep -c 'family=AF_VSOCK' "$TRACE")
	t_ok "ipcfs built 3 snapshots or more ($unix_requests unix_diag requests)" \
		test "$unix_requests" -ge 3
	if ((DIAG)); then
		t_ok "a vsock_diag request per build and namespace ($vsock_requests)" \
			test "$vsock_requests" -ge "$unix_requests"
	else
		t_is "$vsock_requests" 1 \
			"without vsock_diag: one request in the daemon's life, the ENOENT remembered"
	fi
fi

t_done
