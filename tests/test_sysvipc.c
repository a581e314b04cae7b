/* /proc/sysvipc parsing (tests/fixtures/sysvipc) and System V objects,
 * their endpoints and peers on a fixture /proc tree
 * (tests/fixtures/maps/proc-shm, whose sysvipc/ is that directory). */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "../resolver/maps.h"
#include "../resolver/sysvipc.h"
#include "fixture_root.h"

static void test_parse_line(void **state)
{
	struct ipc_sysv_object o;

	(void)state;
	assert_int_equal(sysvipc_parse_line(IPC_SYSV_SHM,
					    "       key      shmid perms                  size  cpid",
					    &o), 0);
	assert_int_equal(sysvipc_parse_line(IPC_SYSV_SHM, "", &o), 0);
	assert_int_equal(sysvipc_parse_line(IPC_SYSV_SHM,
					    "        -1      32769  1666  18446744073709551615     0     0"
					    "     0     0     0     0     0          0          0 1700000000",
					    &o), 1);
	assert_int_equal(o.key, 0xffffffff);
	assert_int_equal(o.id, 32769);
	assert_int_equal(o.perms, 01666);
	assert_int_equal(o.size, UINT64_MAX);
	assert_int_equal(o.ctime, 1700000000);
	/* rss and swap are optional (older kernels). */
	assert_int_equal(sysvipc_parse_line(IPC_SYSV_SEM,
					    "         7         12   666          1     0     0     0"
					    "     0          0 1700000060",
					    &o), 1);
	assert_int_equal(o.cls, IPC_SYSV_SEM);
	assert_int_equal(o.nsems, 1);
	/* Cut short, a negative id or pid, junk inside a number. */
	assert_int_equal(sysvipc_parse_line(IPC_SYSV_SHM, "         5          3  600 4096 1 1", &o),
			 -EBADMSG);
	assert_int_equal(sysvipc_parse_line(IPC_SYSV_SEM, "7 -12 666 1 0 0 0 0 0 0", &o), -EBADMSG);
	assert_int_equal(sysvipc_parse_line(IPC_SYSV_SEM, "7 12 666 1 0 0 0 0 0x5 0", &o), -EBADMSG);
	assert_int_equal(sysvipc_parse_line(IPC_SYSV_SEM, "7 12 686 1 0 0 0 0 0 0", &o), -EBADMSG);
	assert_int_equal(sysvipc_parse_line(IPC_SYSV_SEM, "99999999999 12 666 1 0 0 0 0 0 0", &o),
			 -EBADMSG);
}

static void test_read_files(void **state)
{
	struct sysv_list list = {0};
	struct proc_root root;
	char *buf = malloc(READ_LINES_BUF);
	const struct ipc_sysv_object *o;
	int64_t btime = 0;

	(void)state;
	assert_non_null(buf);
	assert_int_equal(proc_root_open(&root, "fixtures"), 0);
	assert_int_equal(sysvipc_read(&root, "sysvipc", IPC_SYSV_SHM, buf, READ_LINES_BUF, &list), 0);
	assert_int_equal(list.n, 3);
	assert_int_equal(list.bad_lines, 2);
	o = &list.items[0];
	assert_int_equal(o->key, 42);
	assert_int_equal(o->id, 7);
	assert_int_equal(o->perms, 0600);
	assert_int_equal(o->size, 65536);
	assert_int_equal(o->cpid, 305);
	assert_int_equal(o->lpid, 301);
	assert_int_equal(o->nattch, 2);
	assert_int_equal(o->uid, 1000);
	assert_int_equal(o->atime, 1700000150);
	assert_int_equal(o->dtime, 1700000160);

	assert_int_equal(sysvipc_read(&root, "sysvipc", IPC_SYSV_MSG, buf, READ_LINES_BUF, &list), 0);
	assert_int_equal(list.n, 5);
	assert_int_equal(list.bad_lines, 3);	/* the last line lacks its fields */
	o = &list.items[3];
	assert_int_equal(o->cls, IPC_SYSV_MSG);
	assert_int_equal(o->key, 1234);
	assert_int_equal(o->size, 300);
	assert_int_equal(o->qnum, 3);
	assert_int_equal(o->lspid, 305);
	assert_int_equal(o->lrpid, 306);
	assert_int_equal(o->rtime, 1700000300);

	assert_int_equal(sysvipc_read(&root, "sysvipc", IPC_SYSV_SEM, buf, READ_LINES_BUF, &list), 0);
	assert_int_equal(list.n, 7);
	assert_int_equal(list.items[5].key, 0xdeadbeef);
	assert_int_equal(list.items[5].nsems, 3);
	assert_int_equal(list.items[5].otime, 1700000400);
	sysv_list_free(&list);
	proc_root_close(&root);

	/* No sysvipc directory is no object; btime past a 40 KB intr line. */
	assert_int_equal(proc_root_open(&root, FIXTURE_SHM_TREE "/300"), 0);
	assert_int_equal(sysvipc_read(&root, "sysvipc", IPC_SYSV_SHM, buf, READ_LINES_BUF, &list), 0);
	assert_int_equal(list.n, 0);
	assert_int_equal(proc_boot_time(&root, buf, READ_LINES_BUF, &btime), -ENOENT);
	proc_root_close(&root);
	assert_int_equal(proc_root_open(&root, FIXTURE_SHM_TREE), 0);
	assert_int_equal(proc_boot_time(&root, buf, READ_LINES_BUF, &btime), 0);
	assert_int_equal(btime, 1700000000);
	proc_root_close(&root);
	free(buf);
}

/* "pid:name ..." of the processes an object lists. */
static const char *members(const struct ipc_snapshot *snap, const struct ipc_sysv_object *obj)
{
	static char text[512];
	size_t len = 0;
	uint32_t i;

	text[0] = '\0';
	for (i = 0; i < obj->n_members; i++) {
		const struct ipc_endpoint *ep = ipc_sysv_member(snap, obj, i);

		assert_non_null(ep);
		len += (size_t)snprintf(text + len, sizeof(text) - len, "%s%d:%s", i ? " " : "",
					ipc_endpoint_process(snap, ep)->pid, ep->name);
	}
	return text;
}

static void test_objects(void **state)
{
	const struct ipc_snapshot *snap = *state;
	const struct ipc_sysv_object *objects;
	size_t count;

	objects = ipc_sysv_objects(snap, IPC_SYSV_SHM, &count);
	assert_int_equal(count, 3);
	assert_int_equal(objects[0].id, 7);
	assert_int_equal(objects[1].id, 9);
	assert_int_equal(objects[2].id, 32769);
	objects = ipc_sysv_objects(snap, IPC_SYSV_MSG, &count);
	assert_int_equal(count, 2);
	assert_int_equal(objects[0].id, 3);
	objects = ipc_sysv_objects(snap, IPC_SYSV_SEM, &count);
	assert_int_equal(count, 2);
	assert_int_equal(objects[1].id, 12);
	assert_null(ipc_sysv_find(snap, IPC_SYSV_MSG, 7));
	assert_non_null(ipc_sysv_find(snap, IPC_SYSV_SEM, 11));
	assert_string_equal(ipc_sysv_class_dir(IPC_SYSV_MSG), "msg");
	assert_int_equal(ipc_sysv_class_from_dir("sem"), IPC_SYSV_SEM);
	assert_int_equal(ipc_sysv_class_from_dir("sysv"), -ENOENT);
}

/* shm: attached by mapping (not from another IPC namespace, not under
 * another key), plus cpid and lpid.  test_containers.c has the other
 * namespaces. */
static void test_shm_members(void **state)
{
	const struct ipc_snapshot *snap = *state;
	const struct ipc_sysv_object *shm7 = ipc_sysv_find(snap, IPC_SYSV_SHM, 7);
	const struct ipc_process *proc = ipc_snapshot_process(snap, 300);
	const struct ipc_endpoint *ep;

	assert_non_null(shm7);
	assert_string_equal(members(snap, shm7), "300:shm-7 301:shm-7 305:shm-7");
	assert_string_equal(fixture_peers(snap, 300, IPC_SYSV, "shm-7"), "301:shm-7 305:shm-7");
	assert_string_equal(fixture_peers(snap, 305, IPC_SYSV, "shm-7"), "300:shm-7 301:shm-7");
	ep = ipc_snapshot_endpoint(snap, proc, IPC_SYSV, "shm-7");
	assert_non_null(ep);
	assert_int_equal(ep->fd, -1);
	assert_int_equal(ep->id, 7);
	assert_int_equal(ep->access, IPC_ACCESS_R | IPC_ACCESS_W);
	assert_int_equal(ipc_snapshot_endpoint(snap, ipc_snapshot_process(snap, 301), IPC_SYSV,
					       "shm-7")->access, IPC_ACCESS_R);
	assert_int_equal(ipc_snapshot_endpoint(snap, ipc_snapshot_process(snap, 305), IPC_SYSV,
					       "shm-7")->access, 0);
	assert_null(ipc_sysv_find_member(snap, shm7, 302, "shm-7"));
	assert_int_equal(ipc_snapshot_process(snap, 321)->n_endpoints, 0);
	assert_null(ipc_snapshot_endpoint(snap, ipc_snapshot_process(snap, 301), IPC_SYSV, "shm-9"));
	assert_int_equal(ipc_sysv_find(snap, IPC_SYSV_SHM, 9)->n_members, 0);
}

/* msg: lspid kept, lrpid started after the receive (pid reused): dropped.
 * sem: GETPID per semaphore, the one started after otime dropped. */
static void test_recorded_pids(void **state)
{
	const struct ipc_snapshot *snap = *state;

	assert_string_equal(members(snap, ipc_sysv_find(snap, IPC_SYSV_MSG, 3)), "305:msg-3");
	assert_string_equal(fixture_peers(snap, 305, IPC_SYSV, "msg-3"), "-");
	assert_int_equal(ipc_snapshot_process(snap, 306)->n_endpoints, 0);
	assert_string_equal(members(snap, ipc_sysv_find(snap, IPC_SYSV_SEM, 11)),
			    "305:sem-11 307:sem-11");
	assert_string_equal(fixture_peers(snap, 307, IPC_SYSV, "sem-11"), "305:sem-11");
	assert_int_equal(ipc_snapshot_process(snap, 308)->n_endpoints, 0);
	assert_int_equal(ipc_sysv_find(snap, IPC_SYSV_SEM, 12)->n_members, 0);
}

static const char *object_info(const struct ipc_snapshot *snap, enum ipc_sysv_class cls, int id)
{
	static char text[1024];
	struct textbuf tb;

	textbuf_init(&tb);
	ipc_sysv_info(snap, ipc_sysv_find(snap, cls, id), &tb);
	snprintf(text, sizeof(text), "%s", tb.data);
	textbuf_free(&tb);
	return text;
}

static void test_info(void **state)
{
	const struct ipc_snapshot *snap = *state;
	const struct ipc_process *proc = ipc_snapshot_process(snap, 305);
	struct textbuf tb;

	assert_string_equal(object_info(snap, IPC_SYSV_SHM, 7),
			    "class: shm\nid: 7\nkey: 0x0000002a\nsize: 65536\nnattch: 2\n"
			    "perms: 0600\nowner: 1000:1000\ncpid: 305\nlpid: 301\nipcns: 4026531839\n");
	assert_string_equal(object_info(snap, IPC_SYSV_MSG, 3),
			    "class: msg\nid: 3\nkey: 0x000004d2\nsize: 300\nperms: 0660\n"
			    "owner: 0:0\nlspid: 305\nlrpid: 306\nqnum: 3\nipcns: 4026531839\n");
	assert_string_equal(object_info(snap, IPC_SYSV_SEM, 11),
			    "class: sem\nid: 11\nkey: 0xdeadbeef\nperms: 0600\nowner: 0:0\nnsems: 3\n"
			    "ipcns: 4026531839\n");
	assert_string_equal(object_info(snap, IPC_SYSV_SHM, 32769),
			    "class: shm\nid: 32769\nkey: 0xffffffff\nsize: 18446744073709551615\n"
			    "nattch: 0\nperms: 1666\nowner: 0:0\ncpid: 0\nlpid: 0\nipcns: 4026531839\n");

	textbuf_init(&tb);
	ipc_endpoint_info_lines(snap, ipc_snapshot_endpoint(snap, proc, IPC_SYSV, "sem-11"),
				IPC_FIELDS_KIND, NULL, &tb);
	assert_string_equal(tb.data, "class: sem\nkey: 0xdeadbeef\nperms: 0600\nowner: 0:0\nnsems: 3\n"
				     "ipcns: 4026531839\n");
	tb.len = 0;
	ipc_endpoint_detail(snap, ipc_snapshot_endpoint(snap, proc, IPC_SYSV, "shm-7"), &tb);
	assert_string_equal(tb.data, "shm key=0x0000002a size=65536 nattch=2");
	tb.len = 0;
	ipc_endpoint_detail(snap, ipc_snapshot_endpoint(snap, proc, IPC_SYSV, "msg-3"), &tb);
	assert_string_equal(tb.data, "msg key=0x000004d2 size=300 qnum=3");
	textbuf_free(&tb);
}

/* A tree without /proc/sysvipc has no objects, and the accessors cope. */
static void test_no_sysvipc(void **state)
{
	struct ipc_snapshot *snap = fixture_snapshot("fixtures/proc-core");
	size_t count = 1;

	(void)state;
	assert_int_equal(snap->n_sysv, 0);
	ipc_sysv_objects(snap, IPC_SYSV_SEM, &count);
	assert_int_equal(count, 0);
	assert_null(ipc_sysv_find(snap, IPC_SYSV_SHM, 0));
	ipc_snapshot_free(snap);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_line),
		cmocka_unit_test(test_read_files),
		fixture_shm_test(test_objects),
		fixture_shm_test(test_shm_members),
		fixture_shm_test(test_recorded_pids),
		fixture_shm_test(test_info),
		cmocka_unit_test(test_no_sysvipc),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
