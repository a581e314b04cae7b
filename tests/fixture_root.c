#include "fixture_root.h"

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <cmocka.h>

#include "../resolver/builder.h"

/* Serves <pid>/fdfacts/<fd> ("access=rw type=fifo dev=0:12 ino=5 size=0"),
 * filling only the facts asked for, as the real one does. */
static int fixture_fd_facts(const struct proc_root *root, int fd_dir, pid_t pid, int fd,
			    unsigned what, struct fd_facts *out)
{
	char facts_path[96], text[256], *token, *save = NULL;
	bool stat_asked = what & FD_FACT_STAT;
	unsigned major, minor;
	ssize_t n;

	(void)fd_dir;
	snprintf(facts_path, sizeof(facts_path), "%d/fdfacts/%d", pid, fd);
	n = proc_read_file(root, facts_path, text, sizeof(text));
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
		else if (stat_asked && sscanf(token, "dev=%u:%u", &major, &minor) == 2)
			out->dev = makedev(major, minor);
		else if (stat_asked && strncmp(token, "ino=", 4) == 0)
			out->ino = strtoull(token + 4, NULL, 10);
		else if (stat_asked && strncmp(token, "size=", 5) == 0)
			out->size = strtoull(token + 5, NULL, 10);
	}
	return 0;
}

int fixture_root_open(struct proc_root *root, const char *path)
{
	int r = proc_root_open(root, path);

	if (r == 0)
		root->fd_facts = fixture_fd_facts;
	return r;
}

static int fixture_sem_pid(const struct proc_root *root, int semid, int semnum)
{
	static const pid_t set11[] = { 307, 308, 305 };

	(void)root;
	if (semid == 11 && semnum >= 0 && semnum < 3)
		return set11[semnum];
	return -EINVAL;
}

static struct ipc_snapshot *build(const char *path, bool shm_tree,
				   const struct ipc_build_options *options)
{
	struct ipc_snapshot *snap = NULL;
	struct proc_root root;

	assert_int_equal(fixture_root_open(&root, path), 0);
	if (shm_tree) {
		root.mqueue_dev = makedev(0, 99);
		root.sem_pid = fixture_sem_pid;
	}
	assert_int_equal(ipc_snapshot_build(&root, options, 1, &snap), 0);
	proc_root_close(&root);
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
