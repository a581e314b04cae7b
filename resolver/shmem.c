/* The shared-memory model of memfd and POSIX shm (kind_memfd.c,
 * kind_shm.c): an fd endpoint per fd, a map-<start> endpoint per object a
 * process reaches only by mapping, all peered by object. */
#include "shmem.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int shmem_probe_fd(struct fd_probe *probe)
{
	int r = fd_probe_facts(probe, FD_FACT_STAT);

	if (r < 0)
		return r;
	return probe->facts.type == S_IFREG ? fd_probe_take(probe) : 0;
}

int shmem_add_fd(struct builder *b, const struct fd_probe *probe, enum ipc_kind kind)
{
	struct shmem_detail *detail;
	int r;

	r = builder_add_file_endpoint(b, probe, kind, sizeof(*detail), (void **)&detail);
	if (r == 0) {
		detail->size = probe->facts.size;
		detail->size_known = true;
	}
	return r;
}

/* fd endpoints ordered by object, then holder. */
static int compare_holding(const void *x, const void *y, void *context)
{
	const struct ipc_endpoint *eps = context;
	const struct ipc_endpoint *a = &eps[*(const uint32_t *)x];
	const struct ipc_endpoint *b = &eps[*(const uint32_t *)y];
	int c = endpoint_object_order(a, b);

	return c ? c : (a->process > b->process) - (a->process < b->process);
}

static bool same_object(const struct ipc_endpoint *ep, const struct maps_object *o)
{
	return ep->object[0] == (uint64_t)o->dev && ep->object[1] == o->ino;
}

/* The first of order[0..n) not before (object o, process). */
static size_t lower_bound(const struct builder *b, const uint32_t *order, size_t n,
			  const struct maps_object *o, uint32_t process)
{
	size_t lo = 0, hi = n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		const struct ipc_endpoint *ep = &b->endpoints[order[mid]];
		bool before = ep->object[0] != (uint64_t)o->dev ? ep->object[0] < (uint64_t)o->dev :
			      ep->object[1] != o->ino		? ep->object[1] < o->ino :
								  ep->process < process;

		if (before)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

static int add_mapping(struct builder *b, uint32_t process, enum ipc_kind kind,
		       const struct maps_object *o, const struct shmem_detail *sized,
		       bool (*size_of)(const struct maps_object *, uint64_t *))
{
	struct ipc_endpoint ep = {
		.process = process, .kind = (uint8_t)kind, .fd = -1, .access = o->access,
		.id = o->ino, .object = { o->dev, o->ino },
	};
	struct shmem_detail *detail = arena_alloc(b->arena, sizeof(*detail));
	long r;

	if (!detail)
		return -ENOMEM;
	detail->file.path = arena_strndup(b->arena, o->path, strlen(o->path));
	if (!detail->file.path)
		return -ENOMEM;
	detail->mapped = true;
	/* A mapping's length is not the object's size: take it from an fd
	 * on the object when there is one, else ask size_of. */
	if (sized) {
		detail->size = sized->size;
		detail->size_known = true;
	} else if (size_of) {
		detail->size_known = size_of(o, &detail->size);
	}
	snprintf(ep.name, sizeof(ep.name), "map-%" PRIx64, o->start);
	ep.detail = detail;
	r = builder_add_endpoint(b, &ep);
	return r < 0 ? (int)r : 0;
}

int shmem_resolve(struct builder *b, enum ipc_kind kind, enum maps_class class,
		  bool (*size_of)(const struct maps_object *object, uint64_t *size))
{
	struct maps_result *const *results = maps_collect(b);
	size_t n = 0, i, j, pos;
	uint32_t *order, p;
	int r = 0;

	order = malloc((b->n_endpoints + 1) * sizeof(*order));
	if (!order || !results) {
		free(order);
		return -ENOMEM;
	}
	for (i = 0; i < b->n_endpoints; i++)
		if (b->endpoints[i].kind == kind && b->endpoints[i].fd >= 0)
			order[n++] = (uint32_t)i;
	qsort_r(order, n, sizeof(*order), compare_holding, b->endpoints);
	for (p = 0; p < b->n_processes && r == 0; p++) {
		const struct maps_result *result = results[p];

		for (j = 0; result && j < result->n_objects && r == 0; j++) {
			const struct maps_object *o = &result->objects[j];
			const struct ipc_endpoint *near = NULL;

			if (o->class != class)
				continue;
			pos = lower_bound(b, order, n, o, p);
			if (pos < n && same_object(&b->endpoints[order[pos]], o))
				near = &b->endpoints[order[pos]];
			else if (pos > 0 && same_object(&b->endpoints[order[pos - 1]], o))
				near = &b->endpoints[order[pos - 1]];
			if (!near || near->process != p) {
				r = add_mapping(b, p, kind, o, near ? near->detail : NULL, size_of);
				continue;
			}
			/* The process holds fds on it: they say so instead. */
			for (; pos < n && same_object(&b->endpoints[order[pos]], o) &&
			       b->endpoints[order[pos]].process == p; pos++)
				((struct shmem_detail *)b->endpoints[order[pos]].detail)->mapped = true;
		}
	}
	free(order);
	return r < 0 ? r : builder_link_by_object(b, 1u << kind, PAIR_ALL);
}

void shmem_fields(const struct ipc_snapshot *snap, const struct ipc_endpoint *ep,
		  struct ipc_field_sink *sink)
{
	const struct shmem_detail *detail = ep->detail;

	(void)snap;
	field_text(sink, "path", IPC_DETAIL_VALUE, detail->file.path);
	field_u64_known(sink, "size", IPC_DETAIL_KEYED, detail->size_known, detail->size);
	field_bool(sink, "mapped", IPC_DETAIL_VALUE, detail->mapped);
}
