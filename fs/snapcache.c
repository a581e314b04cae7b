#include "snapcache.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <time.h>

static uint64_t monotonic_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

int snapcache_init(struct snapcache *cache, const char *proc_path, double ttl_seconds)
{
	int r;

	*cache = (struct snapcache){ .ttl_ns = (uint64_t)(ttl_seconds * 1e9) };
	r = proc_root_open(&cache->root, proc_path);
	if (r < 0)
		return r;
	pthread_mutex_init(&cache->lock, NULL);
	pthread_mutex_init(&cache->build_lock, NULL);
	return 0;
}

void snapcache_release(struct held_snapshot *held)
{
	if (held && atomic_fetch_sub(&held->refs, 1) == 1) {
		ipc_snapshot_free(held->snap);
		free(held);
	}
}

void snapcache_destroy(struct snapcache *cache)
{
	snapcache_release(cache->current);
	cache->current = NULL;
	proc_root_close(&cache->root);
	pthread_mutex_destroy(&cache->lock);
	pthread_mutex_destroy(&cache->build_lock);
}

/* Takes a reference on the current snapshot if it began at or after
 * not_before, or (within_ttl) is at most ttl old. */
static struct held_snapshot *take_current(struct snapcache *cache, uint64_t not_before,
					  bool within_ttl)
{
	uint64_t now = monotonic_ns();
	struct held_snapshot *held;

	pthread_mutex_lock(&cache->lock);
	held = cache->current;
	if (held && (held->started_ns >= not_before ||
		     (within_ttl && cache->ttl_ns && now - held->started_ns <= cache->ttl_ns)))
		atomic_fetch_add(&held->refs, 1);
	else
		held = NULL;
	pthread_mutex_unlock(&cache->lock);
	return held;
}

static struct held_snapshot *acquire(struct snapcache *cache, bool fresh)
{
	uint64_t asked = monotonic_ns();
	struct held_snapshot *held, *old;
	struct ipc_snapshot *snap;

	held = fresh ? NULL : take_current(cache, UINT64_MAX, true);
	if (held)
		return held;
	pthread_mutex_lock(&cache->build_lock);
	/* Another thread may have rebuilt while this one waited. */
	held = take_current(cache, asked, !fresh);
	if (held) {
		pthread_mutex_unlock(&cache->build_lock);
		return held;
	}
	held = calloc(1, sizeof(*held));
	if (held) {
		held->started_ns = monotonic_ns();
		if (ipc_snapshot_build(&cache->root, &cache->options,
				       ++cache->generation, &snap) < 0) {
			free(held);
			held = NULL;
		} else {
			held->snap = snap;
			atomic_init(&held->refs, 2);	/* the cache's and the caller's */
		}
	}
	pthread_mutex_lock(&cache->lock);
	if (held) {
		old = cache->current;
		cache->current = held;
	} else {
		/* A failed build (out of memory) serves the last one rather
		 * than nothing. */
		old = NULL;
		held = cache->current;
		if (held)
			atomic_fetch_add(&held->refs, 1);
	}
	pthread_mutex_unlock(&cache->lock);
	pthread_mutex_unlock(&cache->build_lock);
	snapcache_release(old);
	return held;
}

struct held_snapshot *snapcache_acquire(struct snapcache *cache)
{
	return acquire(cache, false);
}

struct held_snapshot *snapcache_acquire_latest(struct snapcache *cache)
{
	struct held_snapshot *held = NULL;

	if (cache->ttl_ns == 0) {
		pthread_mutex_lock(&cache->lock);
		held = cache->current;
		if (held)
			atomic_fetch_add(&held->refs, 1);
		pthread_mutex_unlock(&cache->lock);
	}
	return held ? held : acquire(cache, false);
}

struct held_snapshot *snapcache_acquire_fresh(struct snapcache *cache)
{
	return acquire(cache, true);
}
