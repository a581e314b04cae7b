#!/usr/bin/env bash
# Runs the workload (N pairs of processes, default 1000) and times, in one
# run (the fast ones best of 5): lsof -nP +E, ss -axp, a program that only readlinks every fd, and
# ipcfs: cat channels (one rebuild, and cached), find (cold and warm) and
# ls -lR of one process (warm).
# usage: bench/compare.sh [N] [BUILDDIR]
set -euo pipefail
cd "$(dirname "$0")/.."
# the timing helpers (seconds, best) of scale.sh and memory.sh
. bench/lib.sh
pairs=${1:-1000}
builddir=${2:-build}
work=$(mktemp -d)
mnt=$work/mnt
mkdir -p "$mnt" "$work/fifos"
workload_pid=
cleanup() {
	fusermount3 -u "$mnt" 2>/dev/null || umount -l "$mnt" 2>/dev/null || true
	fusermount3 -u "$work/null" 2>/dev/null || umount -l "$work/null" 2>/dev/null || true
	[ -n "$workload_pid" ] && kill "$workload_pid" 2>/dev/null
	wait 2>/dev/null
	rm -rf "$work"
}
trap cleanup EXIT
ulimit -n 65536 2>/dev/null || true

coproc WORKLOAD { exec "$builddir/bench/workload" "$pairs" "$work/fifos"; }
workload_pid=$WORKLOAD_PID
read -r word _ count <&"${WORKLOAD[0]}"
[ "$word" = ready ] || { echo "workload failed" >&2; exit 1; }

mountfs() {	# mountfs TTL
	fusermount3 -u "$mnt" 2>/dev/null || true
	"$builddir/ipcfs" "$mnt" -o ttl="$1"
}
ratio() { echo "scale=1; $1 / $2" | bc -l; }

echo "processes: $(ls /proc | grep -c '^[0-9]'), workload processes: $count"
lsof_s=$(seconds lsof -nP +E)
ss_s=$(best 5 ss -axp)
floor_s=$(best 5 "$builddir/bench/readlink_all")
# What reading maps (for mapping-only sharers) costs on its own.
maps_s=$(best 5 sh -c 'cat /proc/[0-9]*/maps')
mountfs 1
stat "$mnt/channels" >/dev/null
# ttl=1 and a snapshot just past its age: the lookup rebuilds once and the
# open reuses it, so this is one build plus the read.
cat_cold=$(before_each="sleep 1.2" best 5 cat "$mnt/channels")
mountfs 1000
cat "$mnt/channels" >/dev/null
cat_warm=$(best 5 cat "$mnt/channels")
mountfs 1000
find_cold=$(seconds find "$mnt")
find_warm=$(seconds find "$mnt")
find_warm2=$(seconds find "$mnt")
# ls -lR of one workload process, warm (its pid is a child of the workload).
child=$(pgrep -P "$workload_pid" | head -n 1)
ls -lR "$mnt/$child" >/dev/null
lslr_s=$(seconds ls -lR "$mnt/$child")
nodes=$(find "$mnt" | wc -l)
dirs=$(find "$mnt" -type d | wc -l)
rows=$(($(wc -l < "$mnt/channels") - 1))
links=$(find "$mnt" -type l | wc -l)
rss=$(ps -o rss= -p "$(pgrep -f -n "ipcfs $mnt")")
# The same shape served by a tree that does no work (bench/nulltree.c).
find "$mnt" -mindepth 1 -printf '%y %P\t%l\n' > "$work/shape"
mkdir -p "$work/null"
mkfifo "$work/null.ready"
"$builddir/bench/nulltree" "$work/null" < "$work/shape" > "$work/null.ready" &
read -r word null_nodes < "$work/null.ready"
[ "$word" = ready ] || { echo "nulltree failed" >&2; exit 1; }
null_cold=$(seconds find "$work/null")
find "$work/null" >/dev/null
null_warm=$(seconds find "$work/null")
printf '%-28s %8.3f s\n' "lsof -nP +E" "$lsof_s" "ss -axp" "$ss_s" \
	"readlink every fd" "$floor_s" "cat every /proc/*/maps" "$maps_s" "cat channels (rebuilt)" "$cat_cold" \
	"cat channels (cached)" "$cat_warm" "find MNT (cold)" "$find_cold" \
	"find MNT (warm)" "$find_warm" "find MNT (warm, again)" "$find_warm2" \
	"ls -lR MNT/<pid> (warm)" "$lslr_s" \
	"find null tree (cold)" "$null_cold" "find null tree (warm)" "$null_warm"
echo "channels rows: $rows, tree nodes: $nodes (directories: $dirs), peer links: $links, daemon RSS: ${rss} KiB"
echo "cat channels cold vs lsof +E: $(ratio "$lsof_s" "$cat_cold")x faster"
echo "cat channels cold vs readlink floor: $(ratio "$cat_cold" "$floor_s")x the floor"
echo "find cold vs warm: $(ratio "$find_cold" "$find_warm2")x"
echo "find cold per node vs the null tree ($null_nodes nodes): $(echo "scale=2; ($find_cold * $null_nodes) / ($null_cold * $nodes)" | bc -l)x"
echo "null tree cold vs warm: $(ratio "$null_cold" "$null_warm")x"
