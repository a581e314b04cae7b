#include "sem_pids.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

void sem_pid_cache_free(struct sem_pid_cache *cache)
{
	size_t i;

	for (i = 0; i < cache->n; i++)
		free(cache->entries[i].pids);
	free(cache->entries);
	*cache = (struct sem_pid_cache){0};
}

static int compare_key(uint64_t ns_a, int id_a, uint64_t ns_b, int id_b)
{
	if (ns_a != ns_b)
		return ns_a < ns_b ? -1 : 1;
	return (id_a > id_b) - (id_a < id_b);
}

static int compare_entry(const void *x, const void *y)
{
	const struct sem_pid_entry *a = x, *b = y;

	return compare_key(a->ipcns, a->id, b->ipcns, b->id);
}

/* The first entry not before (ipcns, id). */
static size_t lower_bound(const struct sem_pid_cache *cache, uint64_t ipcns, int id)
{
	size_t lo = 0, hi = cache->n, mid;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (compare_key(cache->entries[mid].ipcns, cache->entries[mid].id, ipcns, id) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

static struct sem_pid_entry *find_entry(const struct sem_pid_cache *cache, uint64_t ipcns, int id)
{
	size_t i = lower_bound(cache, ipcns, id);

	return i < cache->n && cache->entries[i].ipcns == ipcns && cache->entries[i].id == id ?
	       &cache->entries[i] : NULL;
}

const int *sem_pid_cache_find(const struct sem_pid_cache *cache, uint64_t ipcns, int id)
{
	const struct sem_pid_entry *e = find_entry(cache, ipcns, id);

	return e ? e->pids : NULL;
}

/* Smaller sets first, then by namespace and id: the order stale sets are
 * read in. */
static int compare_by_size(const void *a, const void *b)
{
	const struct sem_pid_entry *x = *(const struct sem_pid_entry *const *)a;
	const struct sem_pid_entry *y = *(const struct sem_pid_entry *const *)b;

	if (x->nsems != y->nsems)
		return x->nsems < y->nsems ? -1 : 1;
	return compare_entry(x, y);
}

int sem_pid_cache_update(struct sem_pid_cache *cache, const struct ipc_sysv_object *objects,
			 size_t n, int64_t now, size_t budget)
{
	struct sem_pid_entry *entries = n ? calloc(n, sizeof(*entries)) : NULL, *old;
	struct sem_pid_entry **stale = n ? calloc(n, sizeof(*stale)) : NULL;
	size_t i, n_sets = 0, n_stale = 0;

	if (n && (!entries || !stale)) {
		free(entries);
		free(stale);
		return -ENOMEM;
	}
	for (i = 0; i < n; i++) {
		const struct ipc_sysv_object *o = &objects[i];
		struct sem_pid_entry *e = &entries[n_sets];

		if (o->cls != IPC_SYSV_SEM)
			continue;
		old = find_entry(cache, o->ipcns, o->id);
		if (old && old->nsems == o->nsems) {
			*e = *old;	/* takes its pids */
			old->pids = NULL;
		} else {
			*e = (struct sem_pid_entry){ .ipcns = o->ipcns, .id = o->id,
						     .nsems = o->nsems, .left = o->nsems };
			e->pids = o->nsems ? calloc(o->nsems, sizeof(*e->pids)) : NULL;
			if (o->nsems && !e->pids)
				goto nomem;
		}
		n_sets++;
		/* The kernel's times count seconds: a change in the last two
		 * may hide another in the same second. */
		if (e->otime != o->otime || e->ctime != o->ctime || o->otime >= now - 1 ||
		    o->ctime >= now - 1)
			e->left = e->nsems;
		e->otime = o->otime;
		e->ctime = o->ctime;
		e->planned = 0;
	}
	if (n_sets)
		qsort(entries, n_sets, sizeof(*entries), compare_entry);
	for (i = 0; i < n_sets; i++)
		if (entries[i].left)
			stale[n_stale++] = &entries[i];
	if (n_stale)
		qsort(stale, n_stale, sizeof(*stale), compare_by_size);
	for (i = 0; i < n_stale && budget; i++) {
		stale[i]->planned = stale[i]->left < budget ? stale[i]->left : (uint32_t)budget;
		budget -= stale[i]->planned;
	}
	free(stale);
	sem_pid_cache_free(cache);
	cache->entries = entries;
	cache->n = n_sets;
	return 0;
nomem:
	/* Give the pids taken back to the old entries. */
	while (n_sets-- > 0) {
		old = find_entry(cache, entries[n_sets].ipcns, entries[n_sets].id);
		if (old && !old->pids && old->nsems == entries[n_sets].nsems)
			old->pids = entries[n_sets].pids;
		else
			free(entries[n_sets].pids);
	}
	free(entries);
	free(stale);
	return -ENOMEM;
}

bool sem_pid_cache_planned(const struct sem_pid_cache *cache, uint64_t ipcns)
{
	size_t i;

	for (i = lower_bound(cache, ipcns, INT32_MIN); i < cache->n && cache->entries[i].ipcns == ipcns;
	     i++)
		if (cache->entries[i].planned)
			return true;
	return false;
}

void sem_pid_cache_read(struct sem_pid_cache *cache, const struct proc_root *root,
			uint64_t ipcns)
{
	size_t i;
	int pid;

	for (i = lower_bound(cache, ipcns, INT32_MIN);
	     root->sem_pid && i < cache->n && cache->entries[i].ipcns == ipcns; i++) {
		struct sem_pid_entry *e = &cache->entries[i];

		for (; e->planned; e->planned--, e->left--) {
			pid = root->sem_pid(root, ipcns, e->id, (int)e->next);
			e->pids[e->next] = pid > 0 ? pid : 0;
			e->next = (e->next + 1) % e->nsems;
		}
	}
}
