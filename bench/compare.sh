#!/usr/bin/env bash
# Runs the workload (N pairs of processes, default 1000) and times, in one
# run: lsof -nP +E, ss -axp, a program that only readlinks every fd, and
# ipcfs's cat channels (cold and warm) and find (cold and warm).
# usage: bench/compare.sh [N] [BUILDDIR]
set -euo pipefail
cd "$(dirname "$0")/.."
pairs=${1:-1000}
builddir=${2:-build}
work=$(mktemp -d)
mnt=$work/mnt
mkdir -p "$mnt" "$work/fifos"
workload_pid=
cleanup() {
	fusermount3 -u "$mnt" 2>/dev/null || umount -l "$mnt" 2>/dev/null || true
	[ -n "$workload_pid" ] && kill "$workload_pid" 2>/dev/null
	wait 2>/dev/null
	rm -rf "$work"
}
trap cleanup EXIT
ulimit -n 65536 2>/dev/null || true

coproc WORKLOAD { exec "$builddir/bench/workload" "$pairs" "$work/fifos"; }
workload_pid=$WORKLOAD_PID
read -r word count <&"${WORKLOAD[0]}"
[ "$word" = ready ] || { echo "workload failed" >&2; exit 1; }

seconds() {	# seconds COMMAND...: wall time of one run, output dropped
	local t0 t1
	t0=$(date +%s.%N)
	"$@" >/dev/null 2>&1
	t1=$(date +%s.%N)
	echo "$t1 - $t0" | bc -l
}
mountfs() {	# mountfs TTL
	fusermount3 -u "$mnt" 2>/dev/null || true
	"$builddir/ipcfs" "$mnt" -o ttl="$1"
}
ratio() { echo "scale=1; $1 / $2" | bc -l; }

echo "processes: $(ls /proc | grep -c '^[0-9]'), workload processes: $count"
lsof_s=$(seconds lsof -nP +E)
ss_s=$(seconds ss -axp)
floor_s=$(seconds "$builddir/bench/readlink_all")
# What reading maps (for mapping-only sharers) costs on its own.
maps_s=$(seconds sh -c 'cat /proc/[0-9]*/maps')
# ttl=1 and a snapshot just past its age: the lookup rebuilds once and the
# open reuses it, so this is the whole cost of one snapshot plus the read.
mountfs 1
stat "$mnt/channels" >/dev/null
sleep 1.2
cat_cold=$(seconds cat "$mnt/channels")
mountfs 1000
cat_warm=$(seconds cat "$mnt/channels")
mountfs 1000
find_cold=$(seconds find "$mnt")
find_warm=$(seconds find "$mnt")
find_warm2=$(seconds find "$mnt")
nodes=$(find "$mnt" | wc -l)
rows=$(($(wc -l < "$mnt/channels") - 1))
links=$(find "$mnt" -type l | wc -l)
rss=$(ps -o rss= -C ipcfs | sort -n | tail -1)
printf '%-28s %8.3f s\n' "lsof -nP +E" "$lsof_s" "ss -axp" "$ss_s" \
	"readlink every fd" "$floor_s" "cat every /proc/*/maps" "$maps_s" "cat channels (rebuilt)" "$cat_cold" \
	"cat channels (cached)" "$cat_warm" "find MNT (cold)" "$find_cold" \
	"find MNT (warm)" "$find_warm" "find MNT (warm, again)" "$find_warm2"
echo "channels rows: $rows, tree nodes: $nodes, peer links: $links, daemon RSS: ${rss} KiB"
echo "cat channels cold vs lsof +E: $(ratio "$lsof_s" "$cat_cold")x faster"
echo "cat channels cold vs readlink floor: $(ratio "$cat_cold" "$floor_s")x the floor"
echo "find cold vs warm: $(ratio "$find_cold" "$find_warm2")x"
