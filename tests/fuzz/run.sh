#!/usr/bin/env bash
# Builds the libFuzzer targets tests/fuzz/fuzz_*.c with clang against the
# resolver's sources and runs each for a while, as TAP.
#
#   tests/fuzz/run.sh [-t SECONDS] [-j JOBS] [-o OUTDIR] [TARGET...]
#
# SECONDS per target (default 10), JOBS targets at a time (default 1),
# OUTDIR for the binaries, new corpus entries and crash inputs (default
# build-fuzz).  Each target starts from its seeds in tests/fuzz/corpus/NAME/
# (only read) and OUTDIR/corpus/NAME/ (what earlier runs found).  Prints
# "ok N - fuzz NAME (R runs, no crash)" or "not ok N - fuzz NAME" with the
# crashing input's path; exits non-zero when a target crashed, 77 when
# clang cannot build fuzzers.  A crash found is fixed in the code, and its
# input goes into the seed corpus and a unit test.
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
top=${here%/tests/fuzz}
secs=10 jobs=1 out=$top/build-fuzz
while getopts t:j:o: opt; do
	case $opt in
	t) secs=$OPTARG ;;
	j) jobs=$OPTARG ;;
	o) out=$OPTARG ;;
	*) echo "usage: $0 [-t SECONDS] [-j JOBS] [-o OUTDIR] [TARGET...]" >&2; exit 2 ;;
	esac
done
shift $((OPTIND - 1))
targets=("$@")
if [ ${#targets[@]} = 0 ]; then
	for f in "$here"/fuzz_*.c; do n=${f##*/fuzz_}; targets+=("${n%.c}"); done
fi
CC=${CC:-clang}
if ! command -v "$CC" >/dev/null ||
   ! echo 'int LLVMFuzzerTestOneInput(const char *d, long n) { return 0; }' |
	"$CC" -x c -fsanitize=fuzzer -o /dev/null - 2>/dev/null; then
	echo "1..0 # SKIP $CC cannot build libFuzzer targets (install clang)"
	exit 77
fi

# The resolver once, instrumented; each target links it with libmnl.
flags=(-std=gnu11 -D_GNU_SOURCE -Wall -Wextra -g -O1 -fno-omit-frame-pointer
       -fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=undefined
       -I"$top/include" -I"$top/resolver")
mkdir -p "$out/obj" "$out/log"
objs=()
for src in "$top"/resolver/*.c; do
	obj=$out/obj/$(basename "$src" .c).o
	objs+=("$obj")
	[ "$obj" -nt "$src" ] && [ -z "$(find "$top/resolver" "$top/include" -name '*.h' -newer "$obj")" ] &&
		continue
	"$CC" "${flags[@]}" -c "$src" -o "$obj" || { echo "not ok 1 - fuzz: building $src"; exit 1; }
done
for t in "${targets[@]}"; do
	"$CC" "${flags[@]}" -fsanitize=fuzzer "$here/fuzz_$t.c" "${objs[@]}" -lmnl -lpthread \
		-o "$out/fuzz_$t" || { echo "not ok 1 - fuzz: building fuzz_$t"; exit 1; }
done

# run TARGET: its log in OUTDIR/log/TARGET
run() {
	local t=$1
	mkdir -p "$out/corpus/$t" "$out/crash/$t"
	(cd "$out/crash/$t" && exec "$out/fuzz_$t" -max_total_time="$secs" -timeout=10 \
		-rss_limit_mb=2048 -print_final_stats=1 "$out/corpus/$t" "$here/corpus/$t") \
		>"$out/log/$t" 2>&1
}
n=0 failed=0 running=0
for t in "${targets[@]}"; do
	run "$t" &
	running=$((running + 1))
	if [ "$running" -ge "$jobs" ]; then wait -n; running=$((running - 1)); fi
done
wait
for t in "${targets[@]}"; do
	n=$((n + 1))
	runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$out/log/$t")
	crash=$(sed -n 's/.*Test unit written to \(.*\)$/\1/p' "$out/log/$t" | head -n1)
	if [ -n "$runs" ] && [ -z "$crash" ] && ! grep -q '^==[0-9]*==ERROR\|runtime error' "$out/log/$t"; then
		echo "ok $n - fuzz $t ($runs runs, no crash)"
	else
		failed=$((failed + 1))
		echo "not ok $n - fuzz $t"
		grep -m5 'ERROR\|runtime error\|SUMMARY\|Test unit written' "$out/log/$t" | sed 's/^/# /'
		[ -n "$crash" ] && echo "# crashing input: $out/crash/$t/${crash#./}"
	fi
done
echo "1..$n"
[ "$failed" = 0 ]
