#include "fixture_root.h"

#include <errno.h>
#include <inttypes.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>
#include <cmocka.h>

#include "../resolver/builder.h"

/* Serves <pid>/fdfacts/<fd> ("access=rw type=fifo dev=0:12 ino=5 size=0"),
 * filling only the facts asked for, as the real one does. */
static int fixture_fd_facts(const struct proc_root *root, int fd_dir, pid_t pid, int fd,
			    unsigned what, struct fd_facts *out)
{
	char facts_path[PROC_PATH_MAX], text[256], *token, *save = NULL;
	bool stat_asked = what & FD_FACT_STAT;
	unsigned major, minor;
	ssize_t n;

	(void)fd_dir;
	n = proc_read_file(root, proc_path(facts_path, pid, "fdfacts", fd), text, sizeof(text));
	if (n < 0)
		return (int)n;
	if (what & FD_FACT_ACCESS)
		out->access = 0;
	if (stat_asked) {
		out->type = 0;
		out->dev = 0;
		out->ino = 0;
		out->size = 0;
	}
	for (token = strtok_r(text, " \n", &save); token; token = strtok_r(NULL, " \n", &save)) {
		if ((what & FD_FACT_ACCESS) && strncmp(token, "access=", 7) == 0)
			out->access = (strchr(token + 7, 'r') ? IPC_ACCESS_R : 0) |
				      (strchr(token + 7, 'w') ? IPC_ACCESS_W : 0);
		else if (stat_asked && strcmp(token, "type=fifo") == 0)
			out->type = S_IFIFO;
		else if (stat_asked && strcmp(token, "type=reg") == 0)
			out->type = S_IFREG;
		else if (stat_asked && strcmp(token, "type=chr") == 0)
			out->type = S_IFCHR;
		else if (stat_asked && sscanf(token, "dev=%u:%u", &major, &minor) == 2)
			out->dev = makedev(major, minor);
		else if (stat_asked && strncmp(token, "ino=", 4) == 0)
			out->ino = strtoull(token + 4, NULL, 10);
		else if (stat_asked && strncmp(token, "size=", 5) == 0)
			out->size = strtoull(token + 5, NULL, 10);
	}
	return 0;
}

/* Set 11 of ipcfs's namespace and set 11 of namespace 4026532000: the
 * same id in two namespaces. */
static int fixture_sem_pid(const struct proc_root *root, uint64_t ipcns, int semid, int semnum)
{
	static const pid_t set11[] = { 307, 308, 305 }, other_set11[] = { 320, 305 };

	(void)root;
	if (ipcns == FIXTURE_OTHER_IPCNS)
		return semid == 11 && semnum >= 0 && semnum < 2 ? other_set11[semnum] : -EINVAL;
	if (semid == 11 && semnum >= 0 && semnum < 3)
		return set11[semnum];
	return -EINVAL;
}

/* Visits in place: ipcfs's own namespace at sysvipc/, another one at
 * ipcns/<inode>/sysvipc/ when the tree has it (else it cannot be entered). */
static int fixture_ipc_namespaces(const struct proc_root *root, uint64_t own,
				  const struct ns_ref *refs, size_t n,
				  int (*visit)(void *context, size_t i, const char *sysvipc),
				  void *context)
{
	char dir[64];
	size_t i;
	int r;

	for (i = 0; i < n; i++) {
		if (!refs[i].ino || refs[i].ino == own)
			snprintf(dir, sizeof(dir), "sysvipc");
		else
			snprintf(dir, sizeof(dir), "ipcns/%" PRIu64 "/sysvipc", refs[i].ino);
		if (faccessat(root->dirfd, dir, F_OK, 0) < 0 && strcmp(dir, "sysvipc") != 0)
			continue;
		r = visit(context, i, dir);
		if (r < 0)
			return r;
	}
	return 0;
}

int fixture_root_open(struct proc_root *root, const char *path)
{
	int r = proc_root_open(root, path);

	if (r == 0) {
		root->fd_facts = fixture_fd_facts;
		root->ipc_namespaces = fixture_ipc_namespaces;
		root->shm_dev = 0;	/* not this machine's: fixtures set their own */
	}
	return r;
}

int fixture_build(const char *path, bool shm_tree, const struct ipc_build_options *options,
		  struct ipc_snapshot **out)
{
	struct proc_root root;
	int r;

	assert_int_equal(fixture_root_open(&root, path), 0);
	if (shm_tree) {
		root.mqueue_dev = makedev(0, 99);
		root.shm_dev = makedev(0, 25);	/* 00:19 in maps */
		root.sem_pid = fixture_sem_pid;
	}
	r = ipc_snapshot_build(&root, options, 1, out);
	proc_root_close(&root);
	return r;
}

static struct ipc_snapshot *build(const char *path, bool shm_tree,
				   const struct ipc_build_options *options)
{
	struct ipc_snapshot *snap = NULL;

	assert_int_equal(fixture_build(path, shm_tree, options, &snap), 0);
	return snap;
}

struct ipc_snapshot *fixture_snapshot_with(const char *path, const struct ipc_build_options *options)
{
	return build(path, false, options);
}

struct ipc_snapshot *fixture_snapshot(const char *path)
{
	return build(path, false, NULL);
}

struct ipc_snapshot *fixture_shm_snapshot(const char *path)
{
	return build(path, true, NULL);
}

int fixture_shm_setup(void **state)
{
	*state = fixture_shm_snapshot(FIXTURE_SHM_TREE);
	return 0;
}

int fixture_teardown(void **state)
{
	ipc_snapshot_free(*state);
	return 0;
}

const struct ipc_endpoint *fixture_endpoint(const struct ipc_snapshot *snap, pid_t pid,
					    enum ipc_kind kind, const char *name)
{
	const struct ipc_process *proc = ipc_snapshot_process(snap, pid);

	assert_non_null(proc);
	return ipc_snapshot_endpoint(snap, proc, kind, name);
}

const char *fixture_peers(const struct ipc_snapshot *snap, pid_t pid, enum ipc_kind kind,
			  const char *name)
{
	static char text[1024];
	const struct ipc_process *proc = ipc_snapshot_process(snap, pid);
	const struct ipc_endpoint *ep = proc ? ipc_snapshot_endpoint(snap, proc, kind, name) : NULL;
	size_t len = 0;
	uint32_t i;

	text[0] = '\0';
	for (i = 0; ep && i < ep->n_peers; i++) {
		const struct ipc_endpoint *peer = ipc_endpoint_peer(snap, ep, i);

		len += (size_t)snprintf(text + len, sizeof(text) - len, "%s%d:%s", i ? " " : "",
					ipc_endpoint_process(snap, peer)->pid, peer->name);
	}
	if (ep && !ep->n_peers)
		strcpy(text, "-");
	return text;
}

/* Names no endpoint of a process can have: not numbers as fds are named,
 * too long, or past every fd. */
static void check_missing_names(const struct ipc_snapshot *snap, const struct ipc_process *proc)
{
	static const char *const never[] = {
		"", "x", "-1", "00", "01", "+1", " 1", "1 ", "0x1", "2147483648",
		"99999999999999999999", "map-", "shm-", "0123456789012345678901234567890123456789",
	};
	char past[16];
	int32_t max_fd = -1;
	uint32_t i;
	size_t n;
	int k;

	for (i = 0; i < proc->n_endpoints; i++)
		if (snap->endpoints[proc->first_endpoint + i].fd > max_fd)
			max_fd = snap->endpoints[proc->first_endpoint + i].fd;
	snprintf(past, sizeof(past), "%d", max_fd + 1);
	for (k = 0; k < IPC_KIND_COUNT; k++) {
		for (n = 0; n < sizeof(never) / sizeof(never[0]); n++)
			assert_null(ipc_snapshot_endpoint(snap, proc, k, never[n]));
		assert_null(ipc_snapshot_endpoint(snap, proc, k, past));
	}
}

/* Every peer of ep is found by (pid, name), in ascending order, and links
 * back; an endpoint of a peer's process that is no peer is not found. */
static void check_peers(const struct ipc_snapshot *snap, const struct ipc_endpoint *ep)
{
	const struct ipc_process *own = ipc_endpoint_process(snap, ep);
	uint32_t i, j, back;

	for (i = 0; i < ep->n_peers; i++) {
		const struct ipc_endpoint *peer = ipc_endpoint_peer(snap, ep, i);
		const struct ipc_process *proc = ipc_endpoint_process(snap, peer);

		if (i)
			assert_true(ipc_endpoint_peer(snap, ep, i - 1) < peer);
		assert_ptr_equal(ipc_endpoint_find_peer(snap, ep, proc->pid, peer->name), peer);
		for (j = 0, back = 0; j < peer->n_peers; j++)
			back += ipc_endpoint_peer(snap, peer, j) == ep;
		assert_int_equal(back, 1);
		for (j = 0; j < proc->n_endpoints; j++) {
			const struct ipc_endpoint *other = &snap->endpoints[proc->first_endpoint + j];
			uint32_t k;
			bool is_peer = false;

			for (k = 0; k < ep->n_peers; k++)
				is_peer |= ipc_endpoint_peer(snap, ep, k) == other;
			assert_ptr_equal(ipc_endpoint_find_peer(snap, ep, proc->pid, other->name),
					 is_peer ? other : NULL);
		}
	}
	assert_null(ipc_endpoint_find_peer(snap, ep, own->pid, ep->name));
	assert_null(ipc_endpoint_find_peer(snap, ep, 0, ep->name));
	assert_null(ipc_endpoint_find_peer(snap, ep, own->pid, "x"));
}

static void check_sysv(const struct ipc_snapshot *snap)
{
	size_t i, count;
	uint32_t m;
	int c;

	for (c = 0; c < IPC_SYSV_CLASS_COUNT; c++) {
		const struct ipc_sysv_object *objects = ipc_sysv_objects(snap, c, &count);

		for (i = 0; i < count; i++) {
			const struct ipc_sysv_object *next = i + 1 < count ? &objects[i + 1] : NULL;

			assert_ptr_equal(ipc_sysv_find(snap, c, objects[i].id), &objects[i]);
			if (!next || next->id != objects[i].id + 1)
				assert_null(ipc_sysv_find(snap, c, objects[i].id + 1));
			for (m = 0; m < objects[i].n_members; m++) {
				const struct ipc_endpoint *member = ipc_sysv_member(snap, &objects[i], m);
				pid_t pid;

				assert_non_null(member);
				assert_int_equal(member->kind, IPC_SYSV);
				assert_ptr_equal(member->detail, &objects[i]);
				pid = ipc_endpoint_process(snap, member)->pid;
				assert_ptr_equal(ipc_sysv_find_member(snap, &objects[i], pid,
								      member->name), member);
				assert_null(ipc_sysv_find_member(snap, &objects[i], pid, "shm-"));
				if (m + 1 == objects[i].n_members ||
				    ipc_endpoint_process(snap, ipc_sysv_member(snap, &objects[i],
									       m + 1))->pid != pid + 1)
					assert_null(ipc_sysv_find_member(snap, &objects[i], pid + 1,
									 member->name));
			}
			assert_null(ipc_sysv_member(snap, &objects[i], objects[i].n_members));
			assert_null(ipc_sysv_find_member(snap, &objects[i], 0, "shm-0"));
		}
		assert_null(ipc_sysv_find(snap, c, -1));
	}
}

void fixture_check_lookups(const struct ipc_snapshot *snap)
{
	size_t p;
	uint32_t i;
	int k;

	assert_null(ipc_snapshot_process(snap, 0));
	assert_null(ipc_snapshot_process(snap, -1));
	assert_null(ipc_snapshot_process(snap, INT32_MAX));
	for (p = 0; p < snap->n_processes; p++) {
		const struct ipc_process *proc = &snap->processes[p];

		assert_ptr_equal(ipc_snapshot_process(snap, proc->pid), proc);
		if (p + 1 == snap->n_processes || snap->processes[p + 1].pid != proc->pid + 1)
			assert_null(ipc_snapshot_process(snap, proc->pid + 1));
		if (p)
			assert_true(snap->processes[p - 1].pid < proc->pid);
		for (i = 0; i < proc->n_endpoints; i++) {
			const struct ipc_endpoint *ep = &snap->endpoints[proc->first_endpoint + i];

			assert_int_equal(ep->process, p);
			if (i)
				assert_true(endpoint_order(ep - 1, ep) < 0);
			/* Names are unique in a process: no other kind has it. */
			for (k = 0; k < IPC_KIND_COUNT; k++)
				assert_ptr_equal(ipc_snapshot_endpoint(snap, proc, k, ep->name),
						 k == ep->kind ? ep : NULL);
			check_peers(snap, ep);
		}
		check_missing_names(snap, proc);
	}
	check_sysv(snap);
}
