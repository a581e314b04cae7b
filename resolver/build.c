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

/* Sorts by process with a counting sort (a process is an index), then
 * each process's few endpoints: a comparison sort of all of them was the
 * largest sort of a build.  start has n_processes + 1 zeroed slots. */
static void order_by_process(const struct builder *b, uint32_t *order, uint32_t *start)
{
	size_t i, p, first = 0;

	for (i = 0; i < b->n_endpoints; i++)
		start[b->endpoints[i].process + 1]++;
	for (p = 0; p < b->n_processes; p++)
		start[p + 1] += start[p];
	for (i = 0; i < b->n_endpoints; i++)
		order[start[b->endpoints[i].process]++] = (uint32_t)i;
	/* start[p] is now where process p's endpoints end */
	for (p = 0; p < b->n_processes; first = start[p++])
		qsort_r(order + first, start[p] - first, sizeof(*order), compare_final, b->endpoints);
}

/* The same for the edges, by first end (an endpoint's final index), into
 * sorted; start has n_endpoints + 1 zeroed slots. */
static void order_edges(const struct builder *b, struct peer_edge *sorted, uint32_t *start)
{
	size_t e, i, first = 0;

	for (e = 0; e < b->n_edges; e++)
		start[b->edges[e].a + 1]++;
	for (i = 0; i < b->n_endpoints; i++)
		start[i + 1] += start[i];
	for (e = 0; e < b->n_edges; e++)
		sorted[start[b->edges[e].a]++] = b->edges[e];
	for (i = 0; i < b->n_endpoints; first = start[i++])
		if (start[i] - first > 1)
			qsort(sorted + first, start[i] - first, sizeof(*sorted), compare_edge);
}

static int freeze(struct builder *b, struct ipc_snapshot *snap)
{
	size_t n = b->n_endpoints, i, e, kept = 0;
	size_t keys = (n > b->n_processes ? n : b->n_processes) + 1;
	uint32_t *order, *position, *start;
	struct peer_edge *sorted;
	struct ipc_endpoint *eps;
	uint32_t *peers;

	order = malloc((n + 1) * sizeof(*order));
	position = malloc((n + 1) * sizeof(*position));
	start = calloc(keys, sizeof(*start));
	sorted = malloc((b->n_edges + 1) * sizeof(*sorted));
	if (!order || !position || !start || !sorted) {
		free(order);
		free(position);
		free(start);
		free(sorted);
		return -ENOMEM;
	}
	order_by_process(b, order, start);
	for (i = 0; i < n; i++)
		position[order[i]] = (uint32_t)i;
	for (e = 0; e < b->n_edges; e++) {
		b->edges[e].a = position[b->edges[e].a];
		b->edges[e].b = position[b->edges[e].b];
	}
	memset(start, 0, keys * sizeof(*start));
	order_edges(b, sorted, start);
	free(start);
	free(b->edges);
	b->edges = sorted;
	b->cap_edges = b->n_edges + 1;

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
	clock_gettime(CLOCK_MONOTONIC, &b.marked);
	b.snap = snap;
	r = 0;
	for (m = 0; m < n_kind_modules && r == 0; m++)
		if (kind_modules[m]->begin)
			r = kind_modules[m]->begin(&b);
	if (r == 0) {
		builder_mark(&b, "begin");
		r = procscan_run(&b);
		builder_mark(&b, "scan");
	}
	for (m = 0; m < n_kind_modules && r == 0; m++)
		if (kind_modules[m]->resolve_start)
			r = kind_modules[m]->resolve_start(&b);
	/* Those with work under way resolve last, so that it overlaps the
	 * others'. */
	for (m = 0; m < 2 * n_kind_modules && r == 0; m++) {
		const struct kind_module *module = kind_modules[m % n_kind_modules];

		if (module->resolve && !module->resolve_start == (m < n_kind_modules)) {
			r = module->resolve(&b);
			builder_mark(&b, module->name);
		}
	}
	if (r == 0) {
		r = freeze(&b, snap);
		builder_mark(&b, "freeze");
	}
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
	free(b.interned);
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
