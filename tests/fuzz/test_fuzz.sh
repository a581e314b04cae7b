#!/usr/bin/env bash
# The test suite's bounded fuzz run (tests/run_all.py runs it): every
# target of tests/fuzz for FUZZ_SECONDS each (default 7; 0 skips the run),
# built in the fuzz directory of the build under test ($IPCFS's); skipped
# (exit 77) where clang cannot build libFuzzer targets.
secs=${FUZZ_SECONDS:-7}
if [ "$secs" = 0 ]; then
	echo "1..0 # SKIP FUZZ_SECONDS=0"
	exit 77
fi
args=(-t "$secs")
[ -n "${IPCFS:-}" ] && args+=(-o "$(dirname "$IPCFS")/fuzz")
exec bash "$(dirname "$0")/run.sh" "${args[@]}"
