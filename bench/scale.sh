#!/usr/bin/env bash
# How ipcfs scales with the host: for each size, starts the workload
# (bench/workload.c: PAIRS pairs of processes, 34 endpoints per pair, every
# kind of channel) and prints one markdown row:
#
#   processes    every process of the host (the workload's 2 PAIRS + 2 too)
#   endpoints    rows of MNT/channels
#   floor        bench/readlink_all: readlink of every /proc/*/fd entry,
#                best of RUNS
#   one build    cat MNT/channels of a snapshot just past its ttl, best of
#                RUNS (ttl 1 s, or twice the first build when that is
#                longer, so that the read waits for exactly one build)
#   lsof         lsof -nP +E, once, up to LSOF_MAX pairs
#   daemon RSS   VmRSS of the ipcfs process after the builds, and per
#                endpoint
#   storm        ipcfs mounted with a ttl of a quarter of one build: one cat
#                MNT/channels, as a multiple of one build (one build per
#                read would be 1x)
#
# usage: bench/scale.sh [-b BUILDDIR] [PAIRS...]   (root; default sizes
#        250 1000 2000 4000; RUNS=3 and LSOF_MAX=1000 in the environment)
# Everything it starts is stopped, every object the workload made removed
# and every mount unmounted on exit, also when interrupted.
set -euo pipefail
cd "$(dirname "$0")/.."
builddir=build
if [ "${1:-}" = -b ]; then
	builddir=$2
	shift 2
fi
sizes=("$@")
[ ${#sizes[@]} -gt 0 ] || sizes=(250 1000 2000 4000)
runs=${RUNS:-3}
lsof_max=${LSOF_MAX:-1000}
ipcfs=$builddir/ipcfs
[ -x "$ipcfs" ] && [ -x "$builddir/bench/workload" ] && [ -x "$builddir/bench/readlink_all" ] ||
	{ echo "scale.sh: build first: meson setup $builddir && ninja -C $builddir" >&2; exit 1; }
[ "$(id -u)" = 0 ] || { echo "scale.sh: run as root (System V objects, every process's fds)" >&2; exit 1; }

work=$(mktemp -d)
mnt=$work/mnt
mkdir -p "$mnt" "$work/fifos"
workload_pid=
ipcfs_pid=
shmmni_saved=

unmount() {
	if awk -v m="$mnt" '$5 == m { f = 1 } END { exit !f }' /proc/self/mountinfo; then
		fusermount3 -u "$mnt" 2>/dev/null || umount -l "$mnt" 2>/dev/null || true
	fi
	if [ -n "$ipcfs_pid" ]; then
		# The daemon exits once unmounted; a stuck one is stopped.
		for _ in $(seq 50); do kill -0 "$ipcfs_pid" 2>/dev/null || break; sleep 0.1; done
		kill "$ipcfs_pid" 2>/dev/null || true
		wait "$ipcfs_pid" 2>/dev/null || true
		ipcfs_pid=
	fi
}
stop_workload() {	# SIGTERM: it stops its processes, removes its objects, then exits
	if [ -n "$workload_pid" ]; then
		kill "$workload_pid" 2>/dev/null || true
		wait "$workload_pid" 2>/dev/null || true
		workload_pid=
	fi
}
cleanup() {
	trap - EXIT INT TERM HUP
	unmount
	stop_workload
	[ -z "$shmmni_saved" ] || echo "$shmmni_saved" > /proc/sys/kernel/shmmni
	rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
trap 'exit 129' HUP

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

mounted() { awk -v m="$mnt" '$5 == m { f = 1 } END { exit !f }' /proc/self/mountinfo; }
# mount_ipcfs TTL: mounts in the foreground (ipcfs_pid); returns once the
# mount is there, without a FUSE request (the first snapshot is built
# before ipcfs mounts, so this takes one build).
mount_ipcfs() {
	unmount
	"$ipcfs" "$mnt" -f -o ttl="$1" 2>>"$work/ipcfs.err" &
	ipcfs_pid=$!
	local t0=$SECONDS
	until mounted; do
		kill -0 "$ipcfs_pid" 2>/dev/null ||
			{ echo "scale.sh: ipcfs did not mount:" >&2; cat "$work/ipcfs.err" >&2; exit 1; }
		[ $((SECONDS - t0)) -lt "${MOUNT_TIMEOUT:-300}" ] ||
			{ echo "scale.sh: ipcfs not mounted after ${MOUNT_TIMEOUT:-300} s" >&2; exit 1; }
		sleep 0.02
	done
}
rss_kib() { awk '/^VmRSS:/ { print $2 }' "/proc/$ipcfs_pid/status"; }

# A System V segment per pair: make room for the largest size.
max=0
for n in "${sizes[@]}"; do if [ "$n" -gt "$max" ]; then max=$n; fi; done
shmmni=$(cat /proc/sys/kernel/shmmni)
need=$((max + $(ipcs -m | grep -c '^0x' || true) + 256))
if [ "$shmmni" -lt "$need" ]; then
	shmmni_saved=$shmmni
	echo "$need" > /proc/sys/kernel/shmmni
fi
ulimit -n 65536 2>/dev/null || true

echo "| pairs | processes | endpoints | floor | one build | build/floor | lsof -nP +E | daemon RSS | RSS per endpoint | storm: ttl, one read | storm/build |"
echo "|---|---|---|---|---|---|---|---|---|---|---|"
for pairs in "${sizes[@]}"; do
	rm -f "$work/ready"
	mkfifo "$work/ready"
	"$builddir/bench/workload" "$pairs" "$work/fifos" >"$work/ready" 2>"$work/workload.err" &
	workload_pid=$!
	read -r word _ _ <"$work/ready" || true
	[ "${word:-}" = ready ] || { echo "scale.sh: workload failed:" >&2; cat "$work/workload.err" >&2; exit 1; }
	processes=$(find /proc -maxdepth 1 -name '[0-9]*' | wc -l)

	floor=$(best "$runs" "$builddir/bench/readlink_all")

	# One build: ttl 1 s unless a build is longer (the mount's own first
	# build tells), so that the read past the ttl waits for one build.
	t0=$(now)
	mount_ipcfs 1
	first=$(elapsed "$t0")
	ttl=$(awk -v f="$first" 'BEGIN { t = 2 * f; print t < 1 ? 1 : sprintf("%.1f", t) }')
	[ "$ttl" = 1 ] || mount_ipcfs "$ttl"
	wait_ttl() { sleep "$(calc "$ttl + 0.2")"; }
	build=$(before_each=wait_ttl best "$runs" cat "$mnt/channels")
	endpoints=$(($(wc -l <"$mnt/channels") - 1))
	rss=$(rss_kib)

	lsof_s=-
	if [ "$pairs" -le "$lsof_max" ]; then
		lsof_s=$(ms "$(seconds lsof -nP +E)")
	fi

	# The storm: a ttl shorter than a build.
	storm_ttl=$(awk -v b="$build" 'BEGIN { printf "%.3f", b / 4 }')
	mount_ipcfs "$storm_ttl"
	sleep "$(calc "$storm_ttl + 0.1")"
	storm=$(seconds cat "$mnt/channels")
	unmount
	stop_workload

	printf '| %s | %s | %s | %s | %s | %s | %s | %s MB | %s B | %s, %s | %s |\n' \
		"$pairs" "$processes" "$endpoints" "$(ms "$floor")" "$(ms "$build")" \
		"$(ratio "$build" "$floor")" "$lsof_s" "$((rss / 1024))" \
		"$((rss * 1024 / (endpoints > 0 ? endpoints : 1)))" "$(ms "$storm_ttl")" \
		"$(ms "$storm")" "$(ratio "$storm" "$build")"
done
