/* The resolver on a fixture /proc tree (tests/fixtures/proc-core). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <errno.h>
#include <cmocka.h>

#include "../fs/render.h"
#include "fixture_root.h"

#define CORE "fixtures/proc-core"

static int setup(void **state)
{
	*state = fixture_snapshot(CORE);
	return 0;
}

/* One writer, three readers: each reader has the writer, the writer all. */
static void test_pipe_fan_out(void **state)
{
	const struct ipc_snapshot *snap = *state;
	const struct ipc_endpoint *w = fixture_endpoint(snap, 100, IPC_PIPE, "1");

	assert_non_null(w);
	assert_int_equal(w->access, IPC_ACCESS_W);
	assert_int_equal(w->id, 5000);
	assert_string_equal(fixture_peers(snap, 100, IPC_PIPE, "1"), "101:0 102:0 103:0");
	assert_string_equal(fixture_peers(snap, 101, IPC_PIPE, "0"), "100:1");
	assert_string_equal(fixture_peers(snap, 102, IPC_PIPE, "0"), "100:1");
	assert_string_equal(fixture_peers(snap, 103, IPC_PIPE, "0"), "100:1");
}

/* A reader, a writer and an O_RDWR holder: the holder peers with both,
 * reader and writer with each other and the holder. */
static void test_fifo_with_rdwr_holder(void **state)
{
	const struct ipc_snapshot *snap = *state;
	struct textbuf tb;

	assert_string_equal(fixture_peers(snap, 110, IPC_FIFO, "3"), "111:4 112:5");
	assert_string_equal(fixture_peers(snap, 111, IPC_FIFO, "4"), "110:3 112:5");
	assert_string_equal(fixture_peers(snap, 112, IPC_FIFO, "5"), "110:3 111:4");
	/* A regular file is no channel. */
	assert_null(fixture_endpoint(snap, 112, IPC_FIFO, "6"));
	assert_int_equal(ipc_snapshot_process(snap, 112)->n_endpoints, 1);

	textbuf_init(&tb);
	ipc_endpoint_info_lines(snap, fixture_endpoint(snap, 112, IPC_FIFO, "5"), IPC_FIELDS_ALL,
				NULL, &tb);
	assert_string_equal(tb.data,
			    "kind: fifos\npid: 112\ncomm: fifo-rw\nname: 5\nfd: 5\nid: 77\n"
			    "access: rw\npeers: 110:3 111:4\ncgroup: /fixture.slice/a b\\001\n"
			    "path: /tmp/ipcfs fixture.fifo\n");
	/* The same fields as JSON; the peers with their kind. */
	tb.len = 0;
	ipc_endpoint_json(snap, fixture_endpoint(snap, 112, IPC_FIFO, "5"), NULL, &tb);
	assert_string_equal(tb.data,
			    "{\"kind\":\"fifos\",\"pid\":112,\"comm\":\"fifo-rw\",\"name\":\"5\","
			    "\"fd\":5,\"id\":77,\"access\":\"rw\",\"peers\":["
			    "{\"pid\":110,\"kind\":\"fifos\",\"name\":\"3\"},"
			    "{\"pid\":111,\"kind\":\"fifos\",\"name\":\"4\"}],"
			    "\"cgroup\":\"/fixture.slice/a b\\\\001\",\"path\":\"/tmp/ipcfs fixture.fifo\"}");
	tb.len = 0;
	ipc_endpoint_detail(snap, fixture_endpoint(snap, 112, IPC_FIFO, "5"), &tb);
	assert_string_equal(tb.data, "/tmp/ipcfs fixture.fifo");
	textbuf_free(&tb);
}

/* Two O_RDWR holders, a reader and a writer, the rw ones first: each rw
 * holder peers with everyone, once; the reader with every writer. */
static void test_fifo_with_two_rdwr_holders(void **state)
{
	const struct ipc_snapshot *snap = *state;

	assert_string_equal(fixture_peers(snap, 113, IPC_FIFO, "3"), "114:3 115:3 116:3");
	assert_string_equal(fixture_peers(snap, 114, IPC_FIFO, "3"), "113:3 115:3 116:3");
	assert_string_equal(fixture_peers(snap, 115, IPC_FIFO, "3"), "113:3 114:3 116:3");
	assert_string_equal(fixture_peers(snap, 116, IPC_FIFO, "3"), "113:3 114:3 115:3");
}

static void test_memfd_across_fork(void **state)
{
	const struct ipc_snapshot *snap = *state;
	const struct ipc_endpoint *ep = fixture_endpoint(snap, 121, IPC_MEMFD, "3");
	struct textbuf tb;

	assert_string_equal(fixture_peers(snap, 120, IPC_MEMFD, "3"), "121:3");
	assert_string_equal(fixture_peers(snap, 121, IPC_MEMFD, "3"), "120:3");
	assert_string_equal(fixture_peers(snap, 121, IPC_MEMFD, "4"), "-");
	textbuf_init(&tb);
	ipc_endpoint_info_lines(snap, ep, IPC_FIELDS_KIND, NULL, &tb);
	assert_string_equal(tb.data, "path: /memfd:shared (deleted)\nsize: 4096\nmapped: no\n");
	textbuf_free(&tb);
}

static void test_eventfd_by_id(void **state)
{
	const struct ipc_snapshot *snap = *state;

	assert_int_equal(fixture_endpoint(snap, 130, IPC_EVENTFD, "5")->id, 17);
	assert_string_equal(fixture_peers(snap, 130, IPC_EVENTFD, "5"), "131:6");
	assert_string_equal(fixture_peers(snap, 131, IPC_EVENTFD, "6"), "130:5");
	assert_string_equal(fixture_peers(snap, 131, IPC_EVENTFD, "7"), "-");
}

/* A self-pipe's ends point at each other; an odd comm is kept raw and
 * escaped where shown. */
static void test_self_pipe_and_odd_comm(void **state)
{
	const struct ipc_snapshot *snap = *state;
	const struct ipc_process *proc = ipc_snapshot_process(snap, 140);
	struct textbuf tb;

	assert_non_null(proc);
	assert_string_equal(proc->comm, "a b\tc\nd) x");
	assert_int_equal(proc->uid, 1000);
	assert_int_equal(proc->nspid, 7);
	assert_int_equal(proc->start_time, 1400);
	assert_string_equal(fixture_peers(snap, 140, IPC_PIPE, "3"), "140:4");
	assert_string_equal(fixture_peers(snap, 140, IPC_PIPE, "4"), "140:3");

	textbuf_init(&tb);
	render_table(&(struct table_request){ .snap = snap, .first = proc, .end = proc + 1 }, &tb);
	assert_string_equal(tb.data,
			    "KIND\tPID\tCOMM\tNAME\tACCESS\tID\tPEERS\tDETAIL\n"
			    "pipes\t140\ta\\040b\\011c\\012d)\\040x\t3\tr\t6000\t140:4\t-\n"
			    "pipes\t140\ta\\040b\\011c\\012d)\\040x\t4\tw\t6000\t140:3\t-\n");
	tb.len = 0;
	ipc_endpoint_info_lines(snap, fixture_endpoint(snap, 140, IPC_PIPE, "3"), IPC_FIELDS_ALL,
				NULL, &tb);
	assert_string_equal(tb.data, "kind: pipes\npid: 140\nnspid: 7\ncomm: a b\\011c\\012d) x\n"
				     "name: 3\nfd: 3\nid: 6000\naccess: r\npeers: 140:4\ncgroup: -\n");
	/* In JSON, the comm's \ooo escapes have their backslash escaped. */
	tb.len = 0;
	ipc_endpoint_json(snap, fixture_endpoint(snap, 140, IPC_PIPE, "4"), NULL, &tb);
	assert_string_equal(tb.data,
			    "{\"kind\":\"pipes\",\"pid\":140,\"nspid\":7,"
			    "\"comm\":\"a b\\\\011c\\\\012d) x\",\"name\":\"4\",\"fd\":4,\"id\":6000,"
			    "\"access\":\"w\",\"peers\":[{\"pid\":140,\"kind\":\"pipes\",\"name\":\"3\"}],"
			    "\"cgroup\":null}");
	/* A pipe has no DETAIL beyond its id. */
	tb.len = 0;
	ipc_endpoint_detail(snap, fixture_endpoint(snap, 140, IPC_PIPE, "4"), &tb);
	assert_int_equal(tb.len, 0);
	textbuf_free(&tb);
}

/* A pid directory without stat is a process that exited while listed; an
 * fd entry that is no link is an fd closed meanwhile. */
static void test_vanished_process_and_fd(void **state)
{
	const struct ipc_snapshot *snap = *state;
	const struct ipc_process *kthread = ipc_snapshot_process(snap, 170);

	assert_null(ipc_snapshot_process(snap, 150));
	assert_null(fixture_endpoint(snap, 140, IPC_PIPE, "9"));
	assert_int_equal(ipc_snapshot_process(snap, 140)->n_endpoints, 2);
	/* A process without endpoints is still known (found, not listed). */
	assert_non_null(kthread);
	assert_int_equal(kthread->n_endpoints, 0);
	assert_string_equal(kthread->comm, "kworker/0:1");
}

/* No process at all (every one gone while listed, or an empty tree):
 * an empty snapshot.  Found by fuzzing (tests/fuzz/corpus/proc/empty):
 * freeze passed a NULL array to memcpy, which UBSan reports. */
static void test_no_process(void **state)
{
	char tree[] = "/tmp/ipcfs-empty.XXXXXX";
	struct ipc_snapshot *snap = NULL;

	(void)state;
	assert_non_null(mkdtemp(tree));
	assert_int_equal(fixture_build(tree, false, NULL, &snap), 0);
	rmdir(tree);
	assert_int_equal(snap->n_processes, 0);
	assert_int_equal(snap->n_endpoints, 0);
	ipc_snapshot_free(snap);
}

/* The fd directory of 160 made unreadable: the process stays, without
 * endpoints, flagged; others are unaffected. */
static void test_unreadable_fd_directory(void **state)
{
	const char *fd_dir = CORE "/160/fd";
	struct ipc_snapshot *snap;
	int status;
	pid_t child;

	(void)state;
	assert_int_equal(chmod(fd_dir, 0), 0);
	child = fork();
	assert_true(child >= 0);
	if (child == 0) {
		/* root reads any directory: look as an ordinary user. */
		if (geteuid() == 0 && setresuid(65534, 65534, 65534) != 0)
			_exit(2);
		snap = fixture_snapshot(CORE);
		const struct ipc_process *proc = ipc_snapshot_process(snap, 160);
		_exit(!(proc && proc->fds_unreadable && proc->n_endpoints == 0 &&
			strcmp(fixture_peers(snap, 100, IPC_PIPE, "1"), "101:0 102:0 103:0") == 0));
	}
	assert_int_equal(waitpid(child, &status, 0), child);
	chmod(fd_dir, 0755);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);

	snap = fixture_snapshot(CORE);
	assert_false(ipc_snapshot_process(snap, 160)->fds_unreadable);
	assert_int_equal(ipc_snapshot_process(snap, 160)->n_endpoints, 1);
	ipc_snapshot_free(snap);
}

static void render_all_rows(const struct ipc_snapshot *snap, struct textbuf *tb)
{
	render_table(&(struct table_request){ .snap = snap, .first = snap->processes,
					      .end = snap->processes + snap->n_processes },
		     tb);
}

/* One process per chunk on four threads (the setup's build is one chunk
 * on one thread): the same processes, endpoints and peers, in the same
 * order, every time. */
static void test_scan_threads_build_the_same(void **state)
{
	const struct ipc_build_options split = { .scan_threads = 4, .scan_chunk = 1 };
	const struct ipc_snapshot *whole = *state;
	struct textbuf expected, got;
	struct ipc_snapshot *snap;
	int round;

	textbuf_init(&expected);
	render_all_rows(whole, &expected);
	assert_true(expected.len > 0);
	for (round = 0; round < 20; round++) {
		snap = fixture_snapshot_with(CORE, &split);
		assert_int_equal(snap->n_processes, whole->n_processes);
		assert_int_equal(snap->n_endpoints, whole->n_endpoints);
		textbuf_init(&got);
		render_all_rows(snap, &got);
		assert_string_equal(got.data, expected.data);
		textbuf_free(&got);
		ipc_snapshot_free(snap);
	}
	textbuf_free(&expected);
}

/* Rejects the processes of the middle third, so that a part can be empty. */
static bool admits_ends(const void *ctx, const struct ipc_process *proc)
{
	const struct ipc_snapshot *snap = ctx;
	size_t i = (size_t)(proc - snap->processes);

	return i < snap->n_processes / 3 || i >= 2 * snap->n_processes / 3;
}

/* Rejects every process: every part is empty. */
static bool admits_none(const void *ctx, const struct ipc_process *proc)
{
	(void)ctx;
	(void)proc;
	return false;
}

/* A table rendered by several threads has the bytes of one rendered by
 * one, channels and JSON, every process, some or none. */
static void test_table_parts_render_the_same(void **state)
{
	bool (*const filters[])(const void *, const struct ipc_process *) = {
		NULL, admits_ends, admits_none,
	};
	const struct ipc_snapshot *snap = *state;
	struct table_request rq = { .snap = snap, .first = snap->processes,
				    .end = snap->processes + snap->n_processes, .ctx = snap };
	struct textbuf one, parts;
	size_t variant;

	assert_true(snap->n_endpoints >= 6);
	for (variant = 0; variant < 2 * sizeof(filters) / sizeof(filters[0]); variant++) {
		rq.json = variant & 1;
		rq.admits = filters[variant / 2];
		rq.rows_per_part = 0;
		rq.parts_max = 1;
		textbuf_init(&one);
		render_table(&rq, &one);
		rq.rows_per_part = 1;
		rq.parts_max = 3;
		textbuf_init(&parts);
		render_table(&rq, &parts);
		assert_int_equal(parts.error, 0);
		assert_string_equal(parts.data, one.data);
		if (rq.json && rq.admits != admits_none) {
			assert_memory_equal(one.data, "[\n{", 3);
			assert_string_equal(one.data + one.len - 4, "}\n]\n");
		} else if (rq.json) {
			assert_string_equal(one.data, "[\n]\n");
		} else if (rq.admits == admits_none) {
			assert_string_equal(one.data, "KIND\tPID\tCOMM\tNAME\tACCESS\tID\tPEERS\tDETAIL\n");
		}
		textbuf_free(&one);
		textbuf_free(&parts);
	}
}

/* The position of the phase named name, or -1. */
static long phase_index(const struct ipc_snapshot *snap, const char *name)
{
	size_t i;

	for (i = 0; i < snap->n_phases; i++)
		if (strcmp(snap->phases[i].name, name) == 0)
			return (long)i;
	return -1;
}

/* The build's profile: begin and scan first, every kind's resolve once,
 * the freeze last. */
static void test_build_phases(void **state)
{
	static const char *const resolved[] = {
		"pty", "pipes and FIFOs", "eventfd", "memfd", "shm", "anonshm", "mqueue", "System V",
	};
	struct timespec t0, t1;
	struct ipc_snapshot *snap;
	uint64_t sum = 0, wall_us;
	size_t i, j;

	(void)state;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	snap = fixture_snapshot_with(CORE, NULL);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	wall_us = (uint64_t)((t1.tv_sec - t0.tv_sec) * 1000000 + (t1.tv_nsec - t0.tv_nsec) / 1000);

	assert_true(snap->n_phases >= 2 + sizeof(resolved) / sizeof(resolved[0]) + 1);
	assert_int_equal(phase_index(snap, "begin"), 0);
	assert_int_equal(phase_index(snap, "scan"), 1);
	assert_int_equal(phase_index(snap, "freeze"), (long)snap->n_phases - 1);
	for (i = 0; i < sizeof(resolved) / sizeof(resolved[0]); i++)
		assert_true(phase_index(snap, resolved[i]) > 1);
	for (i = 0; i < snap->n_phases; i++)
		for (j = i + 1; j < snap->n_phases; j++)
			assert_string_not_equal(snap->phases[i].name, snap->phases[j].name);
	/* Each phase from the end of the one before: together within the
	 * build, and the scan, which reads the tree, takes some time. */
	for (i = 0; i < snap->n_phases; i++)
		sum += snap->phases[i].us;
	assert_true(sum <= wall_us);
	assert_true(snap->phases[1].us > 0);
	ipc_snapshot_free(snap);
}

static void test_escaping(void **state)
{
	struct textbuf tb;

	(void)state;
	textbuf_init(&tb);
	textbuf_escaped(&tb, "a b\\\x7f\x01z", 7, 0x21);
	assert_string_equal(tb.data, "a\\040b\\134\\177\\001z");
	tb.len = 0;
	textbuf_escaped(&tb, "a b\t", 4, 0x20);
	assert_string_equal(tb.data, "a b\\011");
	textbuf_free(&tb);
}

static void test_kind_names(void **state)
{
	int k;

	(void)state;
	for (k = 0; k < IPC_KIND_COUNT; k++)
		assert_int_equal(ipc_kind_from_dir(ipc_kind_dir(k)), k);
	assert_int_equal(ipc_kind_from_dir("nope"), -ENOENT);
	assert_string_equal(ipc_kind_dir(IPC_PIPE), "pipes");
	assert_string_equal(ipc_kind_dir(IPC_FIFO), "fifos");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_pipe_fan_out),
		cmocka_unit_test(test_fifo_with_rdwr_holder),
		cmocka_unit_test(test_fifo_with_two_rdwr_holders),
		cmocka_unit_test(test_memfd_across_fork),
		cmocka_unit_test(test_eventfd_by_id),
		cmocka_unit_test(test_self_pipe_and_odd_comm),
		cmocka_unit_test(test_vanished_process_and_fd),
		cmocka_unit_test(test_no_process),
		cmocka_unit_test(test_unreadable_fd_directory),
		cmocka_unit_test(test_scan_threads_build_the_same),
		cmocka_unit_test(test_table_parts_render_the_same),
		cmocka_unit_test(test_build_phases),
		cmocka_unit_test(test_escaping),
		cmocka_unit_test(test_kind_names),
	};

	return cmocka_run_group_tests(tests, setup, fixture_teardown);
}
