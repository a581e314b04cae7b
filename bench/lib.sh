# Shared by bench/scale.sh and bench/memory.sh (sourced, bash): a scratch
# directory, the workload, ipcfs mounted in the foreground, kernel limits
# raised for the run, timing.  Whatever it starts it stops on exit, also
# when interrupted: the mount, the daemon, the workload (which removes its
# objects), the limits as they were.
#
# bench_args ARGS...         the script's arguments: a leading -b BUILDDIR
#                            (default build) into builddir, the others
#                            into bench_rest
# bench_init NAME BUILDDIR   before anything is started

bench_args() {
	builddir=build
	if [ "${1:-}" = -b ]; then
		builddir=${2:?-b wants a build directory}
		shift 2
	fi
	# shellcheck disable=SC2034  # for the caller
	bench_rest=("$@")
}

bench_init() {
	bench_name=$1
	builddir=$2
	ipcfs=$builddir/ipcfs
	if [ ! -x "$ipcfs" ] || [ ! -x "$builddir/bench/workload" ] ||
	   [ ! -x "$builddir/bench/readlink_all" ]; then
		echo "$bench_name: build first: meson setup $builddir && ninja -C $builddir" >&2
		exit 1
	fi
	if [ "$(id -u)" != 0 ]; then
		echo "$bench_name: run as root (System V objects, every process's fds)" >&2
		exit 1
	fi
	work=$(mktemp -d)
	mnt=$work/mnt
	mkdir -p "$mnt" "$work/fifos"
	workload_pid=
	ipcfs_pid=
	saved_limits=()
	trap bench_cleanup EXIT
	trap 'exit 130' INT
	trap 'exit 143' TERM
	trap 'exit 129' HUP
	ulimit -n 65536 2>/dev/null || true
}

bench_cleanup() {
	local i
	trap - EXIT INT TERM HUP
	unmount
	stop_workload
	for ((i = 0; i < ${#saved_limits[@]}; i += 2)); do
		echo "${saved_limits[i + 1]}" >"${saved_limits[i]}" || true
	done
	rm -rf "$work"
}

# raise_limit FILE VALUE: at least VALUE in /proc/sys FILE for the run.
raise_limit() {
	local old
	old=$(cat "$1")
	if [ "$old" -lt "$2" ]; then
		saved_limits+=("$1" "$old")
		echo "$2" >"$1"
	fi
}

# raise_limits PAIRS: room for a System V segment, a POSIX message queue
# and a pseudo-terminal per pair besides those already there.
raise_limits() {
	raise_limit /proc/sys/kernel/shmmni $(($1 + $(ipcs -m | grep -c '^0x' || true) + 256))
	# Queues are not listed anywhere unmounted: leave 1024 for others.
	raise_limit /proc/sys/fs/mqueue/queues_max $(($1 + 1024))
	# devpts instances but the first may not use the reserve.
	raise_limit /proc/sys/kernel/pty/max $(($1 + $(cat /proc/sys/kernel/pty/nr) +
		$(cat /proc/sys/kernel/pty/reserve) + 256))
}

# start_workload PAIRS: returns once every pair is set up.
start_workload() {
	local word
	rm -f "$work/ready"
	mkfifo "$work/ready"
	"$builddir/bench/workload" "$1" "$work/fifos" >"$work/ready" 2>"$work/workload.err" &
	workload_pid=$!
	read -r word _ _ <"$work/ready" || true
	if [ "${word:-}" != ready ]; then
		echo "$bench_name: workload failed:" >&2
		cat "$work/workload.err" >&2
		exit 1
	fi
	if [ -s "$work/workload.err" ]; then
		cat "$work/workload.err" >&2
	fi
}

# SIGTERM: the workload stops its processes and removes its objects, then
# exits.
stop_workload() {
	if [ -n "$workload_pid" ]; then
		kill "$workload_pid" 2>/dev/null || true
		wait "$workload_pid" 2>/dev/null || true
		workload_pid=
	fi
}

# Without a FUSE request (a stat of MNT could start a build).
mounted() { awk -v m="$mnt" '$5 == m { f = 1 } END { exit !f }' /proc/self/mountinfo; }

unmount() {
	local i
	if mounted; then
		fusermount3 -u "$mnt" 2>/dev/null || umount -l "$mnt" 2>/dev/null || true
	fi
	if [ -n "$ipcfs_pid" ]; then
		# The daemon exits once unmounted; a stuck one is stopped.
		for ((i = 0; i < 50; i++)); do
			kill -0 "$ipcfs_pid" 2>/dev/null || break
			sleep 0.1
		done
		kill "$ipcfs_pid" 2>/dev/null || true
		wait "$ipcfs_pid" 2>/dev/null || true
		ipcfs_pid=
	fi
}

# mount_ipcfs TTL: mounts in the foreground (ipcfs_pid); returns once the
# mount is there.  ipcfs builds its first snapshot before it mounts, so
# this takes one build.
mount_ipcfs() {
	local t0=$SECONDS
	unmount
	"$ipcfs" "$mnt" -f -o ttl="$1" 2>>"$work/ipcfs.err" &
	ipcfs_pid=$!
	until mounted; do
		if ! kill -0 "$ipcfs_pid" 2>/dev/null; then
			echo "$bench_name: ipcfs did not mount:" >&2
			cat "$work/ipcfs.err" >&2
			exit 1
		fi
		if [ $((SECONDS - t0)) -ge "${MOUNT_TIMEOUT:-300}" ]; then
			echo "$bench_name: ipcfs not mounted after ${MOUNT_TIMEOUT:-300} s" >&2
			exit 1
		fi
		sleep 0.02
	done
}

# status_kib KEY: the daemon's /proc status field (VmRSS, VmHWM) in KiB.
status_kib() { awk -v k="$1:" '$1 == k { print $2 }' "/proc/$ipcfs_pid/status"; }

# A glob, not find: processes that end meanwhile make find fail.
host_processes() { local p=(/proc/[0-9]*); echo "${#p[@]}"; }
endpoints() { echo $(($(wc -l <"$mnt/channels") - 1)); }

calc() { awk "BEGIN { print $* }"; }
now() { echo "$EPOCHREALTIME"; }
elapsed() { calc "$(now) - $1"; }	# seconds since $1
seconds() {	# seconds COMMAND...: wall time of one run, output dropped
	local t0
	t0=$(now)
	"$@" >/dev/null 2>&1
	elapsed "$t0"
}
best() {	# best N COMMAND...: the shortest of N runs (the machine is shared)
	local n=$1 t b=
	shift
	for ((; n > 0; n--)); do
		[ -z "${before_each:-}" ] || $before_each
		t=$(seconds "$@")
		if [ -z "$b" ] || [ "$(calc "$t < $b")" = 1 ]; then b=$t; fi
	done
	echo "$b"
}
ms() { awk -v s="$1" 'BEGIN { printf "%.0f ms", s * 1000 }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1fx", a / b }'; }
