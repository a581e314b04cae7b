/* The current snapshot, shared read-only by every FUSE thread and rebuilt
 * when older than the ttl. */
#pragma once
#include <pthread.h>
#include <stdatomic.h>

#include "ipcfs/snapshot.h"

struct held_snapshot {
	struct ipc_snapshot *snap;
	atomic_uint refs;
	uint64_t started_ns;	/* CLOCK_MONOTONIC when the build began */
};

struct snapcache {
	pthread_mutex_t lock;		/* guards current */
	pthread_mutex_t build_lock;	/* one build at a time */
	struct held_snapshot *current;
	uint64_t ttl_ns;
	uint64_t generation;
	struct proc_root root;
	struct ipc_build_options options;
};

int snapcache_init(struct snapcache *cache, const char *proc_path, double ttl_seconds);
void snapcache_destroy(struct snapcache *cache);
/* A snapshot at most ttl old (built after the call began when ttl is 0);
 * NULL only when none could ever be built. Pair with snapcache_release. */
struct held_snapshot *snapcache_acquire(struct snapcache *cache);
void snapcache_release(struct held_snapshot *held);
/* The latest snapshot when ttl is 0 (for what follows a listing that was
 * itself rebuilt), else as snapcache_acquire. */
struct held_snapshot *snapcache_acquire_latest(struct snapcache *cache);
/* A snapshot whose build began after this call: for a lookup of a process
 * too new for the current one. */
struct held_snapshot *snapcache_acquire_fresh(struct snapcache *cache);
