/* Containers on the fixture tree tests/fixtures/maps/proc-shm: each
 * process's cgroup v2 path, and System V objects of two IPC namespaces
 * whose ids and keys collide (ipcfs's own at sysvipc/, namespace
 * 4026532000 at ipcns/4026532000/sysvipc/; 4026532001, where process 321
 * is, cannot be entered). */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "../resolver/builder.h"
#include "fixture_root.h"

#define OWN_IPCNS 4026531839u
#define UNENTERABLE_IPCNS 4026532001u

static const struct ipc_process *process(const struct ipc_snapshot *snap, pid_t pid)
{
	const struct ipc_process *proc = ipc_snapshot_process(snap, pid);

	assert_non_null(proc);
	return proc;
}

/* The 0:: line of /proc/<pid>/cgroup, after v1 lines or alone; none
 * (v1 only, no file) is unknown; equal paths are one string. */
static void test_cgroup(void **state)
{
	const struct ipc_snapshot *snap = *state;

	assert_string_equal(process(snap, 300)->cgroup, "/");
	assert_null(process(snap, 301)->cgroup);
	assert_null(process(snap, 303)->cgroup);
	assert_string_equal(process(snap, 302)->cgroup, "/container/a");
	assert_ptr_equal(process(snap, 302)->cgroup, process(snap, 320)->cgroup);
	/* the bytes as the kernel wrote them */
	assert_string_equal(process(snap, 321)->cgroup, "/container/b\\012c (deleted)");
	assert_int_equal(process(snap, 302)->ipcns, FIXTURE_OTHER_IPCNS);
	assert_int_equal(process(snap, 321)->ipcns, UNENTERABLE_IPCNS);
	assert_int_equal(process(snap, 303)->ipcns, 0);
}

static const struct ipc_sysv_object *object_of(const struct ipc_snapshot *snap, pid_t pid,
					       const char *name)
{
	const struct ipc_endpoint *ep = fixture_endpoint(snap, pid, IPC_SYSV, name);

	assert_non_null(ep);
	return ep->detail;
}

/* Segment 7, queue 3 and set 11 exist in both namespaces: each process
 * reaches its own namespace's, and peers stay within a namespace. */
static void test_colliding_ids(void **state)
{
	const struct ipc_snapshot *snap = *state;
	const struct ipc_sysv_object *host7 = ipc_sysv_find(snap, IPC_SYSV_SHM, 7);
	const struct ipc_sysv_object *other7 = object_of(snap, 302, "shm-7");
	const struct ipc_sysv_object *other3 = object_of(snap, 302, "msg-3");
	const struct ipc_sysv_object *other11 = object_of(snap, 320, "sem-11");
	size_t count;

	assert_non_null(host7);
	assert_ptr_not_equal(host7, other7);
	assert_int_equal(host7->ipcns, OWN_IPCNS);
	assert_int_equal(host7->size, 65536);
	assert_int_equal(other7->ipcns, FIXTURE_OTHER_IPCNS);
	assert_int_equal(other7->id, 7);
	assert_int_equal(other7->key, host7->key);
	assert_int_equal(other7->size, 8192);
	/* 302 maps /SYSV0000002a inode 7 and is lpid, 320 is cpid */
	assert_string_equal(fixture_peers(snap, 302, IPC_SYSV, "shm-7"), "320:shm-7");
	assert_string_equal(fixture_peers(snap, 320, IPC_SYSV, "shm-7"), "302:shm-7");
	assert_string_equal(fixture_peers(snap, 300, IPC_SYSV, "shm-7"), "301:shm-7 305:shm-7");
	assert_int_equal(other7->n_members, 2);
	assert_ptr_equal(ipc_sysv_member(snap, other7, 0), fixture_endpoint(snap, 302, IPC_SYSV, "shm-7"));
	assert_ptr_equal(ipc_sysv_member(snap, other7, 1), fixture_endpoint(snap, 320, IPC_SYSV, "shm-7"));
	assert_ptr_equal(object_of(snap, 305, "shm-7"), host7);
	/* lspid 305 lives in ipcfs's namespace: not the sender there */
	assert_int_equal(other3->ipcns, FIXTURE_OTHER_IPCNS);
	assert_int_equal(other3->size, 10);
	assert_string_equal(fixture_peers(snap, 302, IPC_SYSV, "msg-3"), "-");
	assert_int_equal(ipc_sysv_find(snap, IPC_SYSV_MSG, 3)->n_members, 1);
	assert_ptr_equal(object_of(snap, 305, "msg-3"), ipc_sysv_find(snap, IPC_SYSV_MSG, 3));
	/* GETPID in each namespace: 320 and 305 there, 305 dropped */
	assert_int_equal(other11->nsems, 2);
	assert_int_equal(other11->n_members, 1);
	assert_null(fixture_endpoint(snap, 302, IPC_SYSV, "sem-11"));
	assert_ptr_equal(object_of(snap, 305, "sem-11"), ipc_sysv_find(snap, IPC_SYSV_SEM, 11));
	assert_ptr_equal(object_of(snap, 307, "sem-11"), ipc_sysv_find(snap, IPC_SYSV_SEM, 11));
	/* MNT/sysv shows ipcfs's own objects only */
	ipc_sysv_objects(snap, IPC_SYSV_SHM, &count);
	assert_int_equal(count, 3);
	ipc_sysv_objects(snap, IPC_SYSV_MSG, &count);
	assert_int_equal(count, 2);
	/* a namespace that cannot be entered shows nothing, not ours */
	assert_int_equal(process(snap, 321)->n_endpoints, 0);
	fixture_check_lookups(snap);
}

/* info and JSON of an endpoint say its cgroup, and a System V one its
 * object's namespace; the object's own info too. */
static void test_info(void **state)
{
	const struct ipc_snapshot *snap = *state;
	const struct ipc_endpoint *ep = fixture_endpoint(snap, 302, IPC_SYSV, "shm-7");
	struct textbuf tb;

	textbuf_init(&tb);
	ipc_endpoint_info_lines(snap, ep, IPC_FIELDS_ALL, NULL, &tb);
	assert_string_equal(tb.data,
			    "kind: sysv\npid: 302\ncomm: other-ns\nname: shm-7\nfd: -\nid: 7\n"
			    "access: rw\npeers: 320:shm-7\ncgroup: /container/a\nclass: shm\n"
			    "key: 0x0000002a\nsize: 8192\nnattch: 1\nperms: 0600\nowner: 0:0\n"
			    "cpid: 320\nlpid: 302\nipcns: 4026532000\n");
	tb.len = 0;
	ipc_endpoint_json(snap, ep, NULL, &tb);
	assert_non_null(strstr(tb.data, ",\"cgroup\":\"/container/a\",\"class\":\"shm\","));
	assert_non_null(strstr(tb.data, ",\"ipcns\":4026532000}"));
	tb.len = 0;
	ipc_endpoint_json(snap, fixture_endpoint(snap, 301, IPC_SYSV, "shm-7"), NULL, &tb);
	assert_non_null(strstr(tb.data, ",\"cgroup\":null,"));
	assert_non_null(strstr(tb.data, ",\"ipcns\":4026531839}"));
	/* the DETAIL column does not change */
	tb.len = 0;
	ipc_endpoint_detail(snap, ep, &tb);
	assert_string_equal(tb.data, "shm key=0x0000002a size=8192 nattch=1");
	textbuf_free(&tb);
}

/* The visits the build asks for, and the namespace GETPID is called in. */
static int (*fixture_visits)(const struct proc_root *, uint64_t, const struct ns_ref *, size_t,
			     int (*)(void *, size_t, const char *), void *);
static uint64_t visited[8], visiting;
static size_t n_visited, getpid_calls;

struct wrapped {
	const struct ns_ref *refs;
	int (*visit)(void *context, size_t i, const char *sysvipc);
	void *context;
};

static int record_visit(void *context, size_t i, const char *sysvipc)
{
	struct wrapped *w = context;
	int r;

	if (n_visited < 8)
		visited[n_visited++] = w->refs[i].ino;
	visiting = w->refs[i].ino;
	r = w->visit(w->context, i, sysvipc);
	visiting = UINT64_MAX;
	return r;
}

static int recording_namespaces(const struct proc_root *root, uint64_t own,
				const struct ns_ref *refs, size_t n,
				int (*visit)(void *context, size_t i, const char *sysvipc),
				void *context)
{
	struct wrapped w = { refs, visit, context };

	return fixture_visits(root, own, refs, n, record_visit, &w);
}

static int checking_sem_pid(const struct proc_root *root, uint64_t ipcns, int semid, int semnum)
{
	(void)root;
	(void)semnum;
	/* from a visit of that very namespace */
	assert_int_equal(ipcns, visiting);
	getpid_calls++;
	return semid == 11 && ipcns == FIXTURE_OTHER_IPCNS ? 320 : 0;
}

/* Every namespace a process is in is visited once, ipcfs's first; the
 * semaphores are read in a second visit, of the namespaces with sets to
 * read, and only there; a failing visit fails the build. */
static void test_visits(void **state)
{
	struct ipc_snapshot *snap = NULL;
	struct proc_root root;

	(void)state;
	assert_int_equal(fixture_root_open(&root, FIXTURE_SHM_TREE), 0);
	fixture_visits = root.ipc_namespaces;
	root.ipc_namespaces = recording_namespaces;
	root.sem_pid = checking_sem_pid;
	visiting = UINT64_MAX;
	assert_int_equal(ipc_snapshot_build(&root, NULL, 1, &snap), 0);
	/* own, 4026532000, 4026532001 (not entered, so not visited); then
	 * the sets: own, 4026532000 */
	assert_int_equal(n_visited, 4);
	assert_int_equal(visited[0], OWN_IPCNS);
	assert_int_equal(visited[1], FIXTURE_OTHER_IPCNS);
	assert_int_equal(visited[2], OWN_IPCNS);
	assert_int_equal(visited[3], FIXTURE_OTHER_IPCNS);
	assert_int_equal(getpid_calls, 3 + 1 + 2);	/* sets 11 and 12 here, 11 there */
	assert_string_equal(fixture_peers(snap, 320, IPC_SYSV, "sem-11"), "-");
	ipc_snapshot_free(snap);
	proc_root_close(&root);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		fixture_shm_test(test_cgroup),
		fixture_shm_test(test_colliding_ids),
		fixture_shm_test(test_info),
		cmocka_unit_test(test_visits),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
