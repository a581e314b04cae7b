/* The pty, pidfd and anonshm kinds on a fixture /proc tree
 * (tests/fixtures/proc-kinds, made by make-proc-kinds.sh). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "../fs/render.h"
#include "fixture_root.h"

#define KINDS "fixtures/proc-kinds"

static int setup(void **state)
{
	*state = fixture_snapshot(KINDS);
	return 0;
}

static const char *info_of(const struct ipc_snapshot *snap, pid_t pid, enum ipc_kind kind,
			   const char *name, struct textbuf *tb)
{
	const struct ipc_endpoint *ep = fixture_endpoint(snap, pid, kind, name);

	assert_non_null(ep);
	tb->len = 0;
	ipc_endpoint_info_lines(snap, ep, IPC_FIELDS_KIND, NULL, tb);
	return tb->data;
}

/* A master opened through /dev/ptmx: its devpts is the top of the stack
 * at /dev/pts in the holder's mount namespace (0:26 over 0:24); it peers
 * with each slave fd, and the slave fds not with each other. */
static void test_pty_master_through_dev_ptmx(void **state)
{
	const struct ipc_snapshot *snap = *state;
	const struct ipc_endpoint *master = fixture_endpoint(snap, 400, IPC_PTY, "3");
	struct textbuf tb;

	assert_non_null(master);
	assert_int_equal(master->id, 0);
	assert_int_equal(master->access, IPC_ACCESS_R | IPC_ACCESS_W);
	assert_string_equal(fixture_peers(snap, 400, IPC_PTY, "3"), "401:0 401:1 401:2");
	assert_string_equal(fixture_peers(snap, 401, IPC_PTY, "0"), "400:3 409:6");
	assert_string_equal(fixture_peers(snap, 401, IPC_PTY, "2"), "400:3 409:6");
	textbuf_init(&tb);
	assert_string_equal(info_of(snap, 400, IPC_PTY, "3", &tb),
			    "side: master\nindex: 0\npath: /dev/ptmx\ninstance: 0:26\n");
	assert_string_equal(info_of(snap, 401, IPC_PTY, "1", &tb),
			    "side: slave\nindex: 0\npath: /dev/pts/0\ninstance: 0:26\n");
	tb.len = 0;
	ipc_endpoint_detail(snap, master, &tb);
	assert_string_equal(tb.data, "master 0 /dev/ptmx");
	textbuf_free(&tb);
}

/* A second master fd of one terminal, in a process whose mountinfo is not
 * there: its namespace's devpts was learned from the first.  Masters are
 * not each other's peers; the access comes from fdinfo's flags. */
static void test_pty_namespace_read_once(void **state)
{
	const struct ipc_snapshot *snap = *state;

	assert_int_equal(fixture_endpoint(snap, 409, IPC_PTY, "6")->access, IPC_ACCESS_W);
	assert_string_equal(fixture_peers(snap, 409, IPC_PTY, "6"), "401:0 401:1 401:2");
}

/* <devpts>/ptmx: the instance is the link's device.  A regular file named
 * like a slave is no pty. */
static void test_pty_master_through_pts_ptmx(void **state)
{
	const struct ipc_snapshot *snap = *state;

	assert_string_equal(fixture_peers(snap, 402, IPC_PTY, "5"), "403:0");
	assert_string_equal(fixture_peers(snap, 403, IPC_PTY, "0"), "402:5");
	assert_null(fixture_endpoint(snap, 403, IPC_PTY, "7"));
	assert_int_equal(ipc_snapshot_process(snap, 403)->n_endpoints, 1);
}

/* Index 0 of another devpts instance is another terminal. */
static void test_pty_instances_never_merge(void **state)
{
	const struct ipc_snapshot *snap = *state;

	assert_string_equal(fixture_peers(snap, 404, IPC_PTY, "0"), "405:9");
	assert_string_equal(fixture_peers(snap, 405, IPC_PTY, "9"), "404:0");
}

/* Nothing at /dev/pts, or no mount namespace to read: the instance is
 * unknown and the master peers with nothing. */
static void test_pty_unknown_instance(void **state)
{
	const struct ipc_snapshot *snap = *state;
	struct textbuf tb;

	assert_string_equal(fixture_peers(snap, 406, IPC_PTY, "3"), "-");
	assert_string_equal(fixture_peers(snap, 407, IPC_PTY, "4"), "-");
	assert_string_equal(fixture_peers(snap, 408, IPC_PTY, "3"), "-");
	textbuf_init(&tb);
	assert_string_equal(info_of(snap, 407, IPC_PTY, "4", &tb),
			    "side: master\nindex: 0\npath: /dev/ptmx\ninstance: unknown\n");
	assert_string_equal(info_of(snap, 408, IPC_PTY, "3", &tb),
			    "side: master\nindex: 0\npath: /dev/ptmx\ninstance: unknown\n");
	textbuf_free(&tb);
}

/* A pidfd's target is the pid fdinfo gives; "-" once it has exited or
 * lives outside our pid namespace; no peers.  ipc_pidfd_target finds the
 * process only while it is in the snapshot. */
static void test_pidfd_targets(void **state)
{
	const struct ipc_snapshot *snap = *state;
	const struct ipc_endpoint *live = fixture_endpoint(snap, 420, IPC_PIDFD, "3");
	struct textbuf tb;

	assert_non_null(live);
	assert_int_equal(live->id, 421);
	assert_int_equal(live->n_peers, 0);
	assert_ptr_equal(ipc_pidfd_target(snap, live), ipc_snapshot_process(snap, 421));
	assert_null(ipc_pidfd_target(snap, fixture_endpoint(snap, 420, IPC_PIDFD, "4")));
	assert_null(ipc_pidfd_target(snap, fixture_endpoint(snap, 420, IPC_PIDFD, "5")));
	assert_null(ipc_pidfd_target(snap, fixture_endpoint(snap, 420, IPC_PIDFD, "6")));
	assert_null(ipc_pidfd_target(snap, fixture_endpoint(snap, 400, IPC_PTY, "3")));
	textbuf_init(&tb);
	assert_string_equal(info_of(snap, 420, IPC_PIDFD, "3", &tb), "target: 421\n");
	assert_string_equal(info_of(snap, 420, IPC_PIDFD, "4", &tb), "target: -\n");
	assert_string_equal(info_of(snap, 420, IPC_PIDFD, "5", &tb), "target: -\n");
	assert_string_equal(info_of(snap, 420, IPC_PIDFD, "6", &tb), "target: 999\n");
	tb.len = 0;
	ipc_endpoint_detail(snap, live, &tb);
	assert_string_equal(tb.data, "target=421");
	/* Gone: absent, so no DETAIL, and null in JSON. */
	tb.len = 0;
	ipc_endpoint_detail(snap, fixture_endpoint(snap, 420, IPC_PIDFD, "4"), &tb);
	assert_int_equal(tb.len, 0);
	tb.len = 0;
	ipc_endpoint_json(snap, fixture_endpoint(snap, 420, IPC_PIDFD, "4"), NULL, &tb);
	assert_non_null(strstr(tb.data, ",\"peers\":[],\"cgroup\":null,\"target\":null}"));
	textbuf_free(&tb);
	assert_int_equal(ipc_snapshot_process(snap, 421)->n_endpoints, 0);
}

/* Shared anonymous memory: peers by object, across processes only; its
 * size is what the process maps; a private mapping is none, and a memfd
 * on the same device and inode is another kind. */
static void test_anonshm(void **state)
{
	const struct ipc_snapshot *snap = *state;
	struct textbuf tb;

	assert_string_equal(fixture_peers(snap, 440, IPC_ANONSHM, "map-7f0000100000"),
			    "441:map-7f0000100000");
	assert_string_equal(fixture_peers(snap, 441, IPC_ANONSHM, "map-7f0000100000"),
			    "440:map-7f0000100000");
	assert_string_equal(fixture_peers(snap, 442, IPC_ANONSHM, "map-7f0000200000"), "-");
	assert_null(fixture_endpoint(snap, 442, IPC_ANONSHM, "map-7f0000300000"));
	assert_string_equal(fixture_peers(snap, 442, IPC_MEMFD, "map-7f0000400000"), "-");
	assert_int_equal(fixture_endpoint(snap, 440, IPC_ANONSHM, "map-7f0000100000")->id, 7001);
	assert_int_equal(fixture_endpoint(snap, 441, IPC_ANONSHM, "map-7f0000100000")->access,
			 IPC_ACCESS_R | IPC_ACCESS_W);
	textbuf_init(&tb);
	assert_string_equal(info_of(snap, 440, IPC_ANONSHM, "map-7f0000100000", &tb),
			    "path: /dev/zero (deleted)\nsize: 16384\nmapped: yes\n");
	assert_string_equal(info_of(snap, 441, IPC_ANONSHM, "map-7f0000100000", &tb),
			    "path: /dev/zero (deleted)\nsize: 12288\nmapped: yes\n");
	/* DETAIL: the path, size keyed, a flag by its name; JSON: a mapping's
	 * fd is null, mapped a bool. */
	tb.len = 0;
	ipc_endpoint_detail(snap, fixture_endpoint(snap, 441, IPC_ANONSHM, "map-7f0000100000"), &tb);
	assert_string_equal(tb.data, "/dev/zero (deleted) size=12288 mapped");
	tb.len = 0;
	ipc_endpoint_json(snap, fixture_endpoint(snap, 441, IPC_ANONSHM, "map-7f0000100000"), NULL,
			  &tb);
	assert_non_null(strstr(tb.data, "\"name\":\"map-7f0000100000\",\"fd\":null,\"id\":7001,"));
	assert_non_null(strstr(tb.data, ",\"path\":\"/dev/zero (deleted)\",\"size\":12288,"
					"\"mapped\":true}"));
	textbuf_free(&tb);
}

static void test_lookups(void **state)
{
	fixture_check_lookups(*state);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_pty_master_through_dev_ptmx),
		cmocka_unit_test(test_pty_namespace_read_once),
		cmocka_unit_test(test_pty_master_through_pts_ptmx),
		cmocka_unit_test(test_pty_instances_never_merge),
		cmocka_unit_test(test_pty_unknown_instance),
		cmocka_unit_test(test_pidfd_targets),
		cmocka_unit_test(test_anonshm),
		cmocka_unit_test(test_lookups),
	};

	return cmocka_run_group_tests(tests, setup, fixture_teardown);
}
