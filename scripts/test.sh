#!/usr/bin/env bash
# Installs what is missing, builds, and runs every test: the cmocka unit
# tests and the end-to-end tests that mount ipcfs for real.
# usage: scripts/test.sh [--sanitize]
# The last line is "N passed, N failed"; the exit status is non-zero when
# anything failed.
set -uo pipefail
cd "$(dirname "$0")/.."
builddir=$(scripts/setup.sh --tests "$@" | tail -n 1) || {
	echo "build failed"
	echo "0 passed, 1 failed"
	exit 1
}
exec python3 tests/run_all.py "$builddir"
