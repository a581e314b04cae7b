#!/usr/bin/env bash
# End-to-end: MNT/events.  Readers held open on a real mount (python with
# poll on an O_NONBLOCK open, a blocking cat, one that never reads, one as
# nobody) while real processes come and go: a chanmaker process with a
# pipe, a unix socketpair and an eventfd (as root and as nobody), and a
# process opening and closing many pipes.  Each change must arrive once, in
# order, within two ttl; poll must wake; a reader that never reads gets
# "lost N"; nobody sees none of root's rows; readers of one viewer (two
# as root, two as nobody) get the same bytes; SIGINT ends a blocked cat at
# once; nothing is built while no reader is open; and a daemon stopped
# while a read waits answers it (end of file) and exits cleanly.
. "$(dirname "$0")/lib.sh"
e2e_init

NOBODY=65534
# a uid without processes: a reader of its own sees no line (other tests
# on the host may run processes as nobody)
LONER=64999
TTL=${E2E_EVENTS_TTL:-0.5}
# a build's own duration on a busy (or sanitized) host, on top of the ttl,
# before a line is in a reader's hands
SLACK=${E2E_EVENTS_SLACK:-3}
# the system's python, which nobody may run
PY=/usr/bin/python3
[ -x "$PY" ] || PY=$(command -v python3)

# The reader: "poll" opens with O_NONBLOCK, says what a first read gave,
# then reads only when poll says so, writing "<receive time>\t<line>" for
# each line and "#poll" for each wake-up ("#spurious" when it had
# nothing); "hold" opens, says ready, and reads nothing until a line comes
# on stdin, then everything there is.
cat >"$TESTDIR/reader.py" <<'PY'
import errno, fcntl, os, select, sys, time
path, mode = sys.argv[1], sys.argv[2]
out = sys.stdout

def drain(fd, stamp):
    rest, got = b"", False
    while True:
        try:
            chunk = os.read(fd, 65536)
        except OSError as e:
            if e.errno == errno.EAGAIN:
                return got
            raise
        if not chunk:
            sys.exit(0)
        got = True
        lines = (rest + chunk).split(b"\n")
        rest = lines.pop()
        now = time.time()
        for line in lines:
            text = line.decode("ascii", "backslashreplace")
            out.write("%.6f\t%s\n" % (now, text) if stamp else text + "\n")
        out.flush()

if mode == "poll":
    fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
    try:
        os.read(fd, 65536)
        print("first-read data", flush=True)
    except OSError as e:
        print("first-read", errno.errorcode[e.errno], flush=True)
    print("ready", flush=True)
    p = select.poll()
    p.register(fd, select.POLLIN)
    while True:
        p.poll()
        print("#poll", flush=True)
        if not drain(fd, True):
            print("#spurious", flush=True)
else:
    fd = os.open(path, os.O_RDONLY)
    print("ready", flush=True)
    sys.stdin.readline()
    print("#read-at %.9f" % time.time(), flush=True)
    fcntl.fcntl(fd, fcntl.F_SETFL, os.O_NONBLOCK)
    drain(fd, False)
    print("done", flush=True)
PY
# The churner: "churn N" opens N pipes and says the last fd; "close"
# closes them.
cat >"$TESTDIR/churn.py" <<'PY'
import os, resource, sys
hard = resource.getrlimit(resource.RLIMIT_NOFILE)[1]
resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
print("ready", os.getpid(), flush=True)
fds = []
for line in sys.stdin:
    cmd = line.split()
    if cmd[0] == "churn":
        for _ in range(int(cmd[1])):
            fds.extend(os.pipe())
        print("churned", max(fds), flush=True)
    elif cmd[0] == "close":
        for fd in fds:
            os.close(fd)
        fds = []
        print("closed", flush=True)
PY
chmod 644 "$TESTDIR/reader.py" "$TESTDIR/churn.py"

# exec_cat FILE : cat FILE with SIGINT as by default (a background job's
# is ignored, and exec keeps that)
exec_cat() { exec "$PY" -c 'import os, signal, sys
signal.signal(signal.SIGINT, signal.SIG_DFL)
os.execvp("cat", ["cat", sys.argv[1]])' "$1"; }

# in_read PID : PID sleeps in read(2)
case $(uname -m) in x86_64) READ_NR=0 ;; aarch64) READ_NR=63 ;; *) READ_NR= ;; esac
in_read() {
	local s
	slurp s "/proc/$1/syscall" || return 1
	[ -z "$READ_NR" ] || [ "${s%% *}" = "$READ_NR" ]
}

# events_thread : the daemon's events thread runs
events_thread() { grep -qx ipcfs-events /proc/"$IPCFS_PID"/task/*/comm 2>/dev/null; }
# rchar : bytes the daemon has read so far (a build reads /proc)
rchar() { awk '$1 == "rchar:" { print $2 }' "/proc/$IPCFS_PID/io"; }
# quiet_window DESC : the daemon reads nothing for 3 ttl (no request comes)
quiet_window() {
	local r0 r1
	r0=$(rchar)
	sleep "$(awk -v t="$TTL" 'BEGIN { print 3 * t }')"
	r1=$(rchar)
	t_ok "$1 (the daemon read $((r1 - r0)) bytes in 3 ttl; a build reads $BUILD_BYTES)" \
		test "$((r1 - r0))" -lt 4096
}

# since FILE T0 [T1] : the events lines of a poll reader's output (receive
# time dropped) or a cat's whose TIME is after T0 (and before T1)
since() { awk -F'\t' -v a="$2" -v b="${3:-}" '{ if (NF == 9) $0 = substr($0, index($0, "\t") + 1) }
	NF == 8 && $1 > a && (b == "" || $1 < b)' "$1"; }

# lines_of FILE PID [SIGN] : the events lines of process PID in a poll
# reader's output, receive time dropped ("TIME SIGN KIND PID COMM NAME
# PEERS DETAIL")
lines_of() { awk -F'\t' -v p="$2" -v s="${3:-}" 'NF == 9 && $5 == p && (s == "" || $3 == s)' "$1" | cut -f2-; }

# want_seq TAG : what chanmaker's report says the lines of its process
# are, "SIGN KIND COMM NAME PEERS": each endpoint appears, then each
# vanishes, in the snapshot's order (kind, then fd) as the report lists
# them
want_seq() {
	local sign i out=
	for sign in + -; do
		for ((i = 0; i < EP_N; i++)); do
			[ "${EP_TAG[i]}" = "$1" ] || continue
			out+="$sign ${EP_KIND[i]} ${EP_COMM[i]} ${EP_NAME[i]} ${EP_PEERS[i]}$NL"
		done
	done
	printf '%s' "$out"
}
# got_seq TEXT PID NAMES : the lines of TEXT (no receive time) of PID
# about the endpoints NAMES, as want_seq writes them (peers sorted)
got_seq() {
	local t s k p c n pe d out=
	while IFS=$TAB read -r t s k p c n pe d; do
		[ "$p" = "$2" ] && [[ " $3 " == *" $n "* ]] || continue
		norm_list pe "$pe"
		out+="$s $k $c $n $pe$NL"
	done <<<"$1"
	printf '%s' "$out"
}

# "Within two ttl" holds while a build takes less than the ttl (a slower
# one is served for a ttl after it ends): on a host where a build takes
# more than half the ttl, the streams are read on a mount with a ttl of
# twice the build.
ipcfs_mount "$TTL"
sleep "$TTL"
t0=$EPOCHREALTIME
head -c 1 "$MNT/channels" >/dev/null
build_us=$(( ${EPOCHREALTIME/./} - ${t0/./} ))
slow=$(awk -v b="$build_us" -v t="$TTL" 'BEGIN { if (2 * b / 1e6 > t) printf "%.1f", 2 * b / 1e6 + 0.05 }')
if [ -n "$slow" ]; then
	diag "a build took $((build_us / 1000)) ms: ttl $slow instead of $TTL"
	TTL=$slow
	ipcfs_mount "$TTL"
fi
EV=$MNT/events

# ======================================================================
section "the file"
# ======================================================================
t_is "$(stat -c '%F %s %a' "$EV" 2>&1)" "regular empty file 0 444" "MNT/events: a regular file, size 0, mode 0444"
t_is "$("$PY" -c 'import errno, os, sys
fd = os.open(sys.argv[1], os.O_RDONLY | os.O_NONBLOCK)
try:
    os.lseek(fd, 0, os.SEEK_SET); print("seeked")
except OSError as e:
    print(errno.errorcode[e.errno])' "$EV" 2>&1)" ESPIPE "MNT/events is not seekable (lseek: ESPIPE)"
t_errs "MNT/events cannot be opened for writing" "Read-only file system" sh -c ': >>"$1"' sh "$EV"

# ======================================================================
section "no reader: nothing is built"
# ======================================================================
# what one build reads: a read of channels once the snapshot is stale
sleep "$TTL"
b0=$(rchar)
head -c 1 "$MNT/channels" >/dev/null
BUILD_BYTES=$(( $(rchar) - b0 ))
t_ok "a build shows in the daemon's read bytes ($BUILD_BYTES)" test "$BUILD_BYTES" -gt 16384
t_ok "no events thread (one open and closed above has ended its own)" poll_until 5 eval '! events_thread'
quiet_window "nothing is built while no reader is open and no request comes"

# ======================================================================
section "readers"
# ======================================================================
"$PY" "$TESTDIR/reader.py" "$EV" poll >"$TESTDIR/poll.root" 2>&1 &
POLL_ROOT=$!
_e2e_pids+=("$POLL_ROOT")
# (setpriv itself in the background, so that $! is the reader's pid)
setpriv --reuid="$NOBODY" --regid="$NOBODY" --clear-groups \
	"$PY" "$TESTDIR/reader.py" "$EV" poll >"$TESTDIR/poll.nobody" 2>&1 &
POLL_NOBODY=$!
_e2e_pids+=("$POLL_NOBODY")
# a second reader of the same viewer: the same lines, byte for byte
setpriv --reuid="$NOBODY" --regid="$NOBODY" --clear-groups \
	"$PY" "$TESTDIR/reader.py" "$EV" poll >"$TESTDIR/poll.nobody2" 2>&1 &
POLL_NOBODY2=$!
_e2e_pids+=("$POLL_NOBODY2")
# the holding reader takes its word on a FIFO (one coprocess at a time)
mkfifo "$TESTDIR/hold.in"
"$PY" "$TESTDIR/reader.py" "$EV" hold <"$TESTDIR/hold.in" >"$TESTDIR/hold.out" 2>&1 &
HOLD_PID=$!
_e2e_pids+=("$HOLD_PID")
exec {HOLD_IN}>"$TESTDIR/hold.in"
exec_cat "$EV" >"$TESTDIR/cat.root" 2>&1 &
CAT_ROOT=$!
_e2e_pids+=("$CAT_ROOT")
poll_until 10 grep -qx ready "$TESTDIR/poll.root" || bail_out "the root poll reader did not start: $(cat "$TESTDIR/poll.root")"
poll_until 10 grep -qx ready "$TESTDIR/poll.nobody" || bail_out "nobody's poll reader did not start: $(cat "$TESTDIR/poll.nobody")"
poll_until 10 grep -qx ready "$TESTDIR/poll.nobody2" || bail_out "nobody's second poll reader did not start: $(cat "$TESTDIR/poll.nobody2")"
poll_until 10 grep -qx ready "$TESTDIR/hold.out" || bail_out "the holding reader did not start: $(cat "$TESTDIR/hold.out")"
poll_until 10 in_read "$CAT_ROOT" || bail_out "cat did not come to read MNT/events"
# every reader is open: the lines of snapshots begun from now on are
# every reader's (those of an earlier one may come to some only)
T_OPEN=$EPOCHREALTIME
t_is "$(head -n 1 "$TESTDIR/poll.root")" "first-read EAGAIN" "O_NONBLOCK: a read right after open gives EAGAIN (root)"
t_is "$(head -n 1 "$TESTDIR/poll.nobody")" "first-read EAGAIN" "O_NONBLOCK: a read right after open gives EAGAIN (nobody)"
t_ok "the events thread runs while readers are open" events_thread

# ======================================================================
section "a process with a pipe, a socketpair and an eventfd comes and goes"
# ======================================================================
cm_start mix mixed
t_ready=$EPOCHREALTIME
cm_start_as "$NOBODY" umix mixed
cm_load
MIX=${TAG_PIDS[mix]} UMIX=${TAG_PIDS[umix]}
NAMES="3 4 5 6 7"
# all five appear, in each poll reader
appeared() { [ "$(lines_of "$1" "$2" + | cut -f6 | grep -cx '[3-7]')" -ge 5 ]; }
poll_until 10 appeared "$TESTDIR/poll.root" "$MIX" || diag "root's process did not appear in 10 s"
poll_until 10 appeared "$TESTDIR/poll.nobody" "$UMIX" || diag "nobody's process did not appear in 10 s"
t_stop0=$EPOCHREALTIME
cm_stop mix
cm_stop umix
t_stop=$EPOCHREALTIME
vanished() { [ "$(lines_of "$1" "$2" - | cut -f6 | grep -cx '[3-7]')" -ge 5 ]; }
poll_until 10 vanished "$TESTDIR/poll.root" "$MIX" || diag "root's process did not vanish in 10 s"
poll_until 10 vanished "$TESTDIR/poll.nobody" "$UMIX" || diag "nobody's process did not vanish in 10 s"

want=$(want_seq mix)
t_is "$(got_seq "$(lines_of "$TESTDIR/poll.root" "$MIX")" "$MIX" "$NAMES")" "$want" \
	"poll reader (root): each endpoint appears once with its peers, then vanishes once with them"
t_is "$(got_seq "$(lines_of "$TESTDIR/poll.nobody" "$UMIX")" "$UMIX" "$NAMES")" "$(want_seq umix)" \
	"poll reader (nobody): the same for nobody's process"
t_is "$(lines_of "$TESTDIR/poll.nobody" "$MIX")" "" "nobody's reader shows none of root's process's rows"
t_is "$(grep -c "$TAB$MIX:[3-7]$TAB" "$TESTDIR/poll.nobody")" 0 "nobody's reader names none of root's endpoints as peers"
poll_until 10 vanished "$TESTDIR/poll.nobody2" "$UMIX" || diag "nobody's process did not vanish in 10 s for the second reader"
seen=$(since "$TESTDIR/poll.nobody" "$T_OPEN")
t_ok "nobody's reader got its process's 10 lines since every reader was open" \
	test "$(awk -F'\t' -v p="$UMIX" '$4 == p' <<<"$seen" | wc -l)" -eq 10
t_is "$(since "$TESTDIR/poll.nobody2" "$T_OPEN")" "$seen" \
	"two readers as nobody get the same lines, byte for byte, since both were open ($(wc -l <<<"$seen") lines)"
t_is "$(lines_of "$TESTDIR/poll.root" "$UMIX")" "$(lines_of "$TESTDIR/poll.nobody" "$UMIX")" \
	"root's reader gets the lines of nobody's process with the same bytes as nobody's"
# (a host busier than the backlog can lose lines even for a reader that
# keeps reading: "lost N", in a line of its own)
t_is "$(awk -F'\t' 'NF != 9 && !/^#/ && !/^first-read/ && $0 != "ready" && $2 !~ /^lost [0-9]+$/' \
	"$TESTDIR/poll.root" | head -3)" "" \
	"every line the root reader got has 8 tab-separated fields, or is 'lost N'"
t_is "$(awk -F'\t' 'NF == 9 && ($2 !~ /^[0-9]+\.[0-9]+$/ || length($2) - index($2, ".") != 9 ||
	($3 != "+" && $3 != "-"))' "$TESTDIR/poll.root" | head -3)" "" \
	"TIME is seconds.nanoseconds, SIGN + or -"
# within two ttl: the build that saw a change began at most 2 ttl after
# it was done (TIME), and the line was read at most a build later
late=$(lines_of "$TESTDIR/poll.root" "$MIX" | awk -F'\t' -v a="$t_ready" -v b="$t_stop" -v t="$TTL" \
	'$6 ~ /^[3-7]$/ { lim = ($2 == "+" ? a : b) + 2 * t; if ($1 > lim) print "TIME " $1 " > " lim ": " $0 }')
t_is "$late" "" "each change is in a snapshot begun within two ttl of it (TIME)"
delay=$(awk -F'\t' -v p="$MIX" -v a="$t_ready" -v b="$t_stop" \
	'NF == 9 && $5 == p && $7 ~ /^[3-7]$/ { d = $1 - ($3 == "+" ? a : b); if (d > m) m = d } END { printf "%.3f", m }' \
	"$TESTDIR/poll.root")
t_ok "each line reached the poll reader within 2 ttl + ${SLACK} s of its change (at most $delay s)" \
	awk -v d="$delay" -v t="$TTL" -v s="$SLACK" 'BEGIN { exit !(d <= 2 * t + s) }'
t_ok "the '-' lines come from a later snapshot than the '+' lines" \
	awk -F'\t' -v p="$MIX" '$4 == p && $6 ~ /^[3-7]$/ { if ($2 == "+" && $1 > maxp) maxp = $1; if ($2 == "-" && (minm == "" || $1 < minm)) minm = $1 } END { exit !(maxp < minm) }' \
	<(lines_of "$TESTDIR/poll.root" "$MIX")
t_ok "poll woke the reader (it reads only when poll says so): $(grep -cx '#poll' "$TESTDIR/poll.nobody") wake-ups" \
	grep -qx '#poll' "$TESTDIR/poll.nobody"
t_is "$(grep -cx '#spurious' "$TESTDIR/poll.nobody")" 0 "poll never woke nobody's reader with nothing to read"

# ======================================================================
section "a reader that never reads: lost N"
# ======================================================================
T_CHURN=$EPOCHREALTIME
coproc CHURN { exec "$PY" "$TESTDIR/churn.py" 2>&1; }
_e2e_pids+=("$CHURN_PID")
IFS= read -r -t 10 -u "${CHURN[0]}" line
[[ $line =~ ^ready\ ([0-9]+)$ ]] || bail_out "the churner did not start: $line"
CP=${BASH_REMATCH[1]}
# each round: 3000 pipes (6000 '+' lines) seen by the root reader, then
# closed (6000 '-' lines) and seen too; fd numbers repeat across rounds,
# so the lines are counted
count_of() { lines_of "$TESTDIR/poll.root" "$CP" "$1" | wc -l; }
ROUNDS=3
for ((round = 1; round <= ROUNDS; round++)); do
	for step in "churn 3000" close; do
		sign=+; [ "$step" = close ] && sign=-
		n0=$(count_of "$sign")
		printf '%s\n' "$step" >&"${CHURN[1]}"
		IFS= read -r -t 20 -u "${CHURN[0]}" line
		[[ $line == churned\ * ]] && last=${line#churned }
		[[ $line =~ ^(churned\ [0-9]+|closed)$ ]] || bail_out "the churner failed: $line"
		poll_until 20 eval '[ "$(count_of "$sign")" -ge $((n0 + 6000)) ]' ||
			diag "round $round: $step not seen in 20 s"
	done
done
churned=$(lines_of "$TESTDIR/poll.root" "$CP" | wc -l)
t_ok "the root reader saw the churn: $churned lines (of $((ROUNDS * 12000)))" test "$churned" -ge $((ROUNDS * 12000))
printf 'read\n' >&"$HOLD_IN"
poll_until 20 grep -qx done "$TESTDIR/hold.out" || diag "the holding reader did not finish reading in 20 s"
# its lines, without "ready", "#read-at T" (when it began) and "done"
read_at=$(awk '$1 == "#read-at" { print $2 }' "$TESTDIR/hold.out")
grep -v -x -e ready -e done -e '#read-at .*' "$TESTDIR/hold.out" >"$TESTDIR/held"
first=$(head -n 1 "$TESTDIR/held")
t_ok "the reader that never read gets 'lost N' first (got: $first)" \
	eval '[[ $first =~ ^lost\ [1-9][0-9]*$ ]]'
kept=$(wc -l <"$TESTDIR/held")
# lines of snapshots built before it began to read were all waiting then
waiting=$(awk -F'\t' -v t="$read_at" 'NR > 1 && $1 < t' "$TESTDIR/held" | wc -l)
t_ok "it had kept at most the backlog, 16384 lines, after that ($waiting lines)" test "$waiting" -le 16384
t_is "$(grep -c '^lost ' "$TESTDIR/held")" 1 "one 'lost N' line, where the lines went"
t_ok "lost N plus the lines kept cover at least the churn (${first#lost } + $((kept - 1)) >= $((ROUNDS * 12000)))" \
	test "$(( ${first#lost } + kept - 1 ))" -ge $((ROUNDS * 12000))
t_is "$(awk -F'\t' 'NR > 1 && NF != 8' "$TESTDIR/held" | head -3)" "" "every line kept is whole (8 fields)"
t_ok "the newest lines are kept: the last churn's last pipe vanishing" \
	awk -F'\t' -v p="$CP" -v n="$last" '$2 == "-" && $4 == p && $6 == n { f = 1 } END { exit !f }' "$TESTDIR/held"
exec {HOLD_IN}>&-
wait_dead "$HOLD_PID" 5
exec {CHURN[1]}>&-
wait_dead "$CHURN_PID" 5

# ======================================================================
section "SIGINT ends a blocked read at once"
# ======================================================================
# a cat of a uid without processes: it waits in read(2) on the daemon
setpriv --reuid="$LONER" --regid="$LONER" --clear-groups "$PY" -c 'import os, signal, sys
signal.signal(signal.SIGINT, signal.SIG_DFL)
os.execvp("cat", ["cat", sys.argv[1]])' "$EV" >"$TESTDIR/cat.loner" 2>&1 &
CAT_LONER=$!
_e2e_pids+=("$CAT_LONER")
poll_until 10 in_read "$CAT_LONER" || diag "the loner's cat did not come to read"
t0=$EPOCHREALTIME
kill -INT "$CAT_LONER"
wait_dead "$CAT_LONER" 5
wait "$CAT_LONER"
rc=$?
took=$(( ${EPOCHREALTIME/./} - ${t0/./} ))
t_is "$rc" 130 "cat blocked on MNT/events ends by SIGINT (status 130)"
t_ok "within 1 s of the signal ($((took / 1000)) ms)" test "$took" -lt 1000000
t_ok "the daemon still runs" eval '! _dead "$IPCFS_PID"'
t_has "$(head -n 1 "$MNT/channels" 2>&1)" "KIND${TAB}PID" "the mount still answers (MNT/channels)"
kill -INT "$CAT_ROOT"
wait_dead "$CAT_ROOT" 5
wait "$CAT_ROOT"
t_is "$?" 130 "root's cat ends by SIGINT too"
t_is "$(got_seq "$(grep -v '^#' "$TESTDIR/cat.root")" "$MIX" "$NAMES")" "$want" \
	"blocking cat (root): each endpoint appears once, then vanishes once"
seen=$(since "$TESTDIR/poll.root" "$T_OPEN" "$T_CHURN")
t_is "$(since "$TESTDIR/cat.root" "$T_OPEN" "$T_CHURN")" "$seen" \
	"root's cat and poll reader got the same lines, byte for byte, from every reader open to the churn ($(wc -l <<<"$seen") lines)"

# ======================================================================
section "the last reader closes: nothing is built"
# ======================================================================
stop_pid "$POLL_ROOT"
stop_pid "$POLL_NOBODY"
stop_pid "$POLL_NOBODY2"
t_ok "the events thread ends when the last reader closes" poll_until 10 eval '! events_thread'
quiet_window "nothing is built once no reader is open"

# ======================================================================
section "a user's events opens are limited (-o max_user_mb=10)"
# ======================================================================
# each open counts 3 MiB against its user: 3 opens, then EMFILE; root is
# not limited; closed, they may be opened again
ipcfs_mount "$TTL" -o max_user_mb=10
opens() { "$PY" -c 'import errno, os, sys
fds = []
try:
    for _ in range(int(sys.argv[2])):
        fds.append(os.open(sys.argv[1], os.O_RDONLY | os.O_NONBLOCK))
    print(len(fds), "-")
except OSError as e:
    print(len(fds), errno.errorcode[e.errno])' "$MNT/events" "$1"; }
t_is "$(setpriv --reuid="$LONER" --regid="$LONER" --clear-groups bash -c "$(declare -f opens); PY=$PY MNT=$MNT opens 10" 2>&1)" \
	"3 EMFILE" "a user opens MNT/events 3 times, the 4th is refused with EMFILE"
# (the kernel sends the releases of a closing process's files after it has
# ended: polled, bounded)
loner_opens3() { [ "$(setpriv --reuid="$LONER" --regid="$LONER" --clear-groups \
	bash -c "$(declare -f opens); PY=$PY MNT=$MNT opens 3" 2>&1)" = "3 -" ]; }
t_ok "once those are closed, the user opens it 3 times again" poll_until 5 loner_opens3
t_is "$(opens 10)" "10 -" "root is not limited"

# ======================================================================
section "the daemon stops while a read waits"
# ======================================================================
# a second mount; its daemon gets SIGTERM while a cat waits on it:
# the kept read is answered (end of file) before the daemon unmounts
ipcfs_mount "$TTL"
setpriv --reuid="$LONER" --regid="$LONER" --clear-groups cat "$MNT/events" >"$TESTDIR/cat.end" 2>&1 &
CAT_END=$!
_e2e_pids+=("$CAT_END")
poll_until 10 in_read "$CAT_END" || diag "cat did not come to read"
# requests are handed to the daemon in order: once a later one is
# answered, cat's read is the daemon's (a read still queued in the kernel
# when the daemon stops would get ENOTCONN)
head -c 1 "$MNT/channels" >/dev/null
kill -TERM "$IPCFS_PID"
wait_dead "$IPCFS_PID" 10
wait "$IPCFS_PID"
t_is "$?" 0 "ipcfs stopped by SIGTERM with a read waiting on MNT/events exits with status 0"
wait_dead "$CAT_END" 5
wait "$CAT_END"
t_is "$?" 0 "the waiting cat gets end of file and exits 0"
_untrack "$CAT_END"
# (lib.sh would expect this daemon running at the end)
_mounted "$MNT" && { fusermount3 -u "$MNT" 2>/dev/null || umount -l "$MNT"; }
rmdir "$MNT"
_e2e_mounts[-1]=
_e2e_daemons[-1]=

t_done
