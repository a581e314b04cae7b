/* Builds a snapshot: scan, let each module resolve, then freeze into
 * sorted arrays with peers as one symmetric adjacency list. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "array.h"
#include "builder.h"

void *builder_state(struct builder *b, const struct kind_module *module)
{
	size_t m;

	for (m = 0; m < n_kind_modules; m++)
		if (kind_modules[m] == module)
			return b->module_state[m];
	return NULL;
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
	if (copy->fd >= 0)
		snprintf(copy->name, sizeof(copy->name), "%d", copy->fd);
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

void file_detail_info(const struct file_detail *detail, struct textbuf *tb)
{
	textbuf_puts(tb, "path: ");
	textbuf_escaped(tb, detail->path, strlen(detail->path), 0x20);
	textbuf_puts(tb, "\n");
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

/* Final order: by process (in pid order), then endpoint_order, which
 * lookups search. */
static int compare_final(const void *x, const void *y, void *context)
{
	const struct ipc_endpoint *sort_endpoints = context;
	const struct ipc_endpoint *a = &sort_endpoints[*(const uint32_t *)x];
	const struct ipc_endpoint *b = &sort_endpoints[*(const uint32_t *)y];

	if (a->process != b->process)
		return a->process < b->process ? -1 : 1;
	return endpoint_order(a, b);
}

static int compare_edge(const void *x, const void *y)
{
	const struct peer_edge *a = x, *b = y;

	if (a->a != b->a)
		return a->a < b->a ? -1 : 1;
	return (a->b > b->b) - (a->b < b->b);
}

static int freeze(struct builder *b, struct ipc_snapshot *snap)
{
	size_t n = b->n_endpoints, i, e, kept = 0;
	uint32_t *order, *position;
	struct ipc_endpoint *eps;
	uint32_t *peers;

	order = malloc((n + 1) * sizeof(*order));
	position = malloc((n + 1) * sizeof(*position));
	if (!order || !position) {
		free(order);
		free(position);
		return -ENOMEM;
	}
	for (i = 0; i < n; i++)
		order[i] = (uint32_t)i;
	qsort_r(order, n, sizeof(*order), compare_final, b->endpoints);
	for (i = 0; i < n; i++)
		position[order[i]] = (uint32_t)i;
	for (e = 0; e < b->n_edges; e++) {
		b->edges[e].a = position[b->edges[e].a];
		b->edges[e].b = position[b->edges[e].b];
	}
	if (b->n_edges)	/* edges is NULL when there are none */
		qsort(b->edges, b->n_edges, sizeof(*b->edges), compare_edge);

	eps = arena_alloc(b->arena, (n + 1) * sizeof(*eps));
	peers = arena_alloc(b->arena, (b->n_edges + 1) * sizeof(*peers));
	snap->processes = arena_alloc(b->arena, (b->n_processes + 1) * sizeof(*snap->processes));
	if (!eps || !peers || !snap->processes) {
		free(order);
		free(position);
		return -ENOMEM;
	}
	for (i = 0; i < n; i++)
		eps[i] = b->endpoints[order[i]];
	free(order);
	free(position);
	memcpy(snap->processes, b->processes, b->n_processes * sizeof(*snap->processes));
	for (i = 0; i < b->n_processes; i++) {
		snap->processes[i].first_endpoint = 0;
		snap->processes[i].n_endpoints = 0;
		snap->processes[i].kinds = 0;
	}
	e = 0;
	for (i = 0; i < n; i++) {
		struct ipc_process *proc = &snap->processes[eps[i].process];

		if (proc->n_endpoints == 0)
			proc->first_endpoint = (uint32_t)i;
		proc->n_endpoints++;
		proc->kinds |= 1u << eps[i].kind;
		eps[i].first_peer = (uint32_t)kept;
		for (; e < b->n_edges && b->edges[e].a == i; e++) {
			/* Duplicates come from one pair found twice. */
			if (kept > eps[i].first_peer && peers[kept - 1] == b->edges[e].b)
				continue;
			peers[kept++] = b->edges[e].b;
		}
		eps[i].n_peers = (uint32_t)(kept - eps[i].first_peer);
	}
	snap->n_processes = b->n_processes;
	snap->endpoints = eps;
	snap->n_endpoints = n;
	snap->peers = peers;
	snap->n_peers = kept;
	return 0;
}

int ipc_snapshot_build(const struct proc_root *root,
		       const struct ipc_build_options *options,
		       uint64_t generation, struct ipc_snapshot **out)
{
	static const struct ipc_build_options defaults;
	struct builder b = { .root = root, .options = options ? options : &defaults };
	struct ipc_snapshot *snap;
	size_t m;
	int r = -ENOMEM;

	snap = calloc(1, sizeof(*snap));
	b.arena = arena_new();
	b.module_state = calloc(n_kind_modules, sizeof(*b.module_state));
	if (!snap || !b.arena || !b.module_state)
		goto fail;
	for (m = 0; m < n_kind_modules; m++) {
		if (!kind_modules[m]->state_size)
			continue;
		b.module_state[m] = arena_alloc(b.arena, kind_modules[m]->state_size);
		if (!b.module_state[m])
			goto fail;
	}
	clock_gettime(CLOCK_REALTIME, &snap->built);
	b.snap = snap;
	r = procscan_run(&b);
	for (m = 0; m < n_kind_modules && r == 0; m++)
		if (kind_modules[m]->resolve)
			r = kind_modules[m]->resolve(&b);
	if (r == 0)
		r = freeze(&b, snap);
fail:
	/* A build that failed early made only some states: nothing else
	 * holds anything to release. */
	for (m = 0; b.module_state && m < n_kind_modules; m++)
		if (kind_modules[m]->finish && b.module_state[m])
			kind_modules[m]->finish(&b);
	free(b.module_state);
	free(b.processes);
	free(b.endpoints);
	free(b.edges);
	if (r < 0) {
		arena_free(b.arena);
		free(snap);
		return r;
	}
	snap->generation = generation;
	snap->arena = b.arena;
	*out = snap;
	return 0;
}
