/* System V segments, queues and semaphore sets of ipcfs's IPC namespace:
 * objects from /proc/sysvipc, and per process involved one endpoint
 * "<class>-<id>" (fd -1).  Involved are: for shm the processes mapping the
 * segment ("/SYSV%08x (deleted)" whose inode is the shmid), cpid and lpid;
 * for msg lspid and lrpid; for sem the last pid operating on each
 * semaphore.  All endpoints of one object peer each other.  A pid the
 * kernel recorded is dropped when its process started after the time of
 * the record (the pid was reused). */
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

static int compare_object(const void *x, const void *y)
{
	const struct ipc_sysv_object *a = x, *b = y;

	if (a->cls != b->cls)
		return a->cls < b->cls ? -1 : 1;
	return (a->id > b->id) - (a->id < b->id);
}

/* The first of objects[0..n) not before (cls, id). */
static size_t lower_bound(const struct ipc_sysv_object *objects, size_t n, unsigned cls, int id)
{
	struct ipc_sysv_object key = { .cls = (uint8_t)cls, .id = id };
	size_t lo = 0, hi = n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (compare_object(&objects[mid], &key) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

static const struct ipc_sysv_object *find(const struct ipc_sysv_object *objects, size_t n,
					  unsigned cls, int id)
{
	size_t i = lower_bound(objects, n, cls, id);

	return i < n && objects[i].cls == cls && objects[i].id == id ? &objects[i] : NULL;
}

const struct ipc_sysv_object *ipc_sysv_objects(const struct ipc_snapshot *snap,
					       enum ipc_sysv_class cls, size_t *count)
{
	size_t first = lower_bound(snap->sysv, snap->n_sysv, cls, INT32_MIN);
	size_t end = lower_bound(snap->sysv, snap->n_sysv, cls + 1u, INT32_MIN);

	*count = end - first;
	return snap->sysv ? &snap->sysv[first] : NULL;
}

const struct ipc_sysv_object *ipc_sysv_find(const struct ipc_snapshot *snap,
					    enum ipc_sysv_class cls, int id)
{
	return find(snap->sysv, snap->n_sysv, cls, id);
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

/* The info keys in the order ipcfs(8) lists them, those of the object's class. */
static void info_body(const struct ipc_sysv_object *obj, struct textbuf *tb)
{
	textbuf_printf(tb, "key: 0x%08" PRIx32 "\n", obj->key);
	if (obj->cls != IPC_SYSV_SEM)
		textbuf_printf(tb, "size: %" PRIu64 "\n", obj->size);
	if (obj->cls == IPC_SYSV_SHM)
		textbuf_printf(tb, "nattch: %" PRIu64 "\n", obj->nattch);
	textbuf_printf(tb, "perms: %04o\nowner: %u:%u\n", (unsigned)obj->perms, (unsigned)obj->uid,
		       (unsigned)obj->gid);
	if (obj->cls == IPC_SYSV_SHM)
		textbuf_printf(tb, "cpid: %d\nlpid: %d\n", obj->cpid, obj->lpid);
	if (obj->cls == IPC_SYSV_MSG)
		textbuf_printf(tb, "lspid: %d\nlrpid: %d\nqnum: %" PRIu64 "\n", obj->lspid,
			       obj->lrpid, obj->qnum);
	if (obj->cls == IPC_SYSV_SEM)
		textbuf_printf(tb, "nsems: %" PRIu32 "\n", obj->nsems);
}

void ipc_sysv_info(const struct ipc_snapshot *snap, const struct ipc_sysv_object *obj,
		   struct textbuf *tb)
{
	(void)snap;
	textbuf_printf(tb, "class: %s\nid: %d\n", ipc_sysv_class_dir(obj->cls), obj->id);
	info_body(obj, tb);
}

/* A process involved in an object, before endpoints are made. */
struct member {
	uint32_t object;
	uint32_t process;
	uint8_t access;
};

struct resolve {
	struct builder *b;
	struct ipc_sysv_object *objects;	/* in the arena: endpoint details */
	size_t n_objects;
	struct member *members;
	size_t n_members, cap_members;
	int64_t btime;		/* 0: unknown, no pid reuse check */
	long ticks;		/* clock ticks per second */
};

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

	if (p < 0)
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

static int add_recorded_pids(struct resolve *s)
{
	const struct proc_root *root = s->b->root;
	size_t i, first_sem = s->n_objects;
	const int *pids;
	uint32_t n;
	int r = 0;

	/* the semaphore sets, last in class order */
	for (i = 0; i < s->n_objects && first_sem == s->n_objects; i++)
		if (s->objects[i].cls == IPC_SYSV_SEM)
			first_sem = i;
	/* The cache is the one part of the root a build changes; the root
	 * itself is not const, only this view of it. */
	r = sem_pid_cache_update((struct sem_pid_cache *)&root->sem_pids, root,
				 s->objects + first_sem, s->n_objects - first_sem,
				 (int64_t)time(NULL), SEM_PID_BUDGET);

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
			pids = sem_pid_cache_find(&root->sem_pids, o->id);
			for (n = 0; pids && n < o->nsems && r == 0; n++)
				if (pids[n] > 0)
					r = add_recorded(s, i, pids[n], later(o->otime, o->ctime),
							 IPC_ACCESS_R | IPC_ACCESS_W);
			break;
		}
	}
	return r;
}

/* Processes mapping a segment.  A /SYSV name is only meaningful in its own
 * IPC namespace: a process known to be in another one is skipped, and the
 * key in the name must match the segment's. */
static int add_attached(struct resolve *s, struct maps_result *const *results)
{
	uint64_t own_ns = proc_ns_inode(s->b->root->dirfd, "self/ns/ipc", "ipc:[");
	const struct ipc_sysv_object *o;
	uint32_t p;
	size_t j;
	int r = 0;

	for (p = 0; p < s->b->n_processes && r == 0; p++) {
		const struct maps_result *result = results[p];

		if (!result || (own_ns && result->ipc_ns && result->ipc_ns != own_ns))
			continue;
		for (j = 0; j < result->n_objects && r == 0; j++) {
			const struct maps_object *m = &result->objects[j];

			if (m->class != MAPS_SYSV || m->ino > INT32_MAX)
				continue;
			o = find(s->objects, s->n_objects, IPC_SYSV_SHM, (int)m->ino);
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
			.id = (uint64_t)o->id, .object = { o->cls, (uint64_t)o->id }, .detail = o,
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

static int sysv_resolve(struct builder *b)
{
	struct resolve s = { .b = b, .ticks = sysconf(_SC_CLK_TCK) };
	struct maps_result *const *results = maps_collect(b);
	struct sysv_list list = {0};
	char *buf = malloc(READ_LINES_BUF);
	int c, r = buf && results ? 0 : -ENOMEM;

	/* An unreadable class (no permission) leaves only that one out. */
	for (c = 0; c < IPC_SYSV_CLASS_COUNT && r == 0; c++)
		if (sysvipc_read(b->root, (enum ipc_sysv_class)c, buf, READ_LINES_BUF, &list) == -ENOMEM)
			r = -ENOMEM;
	if (r == 0 && list.n) {
		qsort(list.items, list.n, sizeof(*list.items), compare_object);
		s.objects = arena_alloc(b->arena, list.n * sizeof(*s.objects));
		if (!s.objects)
			r = -ENOMEM;
	}
	if (r == 0 && s.objects) {
		memcpy(s.objects, list.items, list.n * sizeof(*s.objects));
		s.n_objects = list.n;
		if (s.ticks <= 0 || proc_boot_time(b->root, buf, READ_LINES_BUF, &s.btime) < 0)
			s.btime = 0;
		r = add_attached(&s, results);
		if (r == 0)
			r = add_recorded_pids(&s);
		if (r == 0)
			r = add_endpoints(&s);
		b->snap->sysv = s.objects;
		b->snap->n_sysv = s.n_objects;
	}
	free(s.members);
	sysv_list_free(&list);
	free(buf);
	return r;
}

static void sysv_info(const struct ipc_snapshot *snap, const struct ipc_endpoint *ep,
		      struct textbuf *tb)
{
	const struct ipc_sysv_object *obj = ep->detail;

	(void)snap;
	textbuf_printf(tb, "class: %s\n", ipc_sysv_class_dir(obj->cls));
	info_body(obj, tb);
}

static void sysv_detail(const struct ipc_snapshot *snap, const struct ipc_endpoint *ep,
			struct textbuf *tb)
{
	const struct ipc_sysv_object *obj = ep->detail;

	(void)snap;
	textbuf_printf(tb, "%s key=0x%08" PRIx32, ipc_sysv_class_dir(obj->cls), obj->key);
	switch (obj->cls) {
	case IPC_SYSV_SHM:
		textbuf_printf(tb, " size=%" PRIu64 " nattch=%" PRIu64, obj->size, obj->nattch);
		break;
	case IPC_SYSV_MSG:
		textbuf_printf(tb, " qnum=%" PRIu64 " size=%" PRIu64, obj->qnum, obj->size);
		break;
	default:
		textbuf_printf(tb, " nsems=%" PRIu32, obj->nsems);
		break;
	}
}

const struct kind_module sysv_module = {
	.resolve = sysv_resolve,
	.info = sysv_info,
	.detail = sysv_detail,
};
