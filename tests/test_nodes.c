/* Node ids (fs/nodes.c): one id per key for as long as the kernel holds
 * it, never renumbered, gone after its last forget; directory mtimes that
 * move only when a listing changes. */
#include <errno.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "../fs/nodes.h"

static struct node_key proc_key(pid_t pid)
{
	struct node_key key;

	memset(&key, 0, sizeof(key));
	key.type = NODE_PROC;
	key.pid = pid;
	key.start = (uint64_t)pid * 10;
	return key;
}

static void test_ids_per_key(void **state)
{
	struct node_table *t = nodes_new();
	struct node_key a = proc_key(100), b = proc_key(100), out;
	uint64_t id;

	(void)state;
	assert_non_null(t);
	assert_int_equal(nodes_key(t, NODE_ROOT_ID, &out), 0);
	assert_int_equal(out.type, NODE_ROOT);
	id = nodes_remember(t, &a);
	assert_true(id > NODE_ROOT_ID);
	assert_int_equal(nodes_remember(t, &a), id);
	/* A reused pid is another identity. */
	b.start++;
	assert_int_not_equal(nodes_remember(t, &b), id);
	assert_int_equal(nodes_key(t, id, &out), 0);
	assert_memory_equal(&out, &a, sizeof(a));
	assert_int_equal(nodes_key(t, 12345, &out), -ENOENT);
	nodes_free(t);
}

/* Two lookups need two forgets; the root is never forgotten; an id is
 * not given again to another key. */
static void test_forget(void **state)
{
	struct node_table *t = nodes_new();
	struct node_key a = proc_key(100), out;
	uint64_t id, again;

	(void)state;
	id = nodes_remember(t, &a);
	nodes_remember(t, &a);
	nodes_forget(t, id, 1);
	assert_int_equal(nodes_key(t, id, &out), 0);
	nodes_forget(t, id, 1);
	assert_int_equal(nodes_key(t, id, &out), -ENOENT);
	again = nodes_remember(t, &a);
	assert_true(again > id);
	nodes_forget(t, again, 5);	/* more than it had: gone, no underflow */
	assert_int_equal(nodes_key(t, again, &out), -ENOENT);
	nodes_forget(t, NODE_ROOT_ID, 100);
	assert_int_equal(nodes_key(t, NODE_ROOT_ID, &out), 0);
	nodes_free(t);
}

/* Past the initial buckets the table grows and finds everything. */
static void test_many(void **state)
{
	struct node_table *t = nodes_new();
	static uint64_t ids[5000];
	struct node_key key, out;
	pid_t p;

	(void)state;
	for (p = 0; p < 5000; p++) {
		key = proc_key(p + 1);
		ids[p] = nodes_remember(t, &key);
		assert_true(ids[p] != 0);
	}
	for (p = 0; p < 5000; p++) {
		key = proc_key(p + 1);
		assert_int_equal(nodes_remember(t, &key), ids[p]);
		assert_int_equal(nodes_key(t, ids[p], &out), 0);
		assert_int_equal(out.pid, p + 1);
	}
	for (p = 0; p < 5000; p += 2)
		nodes_forget(t, ids[p], 2);
	for (p = 0; p < 5000; p++)
		assert_int_equal(nodes_key(t, ids[p], &out), p % 2 ? 0 : -ENOENT);
	nodes_free(t);
}

struct worker {
	struct node_table *t;
	pid_t base;
};

static void *remember_and_forget(void *arg)
{
	struct worker *w = arg;
	struct node_key key;
	uint64_t id;
	int i;

	for (i = 0; i < 2000; i++) {
		key = proc_key(w->base + i % 50);
		id = nodes_remember(w->t, &key);
		nodes_forget(w->t, id, 1);
	}
	return NULL;
}

/* FUSE threads look up and forget at once (run under the sanitizers). */
static void test_threads(void **state)
{
	struct worker workers[8];
	pthread_t threads[8];
	struct node_key out;
	int i;

	(void)state;
	workers[0].t = nodes_new();
	for (i = 0; i < 8; i++) {
		workers[i] = (struct worker){ workers[0].t, (pid_t)(1 + (i % 2) * 25) };
		assert_int_equal(pthread_create(&threads[i], NULL, remember_and_forget,
						&workers[i]), 0);
	}
	for (i = 0; i < 8; i++)
		pthread_join(threads[i], NULL);
	/* Every lookup was forgotten: only the root is left. */
	assert_int_equal(nodes_key(workers[0].t, NODE_ROOT_ID, &out), 0);
	assert_int_equal(nodes_key(workers[0].t, NODE_ROOT_ID + 1, &out), -ENOENT);
	nodes_free(workers[0].t);
}

/* The mtime moves to the build time of the first generation that lists
 * the directory differently, so the kernel drops a cached listing. */
static void test_dir_mtime(void **state)
{
	struct node_table *t = nodes_new();
	struct timespec t1 = { 100, 0 }, t2 = { 200, 0 }, t3 = { 300, 0 }, out;

	(void)state;
	assert_false(nodes_dir_mtime_known(t, NODE_ROOT_ID, 1, &out));
	assert_int_equal(nodes_dir_mtime(t, NODE_ROOT_ID, 1, 0xaa, t1).tv_sec, 100);
	assert_true(nodes_dir_mtime_known(t, NODE_ROOT_ID, 1, &out));
	assert_int_equal(out.tv_sec, 100);
	/* Same listing in generation 2: unchanged. */
	assert_false(nodes_dir_mtime_known(t, NODE_ROOT_ID, 2, &out));
	assert_int_equal(nodes_dir_mtime(t, NODE_ROOT_ID, 2, 0xaa, t2).tv_sec, 100);
	/* Another listing in generation 3: moves. */
	assert_int_equal(nodes_dir_mtime(t, NODE_ROOT_ID, 3, 0xbb, t3).tv_sec, 300);
	/* A node the kernel no longer holds: the build time. */
	assert_int_equal(nodes_dir_mtime(t, 999, 3, 0xbb, t2).tv_sec, 200);
	nodes_free(t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ids_per_key),
		cmocka_unit_test(test_forget),
		cmocka_unit_test(test_many),
		cmocka_unit_test(test_threads),
		cmocka_unit_test(test_dir_mtime),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
