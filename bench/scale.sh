#!/usr/bin/env bash
# How ipcfs scales with the host: for each size, starts the workload
# (bench/workload.c: PAIRS pairs of processes, 24 channels and 44 endpoints
# per pair, every kind) and prints one markdown row:
#
#   processes    every process of the host (the workload's 2 PAIRS + 2 too)
#   endpoints    rows of MNT/channels
#   floor        bench/readlink_all: readlink of every /proc/*/fd entry,
#                best of RUNS
#   one build    cat MNT/channels of a snapshot just past its ttl, best of
#                RUNS (ttl 1 s, or twice the mount's first build when that
#                is longer, so that the read waits for exactly one build)
#   lsof         lsof -nP +E, once, up to LSOF_MAX pairs
#   ss           ss -axp (sockets with their processes, no peers across
#                kinds), best of RUNS
#   daemon RSS   VmRSS of the ipcfs process after the builds, and per
#                endpoint
#   storm        ipcfs mounted with a ttl of a quarter of one build: cat
#                MNT/channels of a snapshot past its ttl, best of RUNS, as a
#                multiple of one build (one build per read is 1x; builds
#                vary with what else the host runs, hence best of both)
#
# usage: bench/scale.sh [-b BUILDDIR] [PAIRS...]   (root; default sizes
#        250 1000 2000 4000; RUNS=3 and LSOF_MAX=1000 in the environment)
# kernel.shmmni and fs.mqueue.queues_max are raised for the run when the
# largest size needs it.  Everything started is stopped, every object the
# workload made removed and every mount unmounted on exit, also when
# interrupted.
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/lib.sh
bench_args "$@"
sizes=("${bench_rest[@]}")
[ ${#sizes[@]} -gt 0 ] || sizes=(250 1000 2000 4000)
runs=${RUNS:-3}
lsof_max=${LSOF_MAX:-1000}
bench_init scale.sh "$builddir"

max=0
for n in "${sizes[@]}"; do if [ "$n" -gt "$max" ]; then max=$n; fi; done
raise_limits "$max"

echo "| pairs | processes | endpoints | floor | one build | build/floor | lsof -nP +E | ss -axp | daemon RSS | RSS per endpoint | storm: ttl, one read | storm/build |"
echo "|---|---|---|---|---|---|---|---|---|---|---|---|"
for pairs in "${sizes[@]}"; do
	start_workload "$pairs"
	processes=$(host_processes)
	floor=$(best "$runs" "$builddir/bench/readlink_all")

	t0=$(now)
	mount_ipcfs 1
	first=$(elapsed "$t0")
	ttl=$(awk -v f="$first" 'BEGIN { t = 2 * f; print t < 1 ? 1 : sprintf("%.1f", t) }')
	[ "$ttl" = 1 ] || mount_ipcfs "$ttl"
	wait_ttl() { sleep "$(calc "$ttl + 0.2")"; }
	build=$(before_each=wait_ttl best "$runs" cat "$mnt/channels")
	n_endpoints=$(endpoints)
	rss=$(status_kib VmRSS)

	lsof_s=-
	if [ "$pairs" -le "$lsof_max" ]; then
		lsof_s=$(ms "$(seconds lsof -nP +E)")
	fi
	ss_s=$(ms "$(best "$runs" ss -axp)")

	# The storm: a ttl shorter than a build.
	storm_ttl=$(awk -v b="$build" 'BEGIN { printf "%.3f", b / 4 }')
	mount_ipcfs "$storm_ttl"
	wait_storm_ttl() { sleep "$(calc "$storm_ttl + 0.1")"; }
	storm=$(before_each=wait_storm_ttl best "$runs" cat "$mnt/channels")
	unmount
	stop_workload

	printf '| %s | %s | %s | %s | %s | %s | %s | %s | %s MB | %s B | %s, %s | %s |\n' \
		"$pairs" "$processes" "$n_endpoints" "$(ms "$floor")" "$(ms "$build")" \
		"$(ratio "$build" "$floor")" "$lsof_s" "$ss_s" "$((rss / 1024))" \
		"$((rss * 1024 / (n_endpoints > 0 ? n_endpoints : 1)))" "$(ms "$storm_ttl")" \
		"$(ms "$storm")" "$(ratio "$storm" "$build")"
done
