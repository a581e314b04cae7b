/* Fixture procfs trees for unit tests: fd entries are plain symlinks, so
 * what the kernel tells through a real fd link is kept beside it in
 * <pid>/fdfacts/<fd> as "access=rw type=fifo dev=0:40 ino=77 size=0". */
#pragma once
#include "ipcfs/snapshot.h"

int fixture_root_open(struct proc_root *root, const char *path);
/* Builds a snapshot of a fixture tree (no sock_diag); fails the test on error. */
struct ipc_snapshot *fixture_snapshot(const char *path);
/* "pid:name pid:name" of the peers of pid's endpoint kind/name, sorted as
 * the snapshot keeps them; "" when that endpoint does not exist. */
const char *fixture_peers(const struct ipc_snapshot *snap, pid_t pid, enum ipc_kind kind,
			  const char *name);
