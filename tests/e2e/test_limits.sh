#!/usr/bin/env bash
# End-to-end: no user grows the daemon at will.  Opens of one file of one
# snapshot by callers shown the same text share one rendering; the text a
# user other than root holds open is limited (-o max_user_mb); memory goes
# back when the opens close.  The user is nobody, holding thousands of
# sockets and thousands of opens of its own MNT/<pid>/channels.
. "$(dirname "$0")/lib.sh"
e2e_init

NOBODY=65534
OPENS=2000
# the system's python, which nobody may run (not a per-user install)
PY=/usr/bin/python3
[ -x "$PY" ] || PY=$(command -v python3)

# rss_kb PID : the daemon's resident set, in KiB
rss_kb() { awk '$1 == "VmRSS:" { print $2 }' "/proc/$1/status"; }

# The user's process: 3000 socketpairs (a channels table of 6000 rows),
# then what the test says on stdin, answering each on stdout.
cat >"$TESTDIR/holder.py" <<'PY'
import errno, os, resource, socket, sys, time
mnt = sys.argv[1]
hard = resource.getrlimit(resource.RLIMIT_NOFILE)[1]
resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
pairs = [socket.socketpair() for _ in range(3000)]
print("ready", os.getpid(), flush=True)
path = "%s/%d/channels" % (mnt, os.getpid())
fds = []
for line in sys.stdin:
    cmd = line.split()
    if cmd[0] in ("open", "slowopen"):  # open N times, read a byte of each
        err = "-"
        for _ in range(int(cmd[1])):
            if cmd[0] == "slowopen":    # each of a snapshot of its own
                time.sleep(0.1)
            try:
                fd = os.open(path, os.O_RDONLY)
            except OSError as e:
                err = errno.errorcode.get(e.errno, str(e.errno))
                break
            fds.append(fd)
            os.read(fd, 1)
        print("open", len(fds), err, flush=True)
    elif cmd[0] == "close":
        for fd in fds:
            os.close(fd)
        fds = []
        print("closed", flush=True)
PY
chmod 644 "$TESTDIR/holder.py"

# holder_start MNT : nobody's process, talking through HOLDER[0/1]
holder_start() {
	coproc HOLDER { exec setpriv --reuid="$NOBODY" --regid="$NOBODY" --clear-groups \
		"$PY" "$TESTDIR/holder.py" "$1" 2>&1; }
	_e2e_pids+=("$HOLDER_PID")
	IFS= read -r -t 20 -u "${HOLDER[0]}" line
	[[ $line =~ ^ready\ ([0-9]+)$ ]] || bail_out "the holder did not start: $line"
	HPID=${BASH_REMATCH[1]}
}
# holder CMD : send CMD, the answer in REPLY
holder() {
	printf '%s\n' "$*" >&"${HOLDER[1]}"
	IFS= read -r -t 120 -u "${HOLDER[0]}" REPLY || REPLY="(no answer)"
}
holder_stop() {
	exec {HOLDER[1]}>&-
	stop_pid "$HOLDER_PID"
}

# ======================================================================
section "$OPENS opens of one file share one rendering"
# ======================================================================
ipcfs_mount 60
holder_start "$MNT"
poll_until 10 test -e "$MNT/$HPID/unix" || bail_out "the holder's sockets are not in MNT within 10 s"
rows=$(awk -F'\t' '$1 == "unix"' "$MNT/$HPID/channels" | wc -l)
size=$(wc -c <"$MNT/$HPID/channels")
t_is "$rows" 6000 "MNT/<holder>/channels: 6000 socket rows ($size bytes)"
rest=$(rss_kb "$IPCFS_PID")
holder open "$OPENS"
t_is "$REPLY" "open $OPENS -" "nobody opens its channels $OPENS times"
held=$(rss_kb "$IPCFS_PID")
grew=$((held - rest))
# unshared, that would be $OPENS copies: $((OPENS * size / 1024)) KiB
t_ok "the daemon grew by less than 16 MiB holding them (grew $grew KiB; one copy each would be $((OPENS * size / 1024)) KiB)" \
	test "$grew" -lt 16384
holder close
t_is "$REPLY" closed "nobody closes them"
back=$(rss_kb "$IPCFS_PID")
t_ok "after the closes the daemon is back within 4 MiB of its size before ($rest KiB before, $back KiB after)" \
	test "$((back - rest))" -lt 4096
holder_stop

# ======================================================================
section "a user's open texts are limited (-o max_user_mb=1)"
# ======================================================================
# a short ttl: the opens, one per snapshot, share nothing
ipcfs_mount 0.05 -o max_user_mb=1
holder_start "$MNT"
poll_until 10 test -e "$MNT/$HPID/unix" || bail_out "the holder's sockets are not in MNT within 10 s"
per=$(( (1 << 20) / size ))
holder slowopen 50
t_is "$REPLY" "open $per EMFILE" \
	"nobody's opens are refused with EMFILE once it holds 1 MiB ($per texts of $size bytes)"
t_is "$(awk -F'\t' '$1 == "unix"' "$MNT/$HPID/channels" | wc -l)" 6000 "root is not limited meanwhile"
holder close
holder open 1
t_is "$REPLY" "open 1 -" "once its opens are closed, nobody may open again"
holder close
holder_stop

# ======================================================================
section "a user's semaphore sets cost a build a bounded number of calls"
# ======================================================================
# nobody makes 4 sets of 32000 semaphores; each semaphore's last pid is
# one semctl GETPID, so reading them all would be 128000 calls per build
if ! command -v strace >/dev/null; then
	diag "strace is not installed: the count of semctl calls is skipped"
else
	SEMS=$(setpriv --reuid="$NOBODY" --regid="$NOBODY" --clear-groups "$PY" -c '
import ctypes
libc = ctypes.CDLL(None, use_errno=True)
ids = [libc.semget(0, 32000, 0o600 | 0o1000) for _ in range(4)]
print(" ".join(map(str, ids)))')
	trap 'for id in $SEMS; do ipcrm -s "$id" 2>/dev/null; done; _e2e_cleanup' EXIT
	[[ $SEMS =~ ^[0-9]+(\ [0-9]+){3}$ ]] || bail_out "semget as nobody failed: $SEMS"
	ipcfs_mount 0.2
	# builds with the sets, counted: strace follows every thread; each
	# build reads /proc/sysvipc/sem once
	strace -f -qq -e trace=semctl,openat -o "$TESTDIR/semctl.trace" -p "$IPCFS_PID" &
	strace_pid=$!
	strace_ready() { [ -n "$(awk '$1 == "TracerPid:" && $2 != 0' "/proc/$IPCFS_PID/status")" ]; }
	poll_until 10 strace_ready || diag "strace did not attach within 10 s"
	# read until a read builds (the snapshot of the mount may still be
	# fresh): a build shows as the open of /proc/sysvipc/sem
	built() { head -c 1 "$MNT/channels" >/dev/null; grep -q 'sysvipc/sem' "$TESTDIR/semctl.trace"; }
	poll_until 10 built || diag "no build seen within 10 s"
	kill -INT "$strace_pid"; wait "$strace_pid" 2>/dev/null
	calls=$(grep -c 'GETPID' "$TESTDIR/semctl.trace")
	builds=$(grep -c 'sysvipc/sem' "$TESTDIR/semctl.trace")
	t_ok "each build made at most 16384 GETPID calls with nobody's 128000 semaphores ($calls calls in $builds builds)" \
		test "$builds" -ge 1 -a "$calls" -le $((16384 * builds)) -a "$calls" -gt 0
	for id in $SEMS; do ipcrm -s "$id"; done
	trap _e2e_cleanup EXIT
fi

t_done
