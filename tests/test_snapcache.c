/* The snapshot cache with a deliberately slow build on a fixture tree and
 * many threads asking at once: which build each request takes, and how
 * many builds start while it waits (snapcache.h states the rules). */
#include <errno.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>
#include <cmocka.h>

#include "../fs/snapcache.h"
#include "fixture_root.h"

#define CORE "fixtures/proc-core"
#define THREADS 16
#define REQUESTS 20

static struct snapcache cache;
static struct proc_root fixture;
static useconds_t build_us;
static atomic_bool fail_builds;
static atomic_uint builds;

static int slow_build(const struct proc_root *root, const struct ipc_build_options *options,
		      uint64_t generation, struct ipc_snapshot **out)
{
	(void)root;
	atomic_fetch_add(&builds, 1);
	usleep(build_us);
	if (atomic_load(&fail_builds))
		return -ENOMEM;
	return ipc_snapshot_build(&fixture, options, generation, out);
}

/* What the cache looked like when a request arrived, and how many builds
 * the request ran itself.  The cache reads its clock first thing under its
 * lock (the arrival), then twice per build it runs (start and end). */
struct arrival {
	bool noted, building, fresh;
	uint64_t now, builds_started;
	unsigned clock_reads;
};

static __thread struct arrival arrived;

/* The freshness rule of snapcache.h, stated again. */
static bool is_fresh(const struct held_snapshot *held, uint64_t now)
{
	uint64_t ttl = cache.ttl_ns, took = held->ended_ns - held->started_ns;

	return ttl && (now - held->started_ns <= ttl || (took > ttl && now - held->ended_ns <= ttl));
}

static uint64_t noting_clock(void)
{
	struct timespec ts;
	uint64_t now;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	now = (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
	if (!arrived.noted)
		arrived = (struct arrival){ .noted = true, .building = cache.building, .now = now,
					    .builds_started = cache.builds_started,
					    .fresh = cache.current && is_fresh(cache.current, now) };
	arrived.clock_reads++;
	return now;
}

static void start(double ttl, useconds_t build_time)
{
	assert_int_equal(snapcache_init(&cache, CORE, ttl), 0);
	assert_int_equal(fixture_root_open(&fixture, CORE), 0);
	cache.build = slow_build;
	cache.clock_ns = noting_clock;
	build_us = build_time;
	atomic_store(&fail_builds, false);
	atomic_store(&builds, 0);
}

static int stop(void **state)
{
	(void)state;
	snapcache_destroy(&cache);
	proc_root_close(&fixture);
	return 0;
}

typedef struct held_snapshot *acquire_fn(struct snapcache *cache);

/* One request; *a gets its arrival. */
static struct held_snapshot *request(acquire_fn *acquire, struct arrival *a)
{
	struct held_snapshot *held;

	arrived.noted = false;
	held = acquire(&cache);
	*a = arrived;
	return held;
}

static uint64_t generation_of(struct held_snapshot *held)
{
	return held->snap->generation;
}

/* Requests breaking the rules, counted by the threads (cmocka asserts
 * only on the main thread). */
static atomic_uint broken;

/* Whether a request that arrived as a says and got held kept the rules of
 * snapcache.h.  A waiter may get a newer build than the one it waited for
 * (one that ended before it woke up), never an older one. */
static bool kept_rules(const struct arrival *a, struct held_snapshot *held)
{
	unsigned builds_run = (a->clock_reads - 1) / 2;
	uint64_t g = generation_of(held);

	if (builds_run > 1)
		return false;
	if (cache.ttl_ns == 0)	/* a build begun after arrival */
		return g >= a->builds_started + 1 && held->started_ns >= a->now;
	if (a->building)	/* the running build, whatever its age */
		return builds_run == 0 && g >= a->builds_started;
	/* Stale on arrival and no build running: a new one. */
	return a->fresh || g >= a->builds_started + 1;
}

static void *requester(void *arg)
{
	unsigned seed = (unsigned)(uintptr_t)arg;
	struct held_snapshot *held;
	struct arrival a;
	int i;

	for (i = 0; i < REQUESTS; i++) {
		usleep((useconds_t)(rand_r(&seed) % (2 * build_us)));
		held = request(snapcache_acquire, &a);
		if (!held || !a.noted || !kept_rules(&a, held))
			atomic_fetch_add(&broken, 1);
		snapcache_release(held);
	}
	return NULL;
}

static void run_requesters(void)
{
	pthread_t threads[THREADS];
	uintptr_t t;

	atomic_store(&broken, 0);
	for (t = 0; t < THREADS; t++)
		assert_int_equal(pthread_create(&threads[t], NULL, requester, (void *)(t + 1)), 0);
	for (t = 0; t < THREADS; t++)
		pthread_join(threads[t], NULL);
	assert_int_equal(atomic_load(&broken), 0);
	assert_int_equal(atomic_load(&builds), cache.builds_started);
}

/* A ttl far shorter than a build: requests share the running build
 * instead of each starting its own after it (the rebuild storm). */
static void test_build_longer_than_ttl(void **state)
{
	(void)state;
	start(0.0001, 5000);
	run_requesters();
	/* Sharing keeps builds well below requests. */
	assert_true(atomic_load(&builds) < THREADS * REQUESTS / 2);
	print_message("ttl 0.1 ms, build 5 ms: %u builds for %d requests\n",
		      atomic_load(&builds), THREADS * REQUESTS);
}

/* A build longer than the ttl is served for ttl after it ends: the
 * request right after it (an open after its lookup) builds nothing. */
static void test_served_after_slow_build(void **state)
{
	struct held_snapshot *first, *next;
	struct arrival a;

	(void)state;
	start(0.02, 40000);
	first = request(snapcache_acquire, &a);
	assert_int_equal(a.clock_reads, 3);	/* arrival, build start and end */
	next = request(snapcache_acquire, &a);
	assert_ptr_equal(next, first);
	assert_int_equal(a.clock_reads, 1);
	snapcache_release(next);
	usleep(30000);
	next = request(snapcache_acquire, &a);
	assert_int_equal(generation_of(next), 2);
	snapcache_release(next);
	snapcache_release(first);
}

/* ttl 0: each request takes a build begun after it arrived. */
static void test_ttl_zero(void **state)
{
	(void)state;
	start(0, 3000);
	run_requesters();
	print_message("ttl 0, build 3 ms: %u builds for %d requests\n",
		      atomic_load(&builds), THREADS * REQUESTS);
}

/* Within the ttl, one build serves everyone. */
static void test_within_ttl(void **state)
{
	(void)state;
	start(60, 3000);
	run_requesters();
	assert_int_equal(atomic_load(&builds), 1);
}

/* A listing rebuilt at ttl 0 is followed by requests on the latest
 * snapshot; a lookup of a new process waits for a build begun after it. */
static void test_latest_and_fresh(void **state)
{
	struct held_snapshot *first, *latest, *fresh;
	struct arrival a;

	(void)state;
	start(0, 0);
	latest = snapcache_acquire_latest(&cache);	/* none yet: built */
	assert_int_equal(generation_of(latest), 1);
	snapcache_release(latest);
	first = request(snapcache_acquire, &a);
	assert_int_equal(generation_of(first), 2);
	latest = snapcache_acquire_latest(&cache);
	assert_ptr_equal(latest, first);
	snapcache_release(latest);
	snapcache_release(first);

	cache.ttl_ns = 60000000000u;
	first = snapcache_acquire(&cache);
	assert_int_equal(generation_of(first), 2);
	fresh = request(snapcache_acquire_fresh, &a);
	assert_int_equal(generation_of(fresh), a.builds_started + 1);
	assert_int_equal(generation_of(fresh), 3);
	snapcache_release(fresh);
	snapcache_release(first);
}

/* A build that fails (out of memory) leaves the previous one served;
 * with none yet, the request gets NULL. */
static void test_failed_build(void **state)
{
	struct held_snapshot *first, *again;

	(void)state;
	start(0, 0);
	atomic_store(&fail_builds, true);
	assert_null(snapcache_acquire(&cache));
	atomic_store(&fail_builds, false);
	first = snapcache_acquire(&cache);
	assert_non_null(first);
	atomic_store(&fail_builds, true);
	again = snapcache_acquire(&cache);
	assert_ptr_equal(again, first);
	assert_int_equal(cache.builds_started, 3);
	snapcache_release(again);
	snapcache_release(first);
}

/* The live questions go to the cache's procfs (here the fixture). */
static void test_live_procfs(void **state)
{
	(void)state;
	start(1, 0);
	assert_true(snapcache_process_alive(&cache, "100"));
	assert_false(snapcache_process_alive(&cache, "99999"));
	assert_false(snapcache_process_alive(&cache, "0100"));
	assert_int_equal(snapcache_thread_group(&cache, 100), 100);
	assert_true(snapcache_thread_group(&cache, 99999) < 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_build_longer_than_ttl, stop),
		cmocka_unit_test_teardown(test_served_after_slow_build, stop),
		cmocka_unit_test_teardown(test_ttl_zero, stop),
		cmocka_unit_test_teardown(test_within_ttl, stop),
		cmocka_unit_test_teardown(test_latest_and_fresh, stop),
		cmocka_unit_test_teardown(test_failed_build, stop),
		cmocka_unit_test_teardown(test_live_procfs, stop),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
