/* Reading a built snapshot: freeing it, and finding processes, endpoints
 * and peers by binary search over the order freeze() gives them. */
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "builder.h"

void ipc_snapshot_free(struct ipc_snapshot *snap)
{
	if (!snap)
		return;
	arena_free(snap->arena);
	free(snap);
}

int endpoint_order(const struct ipc_endpoint *a, const struct ipc_endpoint *b)
{
	if (a->kind != b->kind)
		return a->kind < b->kind ? -1 : 1;
	if ((a->fd < 0) != (b->fd < 0))
		return a->fd < 0 ? 1 : -1;
	if (a->fd != b->fd)
		return a->fd < b->fd ? -1 : 1;
	return strcmp(a->name, b->name);
}

const struct ipc_process *ipc_snapshot_process(const struct ipc_snapshot *snap, pid_t pid)
{
	size_t lo = 0, hi = snap->n_processes;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (snap->processes[mid].pid == pid)
			return &snap->processes[mid];
		if (snap->processes[mid].pid < pid)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

/* The fd of an endpoint named name: the number name spells, else -1 (no
 * fd: a mapping or a System V object, whose names never start with a
 * digit).  Names are compared too, so "07" finds no fd 7. */
static int32_t name_fd(const char *name)
{
	const char *p = name;
	int32_t fd = 0;

	for (; *p >= '0' && *p <= '9'; p++) {
		if (fd > (INT32_MAX - (*p - '0')) / 10)
			return -1;
		fd = fd * 10 + (*p - '0');
	}
	return p != name && !*p ? fd : -1;
}

/* A key for endpoint_order from a name; false when no endpoint can have
 * that name. */
static bool name_key(const char *name, struct ipc_endpoint *key)
{
	size_t len = strlen(name);

	if (len >= sizeof(key->name))
		return false;
	memcpy(key->name, name, len + 1);
	key->fd = name_fd(name);
	return true;
}

/* The endpoint of proc equal to key (kind, fd, name), or NULL. */
static const struct ipc_endpoint *find_endpoint(const struct ipc_snapshot *snap,
						const struct ipc_process *proc,
						const struct ipc_endpoint *key)
{
	const struct ipc_endpoint *eps = snap->endpoints + proc->first_endpoint;
	size_t lo = 0, hi = proc->n_endpoints;

	if (!(proc->kinds & (1u << key->kind)))
		return NULL;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = endpoint_order(&eps[mid], key);

		if (c == 0)
			return &eps[mid];
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

const struct ipc_endpoint *ipc_snapshot_endpoint(const struct ipc_snapshot *snap,
						 const struct ipc_process *proc,
						 enum ipc_kind kind, const char *name)
{
	struct ipc_endpoint key = { .kind = (uint8_t)kind };

	if ((unsigned)kind >= IPC_KIND_COUNT || !name_key(name, &key))
		return NULL;
	return find_endpoint(snap, proc, &key);
}

/* Whether endpoint index e is among ep's peers (kept in index order). */
static bool has_peer(const struct ipc_snapshot *snap, const struct ipc_endpoint *ep, uint32_t e)
{
	const uint32_t *peers = snap->peers + ep->first_peer;
	size_t lo = 0, hi = ep->n_peers;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (peers[mid] == e)
			return true;
		if (peers[mid] < e)
			lo = mid + 1;
		else
			hi = mid;
	}
	return false;
}

const struct ipc_endpoint *ipc_endpoint_find_peer(const struct ipc_snapshot *snap,
						  const struct ipc_endpoint *ep, pid_t pid,
						  const char *name)
{
	const struct ipc_process *proc = ep->n_peers ? ipc_snapshot_process(snap, pid) : NULL;
	const struct ipc_endpoint *peer;
	struct ipc_endpoint key = {0};
	unsigned kind;

	if (!proc || !name_key(name, &key))
		return NULL;
	/* Names are unique within a process: the first kind that has it. */
	for (kind = 0; kind < IPC_KIND_COUNT; kind++) {
		key.kind = (uint8_t)kind;
		peer = find_endpoint(snap, proc, &key);
		if (peer)
			return has_peer(snap, ep, (uint32_t)(peer - snap->endpoints)) ? peer : NULL;
	}
	return NULL;
}
