/* Builds a snapshot: scan, let each module of the table resolve, then
 * freeze into sorted arrays with peers as one symmetric adjacency list. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "builder.h"

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
	if (b->n_processes)	/* processes is NULL when none was scanned */
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
	struct builder b = {
		.root = root, .options = options ? options : &defaults,
		.modules = kind_modules, .n_modules = n_kind_modules,
	};
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
