/* The semaphores' last pids kept from build to build (resolver/sem_pids.c):
 * a set is read again only when its times move (or moved within the last
 * two seconds); a build makes at most its budget of GETPID calls, smaller
 * sets first, and a big set is read over several builds. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "../resolver/sem_pids.h"

static unsigned calls;

/* Set id's semaphore n was last operated on by pid id * 1000 + n. */
static int counting_sem_pid(const struct proc_root *root, uint64_t ipcns, int semid, int semnum)
{
	(void)root;
	calls++;
	return (int)ipcns * 100000 + semid * 1000 + semnum;
}

static struct ipc_sysv_object set(int id, uint32_t nsems, int64_t otime)
{
	return (struct ipc_sysv_object){ .cls = IPC_SYSV_SEM, .id = id, .nsems = nsems,
					 .otime = otime, .ctime = 100 };
}

static const struct proc_root root = { .sem_pid = counting_sem_pid };

/* A build: plans, then reads in namespace 0 (the sets' own). */
static unsigned update(struct sem_pid_cache *cache, const struct ipc_sysv_object *sets,
		       size_t n, size_t budget)
{
	calls = 0;
	assert_int_equal(sem_pid_cache_update(cache, sets, n, 100000, budget), 0);
	sem_pid_cache_read(cache, &root, 0);
	assert_false(sem_pid_cache_planned(cache, 0));
	return calls;
}

static void test_read_once_until_times_move(void **state)
{
	struct ipc_sysv_object sets[] = { set(1, 3, 500), set(2, 2, 500) };
	struct sem_pid_cache cache = {0};
	const int *pids;

	(void)state;
	assert_int_equal(update(&cache, sets, 2, 100), 5);
	pids = sem_pid_cache_find(&cache, 0, 1);
	assert_non_null(pids);
	assert_int_equal(pids[0], 1000);
	assert_int_equal(pids[2], 1002);
	assert_int_equal(sem_pid_cache_find(&cache, 0, 2)[1], 2001);
	assert_null(sem_pid_cache_find(&cache, 0, 3));
	/* nothing moved: nothing read */
	assert_int_equal(update(&cache, sets, 2, 100), 0);
	assert_int_equal(sem_pid_cache_find(&cache, 0, 1)[1], 1001);
	/* set 2 operated on: only it is read */
	sets[1].otime = 600;
	assert_int_equal(update(&cache, sets, 2, 100), 2);
	/* set 1 gone: forgotten */
	assert_int_equal(update(&cache, sets + 1, 1, 100), 0);
	assert_null(sem_pid_cache_find(&cache, 0, 1));
	sem_pid_cache_free(&cache);
}

/* otime counts seconds: a set operated on within the last two may change
 * again in the same second, so it is read every time. */
static void test_recent_sets_read_every_time(void **state)
{
	struct ipc_sysv_object sets[] = { set(4, 2, 99999) };
	struct sem_pid_cache cache = {0};

	(void)state;
	assert_int_equal(update(&cache, sets, 1, 100), 2);
	assert_int_equal(update(&cache, sets, 1, 100), 2);
	sem_pid_cache_free(&cache);
}

/* A huge set cannot take the budget from small ones, and is read over
 * several builds, from where the last one stopped. */
static void test_budget(void **state)
{
	struct ipc_sysv_object sets[] = { set(1, 32000, 500), set(2, 17, 500), set(3, 4, 500) };
	struct sem_pid_cache cache = {0};
	const int *big;
	unsigned total = 0, builds = 0, c;

	(void)state;
	c = update(&cache, sets, 3, 1000);
	assert_int_equal(c, 1000);
	assert_int_equal(sem_pid_cache_find(&cache, 0, 2)[16], 2016);
	assert_int_equal(sem_pid_cache_find(&cache, 0, 3)[3], 3003);
	big = sem_pid_cache_find(&cache, 0, 1);
	assert_int_equal(big[0], 1000);
	assert_int_equal(big[978], 1978);
	assert_int_equal(big[979], 0);		/* not read yet */
	total = c - 21;
	while ((c = update(&cache, sets, 3, 1000)) > 0) {
		assert_true(c <= 1000);
		total += c;
		builds++;
	}
	assert_int_equal(total, 32000);
	assert_int_equal(builds, 32);
	big = sem_pid_cache_find(&cache, 0, 1);
	assert_int_equal(big[31999], 32999);
	sem_pid_cache_free(&cache);
}

/* Set 1 in namespaces 0 and 7: two entries, one budget planned over both
 * (smaller first), each read only by its own namespace's visit; a
 * namespace not visited is planned again by the next build. */
static void test_namespaces(void **state)
{
	struct ipc_sysv_object sets[] = { set(1, 3, 500), set(1, 2, 500) };
	struct sem_pid_cache cache = {0};

	(void)state;
	sets[1].ipcns = 7;
	calls = 0;
	assert_int_equal(sem_pid_cache_update(&cache, sets, 2, 100000, 4), 0);
	assert_true(sem_pid_cache_planned(&cache, 0));
	assert_true(sem_pid_cache_planned(&cache, 7));
	assert_false(sem_pid_cache_planned(&cache, 3));
	sem_pid_cache_read(&cache, &root, 7);
	assert_int_equal(calls, 2);
	assert_int_equal(sem_pid_cache_find(&cache, 7, 1)[1], 701001);
	assert_int_equal(sem_pid_cache_find(&cache, 0, 1)[0], 0);	/* not read yet */
	/* namespace 0 not visited: its 3 are still to read, 2 fit */
	assert_int_equal(sem_pid_cache_update(&cache, sets, 2, 100000, 2), 0);
	assert_false(sem_pid_cache_planned(&cache, 7));
	sem_pid_cache_read(&cache, &root, 0);
	assert_int_equal(calls, 4);
	assert_int_equal(sem_pid_cache_find(&cache, 0, 1)[1], 1001);
	assert_int_equal(sem_pid_cache_find(&cache, 0, 1)[2], 0);
	assert_false(sem_pid_cache_planned(&cache, 0));
	sem_pid_cache_free(&cache);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_read_once_until_times_move),
		cmocka_unit_test(test_recent_sets_read_every_time),
		cmocka_unit_test(test_budget),
		cmocka_unit_test(test_namespaces),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
