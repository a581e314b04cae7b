/* The current snapshot, shared read-only by every FUSE thread and rebuilt
 * when older than the ttl, one build at a time.
 *
 * A snapshot is fresh while it is at most ttl old, counted from the start
 * of its build; one whose build took longer than the ttl (so it was never
 * fresh by that measure) stays fresh for ttl after the build ended, so
 * that what follows a request on a slow host (the open after a lookup)
 * does not pay a build of its own.
 *
 * Which build a request takes (a request "arrives" when it first holds
 * the lock):
 *  - the current snapshot, if ttl > 0 and it is fresh;
 *  - else, if ttl > 0 and a build is running, that build, however old it
 *    is by the time it ends: a build slower than the ttl never makes a
 *    request wait for a second one;
 *  - else the next build to start, which every request arriving before it
 *    starts shares.  With ttl 0 that holds even while a build runs (it
 *    began before the request, so it is too old): such a request waits
 *    for the rest of the running build and then for one build more.
 * So no request waits for more than one build that started after it
 * arrived.  A waiter gets the build it waited for, or a newer one if that
 * ended before the waiter woke up.  A build that fails leaves the
 * previous snapshot served. */
#pragma once
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>

#include "ipcfs/snapshot.h"

struct held_snapshot {
	struct ipc_snapshot *snap;
	atomic_uint refs;
	uint64_t started_ns, ended_ns;	/* the clock when the build began, ended */
};

/* Builds a snapshot as ipc_snapshot_build does. */
typedef int snapcache_build_fn(const struct proc_root *root,
			       const struct ipc_build_options *options, uint64_t generation,
			       struct ipc_snapshot **out);

struct snapcache {
	pthread_mutex_t lock;		/* guards everything below but root */
	pthread_cond_t build_ended;
	struct held_snapshot *current;
	bool building;
	uint64_t builds_started;	/* the generation of the latest build begun */
	uint64_t builds_ended;		/* failed ones too */
	uint64_t ttl_ns;
	struct proc_root root;
	struct ipc_build_options options;
	/* ipc_snapshot_build and CLOCK_MONOTONIC; tests put in a slow build
	 * and a clock that notes when a request arrives. */
	snapcache_build_fn *build;
	uint64_t (*clock_ns)(void);
};

int snapcache_init(struct snapcache *cache, const char *proc_path, double ttl_seconds);
void snapcache_destroy(struct snapcache *cache);
/* A snapshot as the rules above say; NULL only when none could ever be
 * built.  Pair with snapcache_release. */
struct held_snapshot *snapcache_acquire(struct snapcache *cache);
void snapcache_release(struct held_snapshot *held);
/* The latest snapshot when ttl is 0 (for what follows a listing that was
 * itself rebuilt), else as snapcache_acquire. */
struct held_snapshot *snapcache_acquire_latest(struct snapcache *cache);
/* The next build to start, whatever the ttl: for a lookup of a process
 * too new for the current snapshot. */
struct held_snapshot *snapcache_acquire_fresh(struct snapcache *cache);

/* What no snapshot can tell, asked of the procfs the cache reads (the fs
 * layer reads none itself): whether name is the pid of a live process now
 * (one younger than the snapshot), and the thread group of thread tid
 * (-errno). */
bool snapcache_process_alive(struct snapcache *cache, const char *name);
pid_t snapcache_thread_group(struct snapcache *cache, pid_t tid);
/* What the procfs hides from a caller (hidepid=), as read at start. */
const struct proc_hidepid *snapcache_hidepid(const struct snapcache *cache);
