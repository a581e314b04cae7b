/* Lookups of processes, endpoints and peers (resolver/snapshot.c) find
 * everything a snapshot lists and nothing else: on the fixture trees, and
 * on a tree made here whose process holds fds 0 to 299, where numeric and
 * text order differ ("10" sorts before "2" as text). */
#include <errno.h>
#include <ftw.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "fixture_root.h"

#define FDS 300	/* fds of process 500 */

static void put_file(const char *dir, const char *name, const char *text)
{
	char path[256];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "we");
	assert_non_null(f);
	assert_true(fputs(text, f) >= 0);
	assert_int_equal(fclose(f), 0);
}

static void put_process(const char *root, pid_t pid, const char *comm, char *dir, size_t size)
{
	char text[256], sub[300];

	snprintf(dir, size, "%s/%d", root, (int)pid);
	assert_int_equal(mkdir(dir, 0755), 0);
	snprintf(sub, sizeof(sub), "%s/fd", dir);
	assert_int_equal(mkdir(sub, 0755), 0);
	snprintf(sub, sizeof(sub), "%s/fdfacts", dir);
	assert_int_equal(mkdir(sub, 0755), 0);
	snprintf(text, sizeof(text),
		 "%d (%s) S 1 %d %d 0 -1 4194304 100 0 0 0 1 2 0 0 20 0 1 0 %d 5000000 300\n",
		 (int)pid, comm, (int)pid, (int)pid, (int)pid * 10);
	put_file(dir, "stat", text);
	snprintf(text, sizeof(text), "Name:\t%s\nUid:\t0\t0\t0\t0\nGid:\t0\t0\t0\t0\nNSpid:\t%d\n",
		 comm, (int)pid);
	put_file(dir, "status", text);
}

/* fd of the process in dir: a link to target, with its facts. */
static void put_fd(const char *dir, int fd, const char *target, const char *facts)
{
	char path[300], name[32];

	snprintf(path, sizeof(path), "%s/fd/%d", dir, fd);
	assert_int_equal(symlink(target, path), 0);
	snprintf(name, sizeof(name), "fdfacts/%d", fd);
	put_file(dir, name, facts);
}

static void put_pipe_fd(const char *dir, int fd, int k, const char *access)
{
	char target[32], facts[32];

	snprintf(target, sizeof(target), "pipe:[%d]", 7000 + k);
	snprintf(facts, sizeof(facts), "access=%s", access);
	put_fd(dir, fd, target, facts);
}

static void put_fifo_fd(const char *dir, int fd, int k, const char *access)
{
	char target[64], facts[96];

	snprintf(target, sizeof(target), "/tmp/lookup-fifo-%d", k);
	snprintf(facts, sizeof(facts), "access=%s type=fifo dev=0:50 ino=%d", access, 9000 + k);
	put_fd(dir, fd, target, facts);
}

/* Process 500 holds pipe k's read end at fd 2k and its write end at
 * 2k + 1, except for every third k: there fd 2k + 1 writes FIFO k, 501
 * writes pipe k at fd 3 + k and reads FIFO k at fd 1000 + k.  502 reads
 * pipe 0 at fd 10. */
static int make_tree(void **state)
{
	char *root = strdup("/tmp/ipcfs-lookup-XXXXXX"), dir[300];
	int k;

	assert_non_null(root);
	assert_non_null(mkdtemp(root));
	put_process(root, 500, "fanout", dir, sizeof(dir));
	for (k = 0; k < FDS / 2; k++) {
		put_pipe_fd(dir, 2 * k, k, "r");
		if (k % 3)
			put_pipe_fd(dir, 2 * k + 1, k, "w");
		else
			put_fifo_fd(dir, 2 * k + 1, k, "w");
	}
	put_process(root, 501, "writer", dir, sizeof(dir));
	for (k = 0; k < FDS / 2; k += 3) {
		put_pipe_fd(dir, 3 + k, k, "w");
		put_fifo_fd(dir, 1000 + k, k, "r");
	}
	put_process(root, 502, "reader", dir, sizeof(dir));
	put_pipe_fd(dir, 10, 0, "r");
	*state = root;
	return 0;
}

static int remove_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

static int remove_tree(void **state)
{
	int r = nftw(*state, remove_entry, 16, FTW_DEPTH | FTW_PHYS);

	free(*state);
	return r;
}

static void test_fixture_trees(void **state)
{
	static const char *const trees[] = { "fixtures/proc-core" };
	struct ipc_snapshot *snap;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(trees) / sizeof(trees[0]); i++) {
		snap = fixture_snapshot(trees[i]);
		fixture_check_lookups(snap);
		ipc_snapshot_free(snap);
	}
	/* Mappings, POSIX shm and queues, System V objects. */
	snap = fixture_shm_snapshot(FIXTURE_SHM_TREE);
	assert_true(snap->n_sysv > 0);
	fixture_check_lookups(snap);
	ipc_snapshot_free(snap);
}

static void test_many_fds(void **state)
{
	struct ipc_snapshot *snap = fixture_snapshot(*state);
	const struct ipc_process *proc = ipc_snapshot_process(snap, 500);
	const struct ipc_endpoint *ep;
	char name[16];
	int fd;

	fixture_check_lookups(snap);
	assert_int_equal(proc->n_endpoints, FDS);
	for (fd = 0; fd < FDS; fd++) {
		enum ipc_kind kind = fd % 2 && (fd / 2) % 3 == 0 ? IPC_FIFO : IPC_PIPE;

		snprintf(name, sizeof(name), "%d", fd);
		ep = ipc_snapshot_endpoint(snap, proc, kind, name);
		assert_non_null(ep);
		assert_int_equal(ep->fd, fd);
	}
	/* Pipes first, then FIFOs; each by number. */
	assert_string_equal(snap->endpoints[proc->first_endpoint].name, "0");
	assert_string_equal(snap->endpoints[proc->first_endpoint + 1].name, "2");
	assert_string_equal(snap->endpoints[proc->first_endpoint + FDS - 1].name, "295");
	assert_string_equal(fixture_peers(snap, 500, IPC_PIPE, "0"), "501:3");
	assert_string_equal(fixture_peers(snap, 500, IPC_PIPE, "2"), "500:3");
	assert_string_equal(fixture_peers(snap, 501, IPC_PIPE, "3"), "500:0 502:10");
	assert_string_equal(fixture_peers(snap, 500, IPC_FIFO, "1"), "501:1000");
	assert_string_equal(fixture_peers(snap, 501, IPC_FIFO, "1147"), "500:295");
	ep = fixture_endpoint(snap, 501, IPC_PIPE, "3");
	assert_non_null(ipc_endpoint_find_peer(snap, ep, 502, "10"));
	assert_null(ipc_endpoint_find_peer(snap, ep, 502, "1"));
	assert_null(ipc_endpoint_find_peer(snap, ep, 500, "3"));
	assert_null(ipc_endpoint_find_peer(snap, ep, 503, "10"));
	ipc_snapshot_free(snap);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fixture_trees),
		cmocka_unit_test_setup_teardown(test_many_fds, make_tree, remove_tree),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
