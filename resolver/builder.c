/* What modules build with: endpoints, peers, their states. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "array.h"
#include "builder.h"
#include "ipcfs/fnv.h"

void *builder_state(struct builder *b, const struct kind_module *module)
{
	size_t m;

	for (m = 0; m < b->n_modules; m++)
		if (b->modules[m] == module)
			return b->module_state[m];
	return NULL;
}

/* The slot of s in a set of capacity cap (a power of two): its own, or
 * the empty one where it belongs. */
static size_t intern_slot(const char **set, size_t cap, const char *s, size_t n)
{
	/* FNV-1a: paths are short, and this runs once per process. */
	size_t i = (size_t)fnv1a_bytes(FNV1A_INIT, s, n) & (cap - 1);

	while (set[i] && (strncmp(set[i], s, n) != 0 || set[i][n]))
		i = (i + 1) & (cap - 1);
	return i;
}

const char *builder_intern(struct builder *b, const char *s, size_t n)
{
	const char **grown;
	size_t i, cap;

	/* At most half full, so a probe ends soon. */
	if (2 * (b->n_interned + 1) > b->cap_interned) {
		cap = b->cap_interned ? 2 * b->cap_interned : 64;
		grown = calloc(cap, sizeof(*grown));
		if (!grown)
			return NULL;
		for (i = 0; i < b->cap_interned; i++)
			if (b->interned[i])
				grown[intern_slot(grown, cap, b->interned[i],
						  strlen(b->interned[i]))] = b->interned[i];
		free(b->interned);
		b->interned = grown;
		b->cap_interned = cap;
	}
	i = intern_slot(b->interned, b->cap_interned, s, n);
	if (!b->interned[i]) {
		b->interned[i] = arena_strndup(b->arena, s, n);
		if (!b->interned[i])
			return NULL;
		b->n_interned++;
	}
	return b->interned[i];
}

long builder_add_endpoint(struct builder *b, const struct ipc_endpoint *ep)
{
	struct ipc_endpoint *copy;

	if (array_reserve(b->endpoints, b->cap_endpoints, b->n_endpoints + 1) < 0)
		return -ENOMEM;
	/* Lookups tell fds from other entries by the name (snapshot.c). */
	if (ep->fd < 0 && (!ep->name[0] || (ep->name[0] >= '0' && ep->name[0] <= '9')))
		return -EINVAL;
	copy = &b->endpoints[b->n_endpoints];
	*copy = *ep;
	if (copy->fd >= 0) {
		/* By hand: snprintf was half the cost of adding an endpoint. */
		char digits[16], *d = digits + sizeof(digits);
		unsigned v = (unsigned)copy->fd;

		do
			*--d = (char)('0' + v % 10);
		while ((v /= 10));
		memcpy(copy->name, d, (size_t)(digits + sizeof(digits) - d));
		copy->name[digits + sizeof(digits) - d] = '\0';
	}
	return (long)b->n_endpoints++;
}

int fd_probe_take(struct fd_probe *probe)
{
	int r = fd_probe_facts(probe, FD_FACT_ACCESS);

	return r < 0 ? r : 1;
}

int builder_add_file_endpoint(struct builder *b, const struct fd_probe *probe,
			      enum ipc_kind kind, size_t detail_size, void **detail)
{
	struct ipc_endpoint ep = {
		.process = probe->process, .kind = (uint8_t)kind, .fd = probe->fd,
		.access = (uint8_t)probe->facts.access, .id = probe->facts.ino,
		.object = { probe->facts.dev, probe->facts.ino },
	};
	struct file_detail *file = arena_alloc(b->arena, detail_size);
	long r;

	if (!file)
		return -ENOMEM;
	file->path = arena_strndup(b->arena, probe->link, probe->link_len);
	if (!file->path)
		return -ENOMEM;
	ep.detail = file;
	r = builder_add_endpoint(b, &ep);
	if (r < 0)
		return (int)r;
	*detail = file;
	return 0;
}

int builder_add_peer(struct builder *b, uint32_t a, uint32_t c)
{
	if (a == c)
		return 0;
	if (array_reserve(b->edges, b->cap_edges, b->n_edges + 2) < 0)
		return -ENOMEM;
	b->edges[b->n_edges++] = (struct peer_edge){ a, c };
	b->edges[b->n_edges++] = (struct peer_edge){ c, a };
	return 0;
}

int endpoint_object_order(const struct ipc_endpoint *a, const struct ipc_endpoint *b)
{
	if (a->object[0] != b->object[0])
		return a->object[0] < b->object[0] ? -1 : 1;
	return (a->object[1] > b->object[1]) - (a->object[1] < b->object[1]);
}

static int compare_by_object(const void *x, const void *y, void *context)
{
	const struct ipc_endpoint *sort_endpoints = context;
	uint32_t i = *(const uint32_t *)x, j = *(const uint32_t *)y;
	int c = endpoint_object_order(&sort_endpoints[i], &sort_endpoints[j]);

	return c ? c : (i > j) - (i < j);
}

/* Within one object's endpoints (group): every reader with every writer
 * but itself, a pair of rw ends once.  Going through the writers only
 * keeps a pipe with one reader and thousands of writers linear. */
static int link_opposite_ends(struct builder *b, const uint32_t *group, size_t n,
			      uint32_t *writers)
{
	const struct ipc_endpoint *eps = b->endpoints;
	size_t n_writers = 0, j, k;
	int r = 0;

	for (j = 0; j < n; j++)
		if (eps[group[j]].access & IPC_ACCESS_W)
			writers[n_writers++] = group[j];
	for (j = 0; j < n && r == 0; j++) {
		uint32_t reader = group[j];

		if (!(eps[reader].access & IPC_ACCESS_R))
			continue;
		for (k = 0; k < n_writers && r == 0; k++) {
			uint32_t writer = writers[k];

			/* Both rw: the pair comes up twice; keep one. */
			if (writer == reader ||
			    (eps[reader].access == (IPC_ACCESS_R | IPC_ACCESS_W) &&
			     eps[writer].access == (IPC_ACCESS_R | IPC_ACCESS_W) && writer < reader))
				continue;
			r = builder_add_peer(b, reader, writer);
		}
	}
	return r;
}

int builder_link_by_object(struct builder *b, uint32_t kinds_mask, enum object_pairing pairing)
{
	size_t n = 0, i, j, k, end;
	uint32_t *order, *writers = NULL;
	int r = 0;

	order = malloc((b->n_endpoints + 1) * sizeof(*order));
	if (pairing == PAIR_OPPOSITE_ENDS)
		writers = malloc((b->n_endpoints + 1) * sizeof(*writers));
	if (!order || (pairing == PAIR_OPPOSITE_ENDS && !writers)) {
		free(order);
		free(writers);
		return -ENOMEM;
	}
	for (i = 0; i < b->n_endpoints; i++)
		if (kinds_mask & (1u << b->endpoints[i].kind))
			order[n++] = (uint32_t)i;
	qsort_r(order, n, sizeof(*order), compare_by_object, b->endpoints);
	for (i = 0; i < n && r == 0; i = end) {
		const struct ipc_endpoint *first = &b->endpoints[order[i]];

		for (end = i + 1; end < n; end++) {
			const struct ipc_endpoint *e = &b->endpoints[order[end]];

			if (e->object[0] != first->object[0] || e->object[1] != first->object[1])
				break;
		}
		if (pairing == PAIR_OPPOSITE_ENDS) {
			r = link_opposite_ends(b, order + i, end - i, writers);
			continue;
		}
		for (j = i; j < end && r == 0; j++)
			for (k = j + 1; k < end && r == 0; k++)
				r = builder_add_peer(b, order[j], order[k]);
	}
	free(order);
	free(writers);
	return r;
}

void builder_mark(struct builder *b, const char *name)
{
	struct timespec now;
	int64_t us;

	clock_gettime(CLOCK_MONOTONIC, &now);
	us = (int64_t)(now.tv_sec - b->marked.tv_sec) * 1000000 +
	     (now.tv_nsec - b->marked.tv_nsec) / 1000;
	b->marked = now;
	if (b->snap->n_phases < IPC_BUILD_PHASES_MAX)
		b->snap->phases[b->snap->n_phases++] =
			(struct ipc_build_phase){ name, us > 0 ? (uint32_t)us : 0 };
}
