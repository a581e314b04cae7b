/* System V segments, queues and semaphore sets of every IPC namespace a
 * process is in: objects from /proc/sysvipc as each namespace shows it
 * (read from a visit of it, see snapshot.h, ipc_namespaces), and per
 * process involved one endpoint "<class>-<id>" (fd -1).  Ids are unique in
 * a namespace only, so objects are keyed by (namespace, class, id) and a
 * process is involved only in objects of its own namespace.  Involved are:
 * for shm the processes mapping the segment ("/SYSV%08x (deleted)" whose
 * inode is the shmid), cpid and lpid; for msg lspid and lrpid; for sem the
 * last pid operating on each semaphore.  All endpoints of one object peer
 * each other.  A pid the kernel recorded is dropped when its process
 * started after the time of the record (the pid was reused). */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "array.h"
#include "maps.h"
#include "sem_pids.h"
#include "sysvipc.h"

/* Objects are kept in the order (own namespace first, namespace, class,
 * id): ipcfs's own come first, as the snapshot shows them, and one binary
 * search finds any. */
static int compare_object(const struct ipc_sysv_object *a, const struct ipc_sysv_object *b,
			  uint64_t own)
{
	if (a->ipcns != b->ipcns) {
		if (a->ipcns == own || b->ipcns == own)
			return a->ipcns == own ? -1 : 1;
		return a->ipcns < b->ipcns ? -1 : 1;
	}
	if (a->cls != b->cls)
		return a->cls < b->cls ? -1 : 1;
	return (a->id > b->id) - (a->id < b->id);
}

/* The first of objects[0..n) not before (ipcns, cls, id). */
static size_t lower_bound(const struct ipc_sysv_object *objects, size_t n, uint64_t own,
			  uint64_t ipcns, unsigned cls, int id)
{
	struct ipc_sysv_object key = { .ipcns = ipcns, .cls = (uint8_t)cls, .id = id };
	size_t lo = 0, hi = n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (compare_object(&objects[mid], &key, own) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

static const struct ipc_sysv_object *find(const struct ipc_sysv_object *objects, size_t n,
					  uint64_t own, uint64_t ipcns, unsigned cls, int id)
{
	size_t i = lower_bound(objects, n, own, ipcns, cls, id);

	return i < n && objects[i].ipcns == ipcns && objects[i].cls == cls && objects[i].id == id ?
	       &objects[i] : NULL;
}

/* The snapshot's objects, those of ipcfs's namespace, share one. */
static uint64_t shown_ns(const struct ipc_snapshot *snap)
{
	return snap->n_sysv ? snap->sysv[0].ipcns : 0;
}

const struct ipc_sysv_object *ipc_sysv_objects(const struct ipc_snapshot *snap,
					       enum ipc_sysv_class cls, size_t *count)
{
	uint64_t ns = shown_ns(snap);
	size_t first = lower_bound(snap->sysv, snap->n_sysv, ns, ns, cls, INT32_MIN);
	size_t end = lower_bound(snap->sysv, snap->n_sysv, ns, ns, cls + 1u, INT32_MIN);

	*count = end - first;
	return snap->sysv ? &snap->sysv[first] : NULL;
}

const struct ipc_sysv_object *ipc_sysv_find(const struct ipc_snapshot *snap,
					    enum ipc_sysv_class cls, int id)
{
	uint64_t ns = shown_ns(snap);

	return find(snap->sysv, snap->n_sysv, ns, ns, cls, id);
}

static void member_name(const struct ipc_sysv_object *obj, char name[IPC_NAME_MAX])
{
	snprintf(name, IPC_NAME_MAX, "%s-%d", ipc_sysv_class_dir(obj->cls), obj->id);
}

const struct ipc_endpoint *ipc_sysv_member(const struct ipc_snapshot *snap,
					   const struct ipc_sysv_object *obj, uint32_t i)
{
	char name[IPC_NAME_MAX];

	if (i >= obj->n_members)
		return NULL;
	member_name(obj, name);
	return ipc_snapshot_endpoint(snap, &snap->processes[snap->sysv_members[obj->first_member + i]],
				     IPC_SYSV, name);
}

const struct ipc_endpoint *ipc_sysv_find_member(const struct ipc_snapshot *snap,
						const struct ipc_sysv_object *obj, pid_t pid,
						const char *name)
{
	const uint32_t *members = snap->sysv_members;
	size_t lo = 0, hi = obj->n_members;

	/* An object's members are process indexes, ascending as pids are. */
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		pid_t p = snap->processes[members[obj->first_member + mid]].pid;

		if (p == pid) {
			const struct ipc_endpoint *ep = ipc_sysv_member(snap, obj, (uint32_t)mid);

			return ep && strcmp(ep->name, name) == 0 ? ep : NULL;
		}
		if (p < pid)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

/* The object's fields in the order ipcfs(8) lists them, those of its
 * class; an endpoint's id is a common key, so only the object states it. */
static void object_fields(const struct ipc_sysv_object *obj, bool with_id,
			  struct ipc_field_sink *sink)
{
	char text[32];

	field_text(sink, "class", IPC_DETAIL_VALUE, ipc_sysv_class_dir(obj->cls));
	if (with_id)
		field_s64(sink, "id", IPC_DETAIL_NO, obj->id);
	snprintf(text, sizeof(text), "0x%08" PRIx32, obj->key);
	field_text(sink, "key", IPC_DETAIL_KEYED, text);
	if (obj->cls != IPC_SYSV_SEM)
		field_u64(sink, "size", IPC_DETAIL_KEYED, obj->size);
	if (obj->cls == IPC_SYSV_SHM)
		field_u64(sink, "nattch", IPC_DETAIL_KEYED, obj->nattch);
	snprintf(text, sizeof(text), "%04o", (unsigned)obj->perms);
	field_text(sink, "perms", IPC_DETAIL_NO, text);
	snprintf(text, sizeof(text), "%u:%u", (unsigned)obj->uid, (unsigned)obj->gid);
	field_text(sink, "owner", IPC_DETAIL_NO, text);
	if (obj->cls == IPC_SYSV_SHM) {
		field_s64(sink, "cpid", IPC_DETAIL_NO, obj->cpid);
		field_s64(sink, "lpid", IPC_DETAIL_NO, obj->lpid);
	}
	if (obj->cls == IPC_SYSV_MSG) {
		field_s64(sink, "lspid", IPC_DETAIL_NO, obj->lspid);
		field_s64(sink, "lrpid", IPC_DETAIL_NO, obj->lrpid);
		field_u64(sink, "qnum", IPC_DETAIL_KEYED, obj->qnum);
	}
	if (obj->cls == IPC_SYSV_SEM)
		field_u64(sink, "nsems", IPC_DETAIL_KEYED, obj->nsems);
	/* ids are unique in a namespace only */
	field_u64_known(sink, "ipcns", IPC_DETAIL_NO, obj->ipcns != 0, obj->ipcns);
}

void ipc_sysv_fields(const struct ipc_sysv_object *obj, struct ipc_field_sink *sink)
{
	object_fields(obj, true, sink);
}

/* A process involved in an object, before endpoints are made. */
struct member {
	uint32_t object;
	uint32_t process;
	uint8_t access;
};

struct resolve {
	struct builder *b;
	uint64_t own;		/* ipcfs's IPC namespace, 0 unknown */
	struct ns_ref *refs;	/* the namespaces processes are in, own first */
	size_t n_refs;
	const struct ns_ref *visiting;	/* the refs of the current visits */
	struct sysv_list *lists;	/* per ref, as read in it */
	char *buf;		/* READ_LINES_BUF */
	struct ipc_sysv_object *objects;	/* in the arena: endpoint details */
	size_t n_objects, n_own;
	struct member *members;
	size_t n_members, cap_members;
	int64_t btime;		/* 0: unknown, no pid reuse check */
	long ticks;		/* clock ticks per second */
};

/* The namespace of process p: unknown (its link unreadable) is ours. */
static uint64_t process_ns(const struct resolve *s, uint32_t p)
{
	return s->b->processes[p].ipcns ? s->b->processes[p].ipcns : s->own;
}

static int add_member(struct resolve *s, size_t object, uint32_t process, unsigned access)
{
	if (array_reserve(s->members, s->cap_members, s->n_members + 1) < 0)
		return -ENOMEM;
	s->members[s->n_members++] = (struct member){
		.object = (uint32_t)object, .process = process, .access = (uint8_t)access,
	};
	return 0;
}

/* The process with this pid, or -1. */
static long process_index(const struct builder *b, pid_t pid)
{
	const struct ipc_snapshot view = { .processes = b->processes, .n_processes = b->n_processes };
	const struct ipc_process *proc = pid > 0 ? ipc_snapshot_process(&view, pid) : NULL;

	return proc ? proc - b->processes : -1;
}

/* pid as recorded by the kernel at time `when` (seconds since the epoch). */
static int add_recorded(struct resolve *s, size_t object, pid_t pid, int64_t when,
			unsigned access)
{
	long p = process_index(s->b, pid);
	const struct ipc_process *proc;

	/* A process that left the namespace since is not shown in it. */
	if (p < 0 || process_ns(s, (uint32_t)p) != s->objects[object].ipcns)
		return 0;
	proc = &s->b->processes[p];
	if (s->btime && s->btime + (int64_t)(proc->start_time / (uint64_t)s->ticks) > when)
		return 0;	/* started after the record: not that process */
	return add_member(s, object, (uint32_t)p, access);
}

static int64_t later(int64_t a, int64_t b)
{
	return a > b ? a : b;
}

static int read_sems(void *context, size_t i, const char *sysvipc)
{
	struct resolve *s = context;
	const struct proc_root *root = s->b->root;

	(void)sysvipc;
	/* The cache is the one part of the root a build changes; the root
	 * itself is not const, only this view of it. */
	sem_pid_cache_read((struct sem_pid_cache *)&root->sem_pids, root, s->visiting[i].ino);
	return 0;
}

/* The semaphores' pids, read in the namespaces where reads are planned. */
static int update_sem_pids(struct resolve *s)
{
	const struct proc_root *root = s->b->root;
	struct sem_pid_cache *cache = (struct sem_pid_cache *)&root->sem_pids;
	struct ns_ref *planned;
	size_t i, n = 0;
	int r;

	r = sem_pid_cache_update(cache, s->objects, s->n_objects, (int64_t)time(NULL),
				 SEM_PID_BUDGET);
	planned = malloc((s->n_refs + 1) * sizeof(*planned));
	if (r < 0 || !planned) {
		free(planned);
		return -ENOMEM;
	}
	for (i = 0; i < s->n_refs; i++)
		if (sem_pid_cache_planned(cache, s->refs[i].ino))
			planned[n++] = s->refs[i];
	s->visiting = planned;
	r = n ? root->ipc_namespaces(root, s->own, planned, n, read_sems, s) : 0;
	free(planned);
	return r;
}

static int add_recorded_pids(struct resolve *s)
{
	const struct proc_root *root = s->b->root;
	const int *pids;
	uint32_t n;
	size_t i;
	int r = update_sem_pids(s);

	for (i = 0; i < s->n_objects && r == 0; i++) {
		const struct ipc_sysv_object *o = &s->objects[i];

		switch (o->cls) {
		case IPC_SYSV_SHM:
			/* ctime is creation or the last IPC_SET; lpid goes with
			 * the last attach or detach. */
			r = add_recorded(s, i, o->cpid, o->ctime, 0);
			if (r == 0)
				r = add_recorded(s, i, o->lpid, later(o->atime, o->dtime), 0);
			break;
		case IPC_SYSV_MSG:
			r = add_recorded(s, i, o->lspid, o->stime, IPC_ACCESS_W);
			if (r == 0)
				r = add_recorded(s, i, o->lrpid, o->rtime, IPC_ACCESS_R);
			break;
		default:
			/* semop sets otime, SETVAL/SETALL ctime; both set the pid. */
			pids = sem_pid_cache_find(&root->sem_pids, o->ipcns, o->id);
			for (n = 0; pids && n < o->nsems && r == 0; n++)
				if (pids[n] > 0)
					r = add_recorded(s, i, pids[n], later(o->otime, o->ctime),
							 IPC_ACCESS_R | IPC_ACCESS_W);
			break;
		}
	}
	return r;
}

/* Processes mapping a segment: a /SYSV name means the segment of that id
 * in the process's own IPC namespace, and the key in the name must match
 * the segment's. */
static int add_attached(struct resolve *s, struct maps_result *const *results)
{
	const struct ipc_sysv_object *o;
	uint32_t p;
	size_t j;
	int r = 0;

	for (p = 0; p < s->b->n_processes && r == 0; p++) {
		const struct maps_result *result = results[p];

		for (j = 0; result && j < result->n_objects && r == 0; j++) {
			const struct maps_object *m = &result->objects[j];

			if (m->class != MAPS_SYSV || m->ino > INT32_MAX)
				continue;
			o = find(s->objects, s->n_objects, s->own, process_ns(s, p), IPC_SYSV_SHM,
				 (int)m->ino);
			if (o && o->key == m->sysv_key)
				r = add_member(s, (size_t)(o - s->objects), p, m->access);
		}
	}
	return r;
}

static int compare_member(const void *x, const void *y)
{
	const struct member *a = x, *b = y;

	if (a->object != b->object)
		return a->object < b->object ? -1 : 1;
	return (a->process > b->process) - (a->process < b->process);
}

/* One endpoint per (object, process), accesses merged; the members of
 * each object go to the snapshot as process indexes. */
static int add_endpoints(struct resolve *s)
{
	struct builder *b = s->b;
	uint32_t *indexes;
	size_t i, kept = 0;
	long r;

	if (s->n_members)	/* members is NULL when there are none */
		qsort(s->members, s->n_members, sizeof(*s->members), compare_member);
	for (i = 0; i < s->n_members; i++) {
		if (kept && s->members[kept - 1].object == s->members[i].object &&
		    s->members[kept - 1].process == s->members[i].process)
			s->members[kept - 1].access |= s->members[i].access;
		else
			s->members[kept++] = s->members[i];
	}
	indexes = arena_alloc(b->arena, (kept + 1) * sizeof(*indexes));
	if (!indexes)
		return -ENOMEM;
	for (i = 0; i < kept; i++) {
		const struct member *m = &s->members[i];
		struct ipc_sysv_object *o = &s->objects[m->object];
		struct ipc_endpoint ep = {
			.process = m->process, .kind = IPC_SYSV, .access = m->access, .fd = -1,
			.id = (uint64_t)o->id, .detail = o,
			.object = { o->ipcns, (uint64_t)o->cls << 32 | (uint32_t)o->id },
		};

		if (o->n_members == 0)
			o->first_member = (uint32_t)i;
		o->n_members++;
		indexes[i] = m->process;
		member_name(o, ep.name);
		r = builder_add_endpoint(b, &ep);
		if (r < 0)
			return (int)r;
	}
	b->snap->sysv_members = indexes;
	return builder_link_by_object(b, 1u << IPC_SYSV, PAIR_ALL);
}

/* ipcfs's namespace first (nothing to enter), then every other one a
 * process is in, by inode, each with one of its processes. */
static int find_namespaces(struct resolve *s)
{
	size_t p, n = 1, kept = 1;

	/* The calling thread's, not the main thread's (self): /proc/sysvipc
	 * and semctl answer for the thread's namespace, and it is the one
	 * visited in place.  Read once here for both visits of the build. */
	s->own = proc_ns_inode(s->b->root->dirfd, "thread-self/ns/ipc", "ipc:[");
	s->refs = malloc((s->b->n_processes + 1) * sizeof(*s->refs));
	if (!s->refs)
		return -ENOMEM;
	s->refs[0] = (struct ns_ref){ .ino = s->own };
	for (p = 0; p < s->b->n_processes; p++)
		if (process_ns(s, (uint32_t)p) != s->own)
			s->refs[n++] = (struct ns_ref){ .ino = s->b->processes[p].ipcns,
							.pid = s->b->processes[p].pid };
	qsort(s->refs + 1, n - 1, sizeof(*s->refs), ns_ref_order);
	for (p = 1; p < n; p++)
		if (s->refs[p].ino != s->refs[kept - 1].ino)
			s->refs[kept++] = s->refs[p];
	s->n_refs = kept;
	return 0;
}

static int compare_in_ns(const void *x, const void *y)
{
	return compare_object(x, y, 0);
}

/* Reads the three tables of the namespace visited. */
static int read_tables(void *context, size_t i, const char *sysvipc)
{
	struct resolve *s = context;
	struct sysv_list *list = &s->lists[i];
	size_t k;
	int c;

	/* An unreadable class (no permission) leaves only that one out. */
	for (c = 0; c < IPC_SYSV_CLASS_COUNT; c++)
		if (sysvipc_read(s->b->root, sysvipc, (enum ipc_sysv_class)c, s->buf, READ_LINES_BUF,
				 list) == -ENOMEM)
			return -ENOMEM;
	for (k = 0; k < list->n; k++)
		list->items[k].ipcns = s->refs[i].ino;
	return 0;
}

/* Every namespace's objects into the arena, ours first, in object order. */
static int gather_objects(struct resolve *s)
{
	size_t i, n = 0;

	for (i = 0; i < s->n_refs; i++)
		n += s->lists[i].n;
	if (!n)
		return 0;
	s->objects = arena_alloc(s->b->arena, n * sizeof(*s->objects));
	if (!s->objects)
		return -ENOMEM;
	for (i = 0; i < s->n_refs; i++) {
		struct sysv_list *list = &s->lists[i];

		if (!list->n)	/* items is NULL when there are none */
			continue;
		qsort(list->items, list->n, sizeof(*list->items), compare_in_ns);
		memcpy(s->objects + s->n_objects, list->items, list->n * sizeof(*list->items));
		s->n_objects += list->n;
	}
	s->n_own = s->lists[0].n;
	return 0;
}

static int sysv_resolve(struct builder *b)
{
	struct resolve s = { .b = b, .ticks = sysconf(_SC_CLK_TCK) };
	struct maps_result *const *results = maps_collect(b);
	size_t i;
	int r;

	s.buf = malloc(READ_LINES_BUF);
	r = s.buf && results ? find_namespaces(&s) : -ENOMEM;
	if (r == 0 && !(s.lists = calloc(s.n_refs, sizeof(*s.lists))))
		r = -ENOMEM;
	if (r == 0)
		r = b->root->ipc_namespaces(b->root, s.own, s.refs, s.n_refs, read_tables, &s);
	if (r == 0)
		r = gather_objects(&s);
	if (r == 0 && s.n_objects) {
		if (s.ticks <= 0 || proc_boot_time(b->root, s.buf, READ_LINES_BUF, &s.btime) < 0)
			s.btime = 0;
		r = add_attached(&s, results);
		if (r == 0)
			r = add_recorded_pids(&s);
		if (r == 0)
			r = add_endpoints(&s);
		b->snap->sysv = s.objects;
		b->snap->n_sysv = s.n_own;
	}
	for (i = 0; s.lists && i < s.n_refs; i++)
		sysv_list_free(&s.lists[i]);
	free(s.lists);
	free(s.refs);
	free(s.members);
	free(s.buf);
	return r;
}

static void sysv_fields(const struct ipc_snapshot *snap, const struct ipc_endpoint *ep,
			struct ipc_field_sink *sink)
{
	(void)snap;
	object_fields(ep->detail, false, sink);
}

const struct kind_module sysv_module = {
	.name = "System V",
	.resolve = sysv_resolve,
	.fields = sysv_fields,
};
