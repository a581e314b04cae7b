/* Fixture procfs trees for unit tests: fd entries are plain symlinks, so
 * what the kernel tells through a real fd link is kept beside it in
 * <pid>/fdfacts/<fd> as "access=rw type=fifo dev=0:40 ino=77 size=0". */
#pragma once
#include <stdbool.h>

#include "ipcfs/snapshot.h"

int fixture_root_open(struct proc_root *root, const char *path);
/* Builds a snapshot of a fixture tree (no sock_diag); fails the test on error. */
struct ipc_snapshot *fixture_snapshot(const char *path);
struct ipc_snapshot *fixture_snapshot_with(const char *path, const struct ipc_build_options *options);
/* The same for a tree like fixtures/maps/proc-shm: POSIX queues on device
 * 0:99, System V semaphore set 11's pids 307, 308, 305 (GETPID), and in
 * IPC namespace FIXTURE_OTHER_IPCNS set 11's 320, 305.  Any fixture root
 * shows IPC namespaces other than its self's from ipcns/<inode>/sysvipc/. */
struct ipc_snapshot *fixture_shm_snapshot(const char *path);
/* The build of those two, its result returned (0 or -errno): shm_tree
 * for a tree like fixtures/maps/proc-shm. */
int fixture_build(const char *path, bool shm_tree, const struct ipc_build_options *options,
		  struct ipc_snapshot **out);
/* The other IPC namespace of the proc-shm tree. */
#define FIXTURE_OTHER_IPCNS 4026532000u
/* The proc-shm tree of the maps and System V tests. */
#define FIXTURE_SHM_TREE "fixtures/maps/proc-shm"
/* cmocka setup: *state = fixture_shm_snapshot(FIXTURE_SHM_TREE). */
int fixture_shm_setup(void **state);
/* cmocka teardown: frees the snapshot a setup left in *state. */
int fixture_teardown(void **state);
/* A test given a fresh snapshot of FIXTURE_SHM_TREE. */
#define fixture_shm_test(f) cmocka_unit_test_setup_teardown(f, fixture_shm_setup, fixture_teardown)
/* Endpoint kind/name of process pid (which must exist); NULL when none. */
const struct ipc_endpoint *fixture_endpoint(const struct ipc_snapshot *snap, pid_t pid,
					    enum ipc_kind kind, const char *name);
/* "pid:name pid:name" of the peers of pid's endpoint kind/name, sorted as
 * the snapshot keeps them; "" when that endpoint does not exist. */
const char *fixture_peers(const struct ipc_snapshot *snap, pid_t pid, enum ipc_kind kind,
			  const char *name);
/* Checks that every process, endpoint, peer and System V object of snap is
 * found by its lookup, in the order lookups rely on, and that names and
 * ids it does not hold are not; fails the test otherwise. */
void fixture_check_lookups(const struct ipc_snapshot *snap);
