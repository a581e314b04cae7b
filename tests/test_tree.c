/* The fs tree table (fs/tree.c) on fixture snapshots: every name a
 * directory lists is found by lookup with the same key and resolves to the
 * same target, for every node type; cookies grow and a listing resumed
 * from any cookie is the rest of it; a listing begun on one snapshot and
 * finished on another never repeats a name and never skips one that both
 * hold. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "../fs/tree.h"
#include "fixture_root.h"

#define CORE "fixtures/proc-core"
#define KINDS "fixtures/proc-kinds"

struct listing {
	struct tree_child *items;
	size_t n, cap;
};

static int collect(void *ctx, const struct tree_child *child)
{
	struct listing *l = ctx;

	if (l->n == l->cap) {
		l->cap = l->cap ? 2 * l->cap : 16;
		l->items = realloc(l->items, l->cap * sizeof(*l->items));
		assert_non_null(l->items);
	}
	l->items[l->n++] = *child;
	return 0;
}

static struct listing list(const struct ipc_snapshot *snap, const struct node_key *key,
			   const struct target *t, uint64_t after)
{
	struct listing l = {0};

	assert_int_equal(tree_list(snap, key, t, after, collect, &l), 0);
	return l;
}

static struct node_key root_key(void)
{
	struct node_key key;

	memset(&key, 0, sizeof(key));
	key.type = NODE_ROOT;
	return key;
}

/* The node types met by check_dir. */
static unsigned types_seen;

/* One directory and, recursively, all below it. */
static void check_dir(const struct ipc_snapshot *snap, const struct node_key *key,
		      const struct target *t)
{
	struct listing all = list(snap, key, t, 0), rest;
	struct tree_child found;
	struct target resolved;
	size_t i, j;

	for (i = 0; i < all.n; i++) {
		const struct tree_child *c = &all.items[i];

		types_seen |= 1u << c->key.type;
		/* A positive off_t past "." and "..", growing, names unique. */
		assert_true(c->cookie >= TREE_FIRST_COOKIE && c->cookie <= INT64_MAX);
		if (i)
			assert_true(c->cookie > all.items[i - 1].cookie);
		for (j = 0; j < i; j++)
			assert_string_not_equal(all.items[j].name, c->name);
		/* Lookup finds what listing lists, with the same key. */
		assert_int_equal(tree_find(snap, key, t, c->name, &found), 0);
		assert_memory_equal(&found.key, &c->key, sizeof(c->key));
		assert_memory_equal(&found.target, &c->target, sizeof(c->target));
		assert_true(found.cookie == c->cookie);
		assert_int_equal(tree_resolve(snap, &c->key, &resolved), 0);
		assert_memory_equal(&resolved, &c->target, sizeof(resolved));
		/* Resumed after this entry: exactly the entries after it. */
		rest = list(snap, key, t, c->cookie);
		assert_int_equal(rest.n, all.n - i - 1);
		for (j = 0; j < rest.n; j++)
			assert_string_equal(rest.items[j].name, all.items[i + 1 + j].name);
		free(rest.items);
		assert_int_equal(tree_is_dir(c->key.type), S_ISDIR(tree_mode(&c->key, &c->target)));
		if (tree_is_dir(c->key.type))
			check_dir(snap, &c->key, &c->target);
		else
			assert_int_equal(tree_find(snap, &c->key, &c->target, "x", &found), -ENOTDIR);
	}
	free(all.items);
}

static void check_tree(const struct ipc_snapshot *snap)
{
	struct node_key key = root_key();
	struct target t;

	assert_int_equal(tree_resolve(snap, &key, &t), 0);
	check_dir(snap, &key, &t);
}

/* Every node type, on the core tree (pipes, FIFOs, memfd, eventfd), the
 * shared-memory tree (mappings, mqueue, System V objects) and the kinds
 * tree (pty, pidfd targets). */
static void test_listed_names_are_found(void **state)
{
	struct ipc_snapshot *core = fixture_snapshot(CORE);
	struct ipc_snapshot *shm = fixture_shm_snapshot(FIXTURE_SHM_TREE);
	struct ipc_snapshot *kinds = fixture_snapshot(KINDS);
	unsigned type, all = 0;

	(void)state;
	types_seen = 1u << NODE_ROOT;
	check_tree(core);
	check_tree(shm);
	check_tree(kinds);
	for (type = NODE_ROOT; type <= NODE_SYSV_MEMBER; type++)
		all |= 1u << type;
	assert_int_equal(types_seen, all);
	ipc_snapshot_free(core);
	ipc_snapshot_free(shm);
	ipc_snapshot_free(kinds);
}

/* Lookups of names nothing lists. */
static void test_unlisted_names(void **state)
{
	struct ipc_snapshot *snap = fixture_snapshot(CORE);
	struct node_key key = root_key();
	struct tree_child c, proc, kind;
	struct target t = {0};

	(void)state;
	assert_int_equal(tree_find(snap, &key, &t, "0", &c), -ENOENT);
	assert_int_equal(tree_find(snap, &key, &t, "0100", &c), -ENOENT);
	assert_int_equal(tree_find(snap, &key, &t, "+100", &c), -ENOENT);
	assert_int_equal(tree_find(snap, &key, &t, "99999", &c), -ENOENT);
	assert_int_equal(tree_find(snap, &key, &t, "selfish", &c), -ENOENT);
	/* A process without channels is found, not listed. */
	assert_int_equal(tree_find(snap, &key, &t, "170", &c), 0);
	assert_int_equal(c.key.pid, 170);
	/* Any kind is found; a peer only as <pid>:<name> of a real peer. */
	assert_int_equal(tree_find(snap, &key, &t, "100", &proc), 0);
	assert_int_equal(tree_find(snap, &proc.key, &proc.target, "tcp4", &c), 0);
	assert_int_equal(tree_find(snap, &proc.key, &proc.target, "nope", &c), -ENOENT);
	assert_int_equal(tree_find(snap, &proc.key, &proc.target, "pipes", &kind), 0);
	assert_int_equal(tree_find(snap, &kind.key, &kind.target, "1", &c), 0);
	proc = c;
	assert_int_equal(tree_find(snap, &proc.key, &proc.target, "101:0", &c), 0);
	assert_int_equal(tree_find(snap, &proc.key, &proc.target, "101:1", &c), -ENOENT);
	assert_int_equal(tree_find(snap, &proc.key, &proc.target, "101:", &c), -ENOENT);
	assert_int_equal(tree_find(snap, &proc.key, &proc.target, ":0", &c), -ENOENT);
	assert_int_equal(tree_find(snap, &proc.key, &proc.target, "0101:0", &c), -ENOENT);
	assert_int_equal(tree_find(snap, &proc.key, &proc.target, "140:3", &c), -ENOENT);
	ipc_snapshot_free(snap);
}

/* <pid>/pidfd/<fd>/target: there while the process it refers to is in
 * the snapshot, and only that process (a reused pid is another). */
static void test_pidfd_target(void **state)
{
	struct ipc_snapshot *snap = fixture_snapshot(KINDS);
	struct node_key key = root_key();
	struct tree_child proc, kind, ep, c;
	struct target t, resolved;
	struct listing l;

	(void)state;
	assert_int_equal(tree_resolve(snap, &key, &t), 0);
	assert_int_equal(tree_find(snap, &key, &t, "420", &proc), 0);
	assert_int_equal(tree_find(snap, &proc.key, &proc.target, "pidfd", &kind), 0);
	assert_int_equal(tree_find(snap, &kind.key, &kind.target, "3", &ep), 0);
	assert_int_equal(tree_find(snap, &ep.key, &ep.target, "target", &c), 0);
	assert_int_equal(c.key.type, NODE_PIDFD_TARGET);
	assert_int_equal(c.key.peer_pid, 421);
	assert_ptr_equal(c.target.pidfd_target, ipc_snapshot_process(snap, 421));
	assert_true(S_ISLNK(tree_mode(&c.key, &c.target)));
	c.key.peer_start++;
	assert_int_equal(tree_resolve(snap, &c.key, &resolved), -ENOENT);
	/* Exited, not in the snapshot: no link. */
	assert_int_equal(tree_find(snap, &kind.key, &kind.target, "4", &ep), 0);
	assert_int_equal(tree_find(snap, &ep.key, &ep.target, "target", &c), -ENOENT);
	assert_int_equal(tree_find(snap, &kind.key, &kind.target, "6", &ep), 0);
	assert_int_equal(tree_find(snap, &ep.key, &ep.target, "target", &c), -ENOENT);
	l = list(snap, &ep.key, &ep.target, 0);
	assert_int_equal(l.n, 1);	/* info only */
	free(l.items);
	ipc_snapshot_free(snap);
}

static bool has_name(const struct listing *l, size_t n, const char *name)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (strcmp(l->items[i].name, name) == 0)
			return true;
	return false;
}

/* Directory key read first on a, then, from each possible page break,
 * on b: no name twice, every name of both there; the same below. */
static void check_across(const struct ipc_snapshot *a, const struct ipc_snapshot *b,
			 const struct node_key *key)
{
	struct target ta, tb;
	struct listing la, lb, rest, seen;
	size_t k, i;

	if (tree_resolve(a, key, &ta) < 0 || tree_resolve(b, key, &tb) < 0)
		return;
	la = list(a, key, &ta, 0);
	lb = list(b, key, &tb, 0);
	for (k = 0; k <= la.n; k++) {
		seen = (struct listing){0};
		for (i = 0; i < k; i++)
			collect(&seen, &la.items[i]);
		rest = list(b, key, &tb, k ? la.items[k - 1].cookie : 0);
		for (i = 0; i < rest.n; i++) {
			assert_false(has_name(&seen, seen.n, rest.items[i].name));
			collect(&seen, &rest.items[i]);
		}
		for (i = 0; i < lb.n; i++)
			if (has_name(&la, la.n, lb.items[i].name))
				assert_true(has_name(&seen, seen.n, lb.items[i].name));
		free(rest.items);
		free(seen.items);
	}
	for (i = 0; i < la.n; i++)
		if (tree_is_dir(la.items[i].key.type))
			check_across(a, b, &la.items[i].key);
	free(la.items);
	free(lb.items);
}

/* The core tree, and a copy where processes 101, 110 and 121 are gone
 * (so are their peers elsewhere): read across the rebuild either way. */
static void test_listing_across_rebuild(void **state)
{
	char dir[] = "/tmp/ipcfs-tree-XXXXXX", cmd[256];
	struct ipc_snapshot *full, *fewer;
	struct node_key key = root_key();

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(cmd, sizeof(cmd), "cp -a %s %s/proc && rm -r %s/proc/101 %s/proc/110 %s/proc/121",
		 CORE, dir, dir, dir, dir);
	assert_int_equal(system(cmd), 0);
	snprintf(cmd, sizeof(cmd), "%s/proc", dir);
	full = fixture_snapshot(CORE);
	fewer = fixture_snapshot(cmd);
	assert_null(ipc_snapshot_process(fewer, 101));
	check_across(full, fewer, &key);
	check_across(fewer, full, &key);
	ipc_snapshot_free(full);
	ipc_snapshot_free(fewer);
	snprintf(cmd, sizeof(cmd), "rm -r %s", dir);
	assert_int_equal(system(cmd), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_listed_names_are_found),
		cmocka_unit_test(test_unlisted_names),
		cmocka_unit_test(test_pidfd_target),
		cmocka_unit_test(test_listing_across_rebuild),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
