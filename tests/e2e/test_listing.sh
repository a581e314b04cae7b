#!/bin/bash
# tests/e2e/test_listing.sh — listings stay whole across rebuilds: MNT/ and
# MNT/<pid>/pipes/ read a few entries per getdents64 on a ttl=0 mount (a
# rebuild per request) while processes and fds come and go.  readdir
# offsets are keys, so no name comes twice and none that exists before and
# after the listing is missed.
#
#   IPCFS=build/ipcfs CHANMAKER=build/tests/chanmaker bash tests/e2e/test_listing.sh
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"
e2e_init

N=${LISTING_PROCESSES:-300}
ROUNDS=${LISTING_ROUNDS:-3}

section "mount"
ipcfs_mount 0
section "$ROUNDS rounds of $N processes, the lower half killed while listed"
out=$(python3 "$E2E_DIR/listing_churn.py" "$MNT" "$N" "$ROUNDS" 2>&1)
rc=$?
t_is "$rc" 0 "the churn helper ran${NL}$out"
t_has "$out" "repeats 0" "no name listed twice across rebuilds"
t_has "$out" "missed 0" "no name missed that was there before and after"
t_has "$out" "dot-first yes" ". and .. first in every listing"
t_done
