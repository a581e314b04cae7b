#include "snapcache.h"

#include <errno.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
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

	*cache = (struct snapcache){ .ttl_ns = (uint64_t)(ttl_seconds * 1e9),
				     .build = ipc_snapshot_build, .clock_ns = monotonic_ns };
	r = proc_root_open(&cache->root, proc_path);
	if (r < 0)
		return r;
	pthread_mutex_init(&cache->lock, NULL);
	pthread_cond_init(&cache->build_ended, NULL);
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
	pthread_cond_destroy(&cache->build_ended);
}

/* Takes a reference on the current snapshot, if any; called locked. */
static struct held_snapshot *hold_current(struct snapcache *cache)
{
	struct held_snapshot *held = cache->current;

	if (held)
		atomic_fetch_add(&held->refs, 1);
	return held;
}

/* Runs the next build with the lock dropped (so requests can queue for
 * it) and makes it current; called locked, returns locked.  Returns the
 * snapshot it replaced, for the caller to release unlocked: freeing a big
 * one takes a while. */
static struct held_snapshot *run_build(struct snapcache *cache)
{
	uint64_t generation = ++cache->builds_started;
	uint64_t started = cache->clock_ns(), ended;
	struct held_snapshot *held, *old = NULL;
	struct ipc_snapshot *snap;
	int r;

	cache->building = true;
	pthread_mutex_unlock(&cache->lock);
	held = calloc(1, sizeof(*held));
	r = held ? cache->build(&cache->root, &cache->options, generation, &snap) : -ENOMEM;
	if (r == 0) {
		held->snap = snap;
		held->started_ns = started;
		atomic_init(&held->refs, 1);	/* the cache's */
	} else {
		/* Said where an admin looks (the daemon's stderr is gone once
		 * it runs in the background); the last snapshot stays served. */
		syslog(LOG_ERR, "snapshot build %" PRIu64 " failed: %s; serving the previous one",
		       generation, strerror(-r));
		free(held);
		held = NULL;
	}
	pthread_mutex_lock(&cache->lock);
	ended = cache->clock_ns();
	if (held) {
		held->ended_ns = ended;
		old = cache->current;
		cache->current = held;
	}
	cache->building = false;
	cache->builds_ended = generation;
	pthread_cond_broadcast(&cache->build_ended);
	return old;
}

/* Fresh as snapcache.h says; ttl > 0. */
static bool is_fresh(const struct snapcache *cache, const struct held_snapshot *held,
		     uint64_t now)
{
	uint64_t ttl = cache->ttl_ns;

	return now - held->started_ns <= ttl ||
	       (held->ended_ns - held->started_ns > ttl && now - held->ended_ns <= ttl);
}

/* The rules of snapcache.h; fresh asks for the next build in any case. */
static struct held_snapshot *acquire(struct snapcache *cache, bool fresh)
{
	struct held_snapshot *held, *old = NULL;
	bool shares = !fresh && cache->ttl_ns;
	uint64_t now, wanted;

	pthread_mutex_lock(&cache->lock);
	now = cache->clock_ns();
	if (shares && cache->current && is_fresh(cache, cache->current, now))
		wanted = cache->builds_ended;
	else if (shares && cache->building)
		wanted = cache->builds_started;
	else
		wanted = cache->builds_started + 1;
	/* At most one build starts here: wanted is at most one past the
	 * builds begun on arrival. */
	while (cache->builds_ended < wanted) {
		if (cache->building)
			pthread_cond_wait(&cache->build_ended, &cache->lock);
		else
			old = run_build(cache);
	}
	held = hold_current(cache);
	pthread_mutex_unlock(&cache->lock);
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
		held = hold_current(cache);
		pthread_mutex_unlock(&cache->lock);
	}
	return held ? held : acquire(cache, false);
}

struct held_snapshot *snapcache_acquire_fresh(struct snapcache *cache)
{
	return acquire(cache, true);
}

bool snapcache_process_alive(struct snapcache *cache, const char *name)
{
	return ipc_process_alive(&cache->root, name);
}

pid_t snapcache_thread_group(struct snapcache *cache, pid_t tid)
{
	return ipc_thread_group(&cache->root, tid);
}

const struct proc_hidepid *snapcache_hidepid(const struct snapcache *cache)
{
	return &cache->root.hidepid;
}
