#!/usr/bin/env bash
# The daemon's memory under the workload (bench/workload.c, PAIRS pairs):
#   resting      VmRSS after the first build and one cat MNT/channels
#   burst        READERS concurrent cat MNT/channels (one snapshot, a
#                rendered copy per open): peak (VmHWM) and VmRSS 1 s after
#   rebuilds     ttl 0, REBUILDS stat MNT/channels (each a build): VmRSS
#                after every tenth of them
# Prints a markdown table; per endpoint counts the rows of channels.
# usage: bench/memory.sh [-b BUILDDIR] [PAIRS]   (root; default 250;
#        READERS=50 and REBUILDS=1000 in the environment)
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/lib.sh
bench_args "$@"
set -- "${bench_rest[@]}"
pairs=${1:-250}
readers=${READERS:-50}
rebuilds=${REBUILDS:-1000}
bench_init memory.sh "$builddir"
raise_limits "$pairs"
mib() { awk -v k="$1" 'BEGIN { printf "%.1f MB", k / 1024 }'; }

start_workload "$pairs"
mount_ipcfs 3600
n_endpoints=$(endpoints)
bytes=$(wc -c <"$mnt/channels")
per() { awk -v k="$1" -v n="$n_endpoints" 'BEGIN { printf "%.0f B", k * 1024 / n }'; }
rest=$(status_kib VmRSS)
readers_pids=()
for ((i = 0; i < readers; i++)); do
	cat "$mnt/channels" >/dev/null &
	readers_pids+=($!)
done
wait "${readers_pids[@]}"
peak=$(status_kib VmHWM)
sleep 1
after=$(status_kib VmRSS)

mount_ipcfs 0
series=
for ((i = 1; i <= rebuilds; i++)); do
	stat "$mnt/channels" >/dev/null
	if ((i % (rebuilds >= 10 ? rebuilds / 10 : 1) == 0)); then
		series="$series $(($(status_kib VmRSS) / 1024))"
	fi
done
rebuilt=$(status_kib VmRSS)

echo "pairs $pairs, $(host_processes) processes, $n_endpoints endpoints, channels $((bytes / 1024)) KiB"
echo
echo "| daemon | VmRSS | per endpoint |"
echo "|---|---|---|"
echo "| resting (first build, one cat) | $(mib "$rest") | $(per "$rest") |"
echo "| peak during $readers concurrent cat | $(mib "$peak") | $(per "$peak") |"
echo "| 1 s after them | $(mib "$after") | $(per "$after") |"
echo "| ttl 0, after $rebuilds rebuilds | $(mib "$rebuilt") | $(per "$rebuilt") |"
echo
echo "VmRSS (MB) after each tenth of the rebuilds:$series"
