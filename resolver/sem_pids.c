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

static struct sem_pid_entry *find_entry(const struct sem_pid_cache *cache, int id)
{
	size_t lo = 0, hi = cache->n, mid;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (cache->entries[mid].id == id)
			return &cache->entries[mid];
		if (cache->entries[mid].id < id)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

const int *sem_pid_cache_find(const struct sem_pid_cache *cache, int id)
{
	const struct sem_pid_entry *e = find_entry(cache, id);

	return e ? e->pids : NULL;
}

/* Smaller sets first, then by id: the order stale sets are read in. */
static int compare_by_size(const void *a, const void *b)
{
	const struct sem_pid_entry *x = *(const struct sem_pid_entry *const *)a;
	const struct sem_pid_entry *y = *(const struct sem_pid_entry *const *)b;

	if (x->nsems != y->nsems)
		return x->nsems < y->nsems ? -1 : 1;
	return (x->id > y->id) - (x->id < y->id);
}

int sem_pid_cache_update(struct sem_pid_cache *cache, const struct proc_root *root,
			 const struct ipc_sysv_object *sets, size_t n, int64_t now, size_t budget)
{
	struct sem_pid_entry *entries = n ? calloc(n, sizeof(*entries)) : NULL, *old;
	struct sem_pid_entry **stale = n ? calloc(n, sizeof(*stale)) : NULL;
	size_t i, n_stale = 0;
	int pid;

	if (n && (!entries || !stale)) {
		free(entries);
		free(stale);
		return -ENOMEM;
	}
	for (i = 0; i < n; i++) {
		const struct ipc_sysv_object *o = &sets[i];
		struct sem_pid_entry *e = &entries[i];

		old = find_entry(cache, o->id);
		if (old && old->nsems == o->nsems) {
			*e = *old;	/* takes its pids */
			old->pids = NULL;
		} else {
			*e = (struct sem_pid_entry){ .id = o->id, .nsems = o->nsems,
						     .left = o->nsems };
			e->pids = o->nsems ? calloc(o->nsems, sizeof(*e->pids)) : NULL;
			if (o->nsems && !e->pids)
				goto nomem;
		}
		/* The kernel's times count seconds: a change in the last two
		 * may hide another in the same second. */
		if (e->otime != o->otime || e->ctime != o->ctime || o->otime >= now - 1 ||
		    o->ctime >= now - 1)
			e->left = e->nsems;
		e->otime = o->otime;
		e->ctime = o->ctime;
		if (e->left)
			stale[n_stale++] = e;
	}
	if (n_stale)
		qsort(stale, n_stale, sizeof(*stale), compare_by_size);
	for (i = 0; i < n_stale && budget && root->sem_pid; i++) {
		struct sem_pid_entry *e = stale[i];

		for (; e->left && budget; e->left--, budget--) {
			pid = root->sem_pid(root, e->id, (int)e->next);
			e->pids[e->next] = pid > 0 ? pid : 0;
			e->next = (e->next + 1) % e->nsems;
		}
	}
	free(stale);
	sem_pid_cache_free(cache);
	cache->entries = entries;
	cache->n = n;
	return 0;
nomem:
	/* Give the pids taken back to the old entries. */
	while (i-- > 0) {
		old = find_entry(cache, entries[i].id);
		if (old && !old->pids && old->nsems == entries[i].nsems)
			old->pids = entries[i].pids;
		else
			free(entries[i].pids);
	}
	free(entries);
	free(stale);
	return -ENOMEM;
}
