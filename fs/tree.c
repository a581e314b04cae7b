#include "tree.h"

#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A directory being listed or searched. */
struct dir {
	const struct ipc_snapshot *snap;
	const struct node_key *key;
	const struct target *t;
};

#define MAX_FIXED 5
/* The other children's cookies follow the fixed ones': this plus their
 * order key (below 2^62, so a cookie fits a positive off_t). */
#define VARIABLE_COOKIE (TREE_FIRST_COOKIE + MAX_FIXED)

/* A <pid>/ guards as /proc/<pid>/fd does; a System V object as its own
 * perms do for ipcs -i (read permission). */
enum guard { GUARD_NONE, GUARD_PROCESS, GUARD_SYSV };

struct node_type_desc {
	mode_t mode;
	enum guard guard;	/* who may enter, when not everyone */
	/* Always there, listed first; their key is the parent's with this type. */
	struct {
		const char *name;
		uint8_t type;
	} fixed[MAX_FIXED];
	/* The other children are candidates 0..count-1: nth fills the i-th
	 * (cookie as its order key) and says whether it is listed; find
	 * fills the one called name, listed or not (NULL: compare with each
	 * listed name).  in_order: order keys grow with i, so a listing
	 * starts with a binary search and sorts nothing. */
	size_t (*count)(const struct dir *d);
	bool (*nth)(const struct dir *d, size_t i, struct tree_child *c);
	int (*find)(const struct dir *d, const char *name, struct tree_child *c);
	bool in_order;
};

/* ---- keys ------------------------------------------------------------- */

/* Keys are compared with memcmp: padding included, so zeroed first. */
static void blank_key(struct node_key *key, enum node_type type)
{
	memset(key, 0, sizeof(*key));
	key->type = (uint8_t)type;
}

static void proc_key(struct node_key *key, enum node_type type, const struct ipc_process *proc)
{
	blank_key(key, type);
	key->pid = proc->pid;
	key->start = proc->start_time;
}

static void endpoint_key(struct node_key *key, enum node_type type,
			 const struct ipc_process *proc, const struct ipc_endpoint *ep)
{
	proc_key(key, type, proc);
	key->kind = ep->kind;
	memcpy(key->name, ep->name, sizeof(key->name));
}

static void sysv_key(struct node_key *key, enum node_type type,
		     const struct ipc_sysv_object *obj)
{
	blank_key(key, type);
	key->kind = obj->cls;
	key->pid = obj->id;
	key->start = (uint64_t)obj->ctime;
}

/* The peer_* fields name the endpoint a link points at. */
static void set_peer(struct node_key *key, const struct ipc_snapshot *snap,
		     const struct ipc_endpoint *peer)
{
	const struct ipc_process *proc = ipc_endpoint_process(snap, peer);

	key->peer_pid = proc->pid;
	key->peer_start = proc->start_time;
	key->peer_kind = peer->kind;
	memcpy(key->peer_name, peer->name, sizeof(key->peer_name));
}

static bool same_peer(const struct ipc_snapshot *snap, const struct ipc_endpoint *peer,
		      const struct node_key *key)
{
	const struct ipc_process *proc = ipc_endpoint_process(snap, peer);

	return proc->pid == key->peer_pid && proc->start_time == key->peer_start &&
	       peer->kind == key->peer_kind && strcmp(peer->name, key->peer_name) == 0;
}

/* ---- order keys --------------------------------------------------------- */

/* Endpoint names are as the resolver makes them: the fd number, "map-<hex
 * start>" for a mapping, "<class>-<id>" for a System V object.  Their
 * order key, below 2^40: fds, then System V objects by class and id, then
 * mappings by page number (taken modulo their range: only mappings
 * petabytes apart could share a key). */
#define SYSV_ORDER (1ull << 31)
#define MAP_ORDER (1ull << 33)
#define NAME_ORDER_BITS 40

static uint64_t name_order(const struct ipc_endpoint *ep)
{
	const char *dash = strchr(ep->name, '-');
	char cls[8];
	int c;

	if (ep->fd >= 0)
		return (uint64_t)ep->fd;
	if (!dash)
		return MAP_ORDER;
	if (ep->kind == IPC_SYSV) {
		snprintf(cls, sizeof(cls), "%.*s", (int)(dash - ep->name), ep->name);
		c = ipc_sysv_class_from_dir(cls);
		return SYSV_ORDER + (uint64_t)(c < 0 ? 0 : c) * SYSV_ORDER +
		       (strtoull(dash + 1, NULL, 10) & (SYSV_ORDER - 1));
	}
	return MAP_ORDER + (strtoull(dash + 1, NULL, 16) >> 12) %
			   ((1ull << NAME_ORDER_BITS) - MAP_ORDER);
}

/* A link <pid>:<name>: by pid (below 2^22, the kernel's PID_MAX_LIMIT),
 * then name. */
static uint64_t peer_order(const struct ipc_snapshot *snap, const struct ipc_endpoint *peer)
{
	return (uint64_t)ipc_endpoint_process(snap, peer)->pid << NAME_ORDER_BITS |
	       name_order(peer);
}

/* Names are copied, not printed: listing calls this for every child. */
static void set_name(struct tree_child *c, const char *name)
{
	size_t n = strlen(name);

	if (n >= sizeof(c->name))
		n = sizeof(c->name) - 1;
	memcpy(c->name, name, n);
	c->name[n] = '\0';
}

static void peer_link_name(const struct ipc_snapshot *snap, const struct ipc_endpoint *peer,
			   struct tree_child *c)
{
	snprintf(c->name, sizeof(c->name), "%d:%s", ipc_endpoint_process(snap, peer)->pid,
		 peer->name);
}

/* A decimal number as ipcfs writes one (no sign, no leading zero). */
static int parse_number(const char *name, int *out)
{
	unsigned long n;
	char *end;

	if (name[0] < '0' || name[0] > '9' || (name[0] == '0' && name[1]))
		return -ENOENT;
	errno = 0;
	n = strtoul(name, &end, 10);
	if (errno || *end || n > INT32_MAX)
		return -ENOENT;
	*out = (int)n;
	return 0;
}

/* ---- children per node type ------------------------------------------- */

/* Each fills c from one object of the snapshot (cookie: its order key)
 * and says whether it is listed. */

/* Processes without channels are not listed (there are many). */
static bool process_child(const struct ipc_process *proc, struct tree_child *c)
{
	c->target = (struct target){ .proc = proc };
	proc_key(&c->key, NODE_PROC, proc);
	snprintf(c->name, sizeof(c->name), "%d", proc->pid);
	c->cookie = (uint64_t)proc->pid;
	return proc->n_endpoints > 0;
}

static size_t count_processes(const struct dir *d)
{
	return d->snap->n_processes;
}

static bool nth_process(const struct dir *d, size_t i, struct tree_child *c)
{
	return process_child(&d->snap->processes[i], c);
}

static int find_process(const struct dir *d, const char *name, struct tree_child *c)
{
	const struct ipc_process *proc;
	int pid;

	if (parse_number(name, &pid) < 0 || !(proc = ipc_snapshot_process(d->snap, pid)))
		return -ENOENT;
	process_child(proc, c);
	return 0;
}

static size_t count_kinds(const struct dir *d)
{
	(void)d;
	return IPC_KIND_COUNT;
}

static bool nth_kind(const struct dir *d, size_t i, struct tree_child *c)
{
	c->target = *d->t;
	proc_key(&c->key, NODE_KIND, d->t->proc);
	c->key.kind = (uint8_t)i;
	set_name(c, ipc_kind_dir((enum ipc_kind)i));
	c->cookie = i;
	return d->t->proc->kinds & (1u << i);
}

static int find_kind(const struct dir *d, const char *name, struct tree_child *c)
{
	int kind = ipc_kind_from_dir(name);

	if (kind < 0)
		return kind;
	nth_kind(d, (size_t)kind, c);
	return 0;
}

static bool endpoint_child(const struct dir *d, const struct ipc_endpoint *ep,
			   struct tree_child *c)
{
	c->target = (struct target){ .proc = d->t->proc, .ep = ep };
	endpoint_key(&c->key, NODE_ENDPOINT, d->t->proc, ep);
	set_name(c, ep->name);
	c->cookie = name_order(ep);
	return ep->kind == d->key->kind;
}

static size_t count_endpoints(const struct dir *d)
{
	return d->t->proc->n_endpoints;
}

/* Every endpoint of the process is a candidate; those of the kind listed. */
static bool nth_endpoint(const struct dir *d, size_t i, struct tree_child *c)
{
	return endpoint_child(d, &d->snap->endpoints[d->t->proc->first_endpoint + i], c);
}

static int find_endpoint(const struct dir *d, const char *name, struct tree_child *c)
{
	const struct ipc_endpoint *ep = ipc_snapshot_endpoint(d->snap, d->t->proc, d->key->kind,
							      name);

	if (!ep)
		return -ENOENT;
	endpoint_child(d, ep, c);
	return 0;
}

static bool peer_child(const struct dir *d, const struct ipc_endpoint *peer,
		       struct tree_child *c)
{
	c->target = *d->t;
	c->target.peer = peer;
	endpoint_key(&c->key, NODE_PEER, d->t->proc, d->t->ep);
	set_peer(&c->key, d->snap, peer);
	peer_link_name(d->snap, peer, c);
	c->cookie = peer_order(d->snap, peer);
	return true;
}

/* A pidfd's "target": its cookie 0 comes before every peer's (pid >= 1). */
static void pidfd_target_child(const struct dir *d, const struct ipc_process *target,
			       struct tree_child *c)
{
	c->target = *d->t;
	c->target.pidfd_target = target;
	endpoint_key(&c->key, NODE_PIDFD_TARGET, d->t->proc, d->t->ep);
	c->key.peer_pid = target->pid;
	c->key.peer_start = target->start_time;
	set_name(c, "target");
	c->cookie = 0;
}

/* An endpoint's links: its peers, then a pidfd's target while that
 * process is in the snapshot. */
static size_t count_endpoint_links(const struct dir *d)
{
	return d->t->ep->n_peers + (ipc_pidfd_target(d->snap, d->t->ep) != NULL);
}

static bool nth_endpoint_link(const struct dir *d, size_t i, struct tree_child *c)
{
	if (i == d->t->ep->n_peers)
		pidfd_target_child(d, ipc_pidfd_target(d->snap, d->t->ep), c);
	else
		peer_child(d, ipc_endpoint_peer(d->snap, d->t->ep, (uint32_t)i), c);
	return true;
}

/* "<pid>:<name>", as peer_link_name writes it, or "target". */
static int find_endpoint_link(const struct dir *d, const char *name, struct tree_child *c)
{
	const struct ipc_process *target;
	const struct ipc_endpoint *peer;
	const char *colon = strchr(name, ':');
	char pid_text[16];
	int pid;

	if (strcmp(name, "target") == 0) {
		target = ipc_pidfd_target(d->snap, d->t->ep);
		if (!target)
			return -ENOENT;
		pidfd_target_child(d, target, c);
		return 0;
	}
	if (!colon || colon - name >= (ptrdiff_t)sizeof(pid_text))
		return -ENOENT;
	snprintf(pid_text, sizeof(pid_text), "%.*s", (int)(colon - name), name);
	if (parse_number(pid_text, &pid) < 0 ||
	    !(peer = ipc_endpoint_find_peer(d->snap, d->t->ep, pid, colon + 1)))
		return -ENOENT;
	peer_child(d, peer, c);
	return 0;
}

static size_t count_sysv_classes(const struct dir *d)
{
	(void)d;
	return IPC_SYSV_CLASS_COUNT;
}

static bool nth_sysv_class(const struct dir *d, size_t i, struct tree_child *c)
{
	c->target = *d->t;
	blank_key(&c->key, NODE_SYSV_CLASS);
	c->key.kind = (uint8_t)i;
	set_name(c, ipc_sysv_class_dir((enum ipc_sysv_class)i));
	c->cookie = i;
	return true;
}

static int find_sysv_class(const struct dir *d, const char *name, struct tree_child *c)
{
	int cls = ipc_sysv_class_from_dir(name);

	if (cls < 0)
		return cls;
	nth_sysv_class(d, (size_t)cls, c);
	return 0;
}

static bool sysv_object_child(const struct ipc_sysv_object *obj, struct tree_child *c)
{
	c->target = (struct target){ .sysv = obj };
	sysv_key(&c->key, NODE_SYSV_OBJECT, obj);
	snprintf(c->name, sizeof(c->name), "%d", obj->id);
	c->cookie = (uint64_t)obj->id;
	return true;
}

static const struct ipc_sysv_object *class_objects(const struct dir *d, size_t *count)
{
	return ipc_sysv_objects(d->snap, (enum ipc_sysv_class)d->key->kind, count);
}

static size_t count_sysv_objects(const struct dir *d)
{
	size_t n;

	class_objects(d, &n);
	return n;
}

static bool nth_sysv_object(const struct dir *d, size_t i, struct tree_child *c)
{
	size_t n;

	return sysv_object_child(&class_objects(d, &n)[i], c);
}

static int find_sysv_object(const struct dir *d, const char *name, struct tree_child *c)
{
	const struct ipc_sysv_object *obj;
	int id;

	if (parse_number(name, &id) < 0 ||
	    !(obj = ipc_sysv_find(d->snap, (enum ipc_sysv_class)d->key->kind, id)))
		return -ENOENT;
	sysv_object_child(obj, c);
	return 0;
}

static size_t count_sysv_members(const struct dir *d)
{
	return d->t->sysv->n_members;
}

static bool nth_sysv_member(const struct dir *d, size_t i, struct tree_child *c)
{
	const struct ipc_endpoint *member = ipc_sysv_member(d->snap, d->t->sysv, (uint32_t)i);

	c->target = *d->t;
	c->target.peer = member;
	sysv_key(&c->key, NODE_SYSV_MEMBER, d->t->sysv);
	set_peer(&c->key, d->snap, member);
	peer_link_name(d->snap, member, c);
	c->cookie = peer_order(d->snap, member);
	return true;
}

#define DIR_MODE (S_IFDIR | 0555)
#define FILE_MODE (S_IFREG | 0444)
#define LINK_MODE (S_IFLNK | 0777)

static const struct node_type_desc node_types[] = {
	[NODE_ROOT] = { .mode = DIR_MODE,
			.fixed = { { "self", NODE_SELF }, { "channels", NODE_CHANNELS },
				   { "channels.json", NODE_CHANNELS_JSON },
				   { "events", NODE_EVENTS }, { "sysv", NODE_SYSV_ROOT } },
			.count = count_processes, .nth = nth_process,
			.find = find_process, .in_order = true },
	[NODE_SELF] = { .mode = LINK_MODE },
	[NODE_CHANNELS] = { .mode = FILE_MODE },
	[NODE_CHANNELS_JSON] = { .mode = FILE_MODE },
	[NODE_EVENTS] = { .mode = FILE_MODE },
	[NODE_PROC] = { .mode = DIR_MODE, .guard = GUARD_PROCESS,
			.fixed = { { "comm", NODE_COMM }, { "cgroup", NODE_CGROUP },
				   { "channels", NODE_PROC_CHANNELS },
				   { "channels.json", NODE_PROC_CHANNELS_JSON } },
			.count = count_kinds, .nth = nth_kind, .find = find_kind,
			.in_order = true },
	[NODE_COMM] = { .mode = FILE_MODE },
	[NODE_CGROUP] = { .mode = FILE_MODE },
	[NODE_PROC_CHANNELS] = { .mode = FILE_MODE },
	[NODE_PROC_CHANNELS_JSON] = { .mode = FILE_MODE },
	[NODE_KIND] = { .mode = DIR_MODE, .count = count_endpoints, .nth = nth_endpoint,
			.find = find_endpoint },
	[NODE_ENDPOINT] = { .mode = DIR_MODE, .fixed = { { "info", NODE_INFO } },
			    .count = count_endpoint_links, .nth = nth_endpoint_link,
			    .find = find_endpoint_link },
	[NODE_INFO] = { .mode = FILE_MODE },
	[NODE_PEER] = { .mode = LINK_MODE },
	[NODE_PIDFD_TARGET] = { .mode = LINK_MODE },
	[NODE_SYSV_ROOT] = { .mode = DIR_MODE, .count = count_sysv_classes,
			     .nth = nth_sysv_class, .find = find_sysv_class,
			     .in_order = true },
	[NODE_SYSV_CLASS] = { .mode = DIR_MODE, .count = count_sysv_objects,
			      .nth = nth_sysv_object, .find = find_sysv_object,
			      .in_order = true },
	[NODE_SYSV_OBJECT] = { .mode = DIR_MODE, .guard = GUARD_SYSV,
			       .fixed = { { "info", NODE_SYSV_INFO } },
			       .count = count_sysv_members, .nth = nth_sysv_member },
	[NODE_SYSV_INFO] = { .mode = FILE_MODE },
	[NODE_SYSV_MEMBER] = { .mode = LINK_MODE },
};

static const struct node_type_desc *desc_of(unsigned type)
{
	return type < sizeof(node_types) / sizeof(node_types[0]) && node_types[type].mode ?
	       &node_types[type] : NULL;
}

/* ---- the tree --------------------------------------------------------- */

bool tree_is_dir(enum node_type type)
{
	const struct node_type_desc *desc = desc_of(type);

	return desc && S_ISDIR(desc->mode);
}

mode_t tree_mode(const struct node_key *key, const struct target *t)
{
	const struct node_type_desc *desc = desc_of(key->type);

	mode_t read;

	if (!desc)
		return 0;
	/* The kernel enforces who enters (default_permissions). */
	switch (desc->guard) {
	case GUARD_PROCESS:
		return S_IFDIR | (t->proc->fd_mode & 07777);
	case GUARD_SYSV:
		/* each class that may read the object may enter: r-x */
		read = t->sysv->perms & 0444;
		return S_IFDIR | read | read >> 2;
	default:
		return desc->mode;
	}
}

void tree_owner(const struct target *t, uid_t *uid, gid_t *gid)
{
	*uid = 0;
	*gid = 0;
	if (t->proc) {
		*uid = t->proc->fd_owner;
		*gid = t->proc->fd_group;
	} else if (t->sysv) {
		*uid = t->sysv->uid;
		*gid = t->sysv->gid;
	}
}

static bool nth_child(const struct dir *d, const struct node_type_desc *desc, size_t i,
		      struct tree_child *c)
{
	bool listed = desc->nth(d, i, c);

	c->cookie += VARIABLE_COOKIE;
	return listed;
}

static void fixed_child(const struct dir *d, const struct node_type_desc *desc, size_t i,
			struct tree_child *c)
{
	set_name(c, desc->fixed[i].name);
	memcpy(&c->key, d->key, sizeof(c->key));	/* padding too */
	c->key.type = desc->fixed[i].type;
	c->target = *d->t;
	c->cookie = TREE_FIRST_COOKIE + i;
}

/* The first candidate whose cookie is past after, for in_order types. */
static size_t first_after(const struct dir *d, const struct node_type_desc *desc, size_t n,
			  uint64_t after, struct tree_child *scratch)
{
	size_t lo = 0, hi = n, mid;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		nth_child(d, desc, mid, scratch);
		if (scratch->cookie <= after)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

struct ranked {
	uint64_t cookie;
	size_t i;
};

static int compare_ranked(const void *x, const void *y)
{
	const struct ranked *a = x, *b = y;

	return (a->cookie > b->cookie) - (a->cookie < b->cookie);
}

/* Candidates in any order: those past after, sorted by cookie. */
static int list_sorted(const struct dir *d, const struct node_type_desc *desc, size_t n,
		       uint64_t after, tree_child_fn *fn, void *ctx, struct tree_child *c)
{
	struct ranked *ranked = malloc((n ? n : 1) * sizeof(*ranked));
	size_t i, kept = 0;
	int r = 0;

	if (!ranked)
		return -ENOMEM;
	for (i = 0; i < n; i++)
		if (nth_child(d, desc, i, c) && c->cookie > after)
			ranked[kept++] = (struct ranked){ c->cookie, i };
	qsort(ranked, kept, sizeof(*ranked), compare_ranked);
	for (i = 0; i < kept && r == 0; i++) {
		nth_child(d, desc, ranked[i].i, c);
		r = fn(ctx, c);
	}
	free(ranked);
	return r;
}

int tree_list(const struct ipc_snapshot *snap, const struct node_key *key,
	      const struct target *t, uint64_t after, tree_child_fn *fn, void *ctx)
{
	const struct node_type_desc *desc = desc_of(key->type);
	const struct dir d = { snap, key, t };
	struct tree_child c;
	size_t i, n;
	int r;

	if (!desc || !S_ISDIR(desc->mode))
		return -ENOTDIR;
	for (i = 0; i < MAX_FIXED && desc->fixed[i].name; i++) {
		fixed_child(&d, desc, i, &c);
		if (c.cookie > after && (r = fn(ctx, &c)))
			return r;
	}
	n = desc->count(&d);
	if (!desc->in_order)
		return list_sorted(&d, desc, n, after, fn, ctx, &c);
	for (i = first_after(&d, desc, n, after, &c); i < n; i++)
		if (nth_child(&d, desc, i, &c) && (r = fn(ctx, &c)))
			return r;
	return 0;
}

int tree_find(const struct ipc_snapshot *snap, const struct node_key *key,
	      const struct target *t, const char *name, struct tree_child *child)
{
	const struct node_type_desc *desc = desc_of(key->type);
	const struct dir d = { snap, key, t };
	size_t i, n;
	int r;

	if (!desc || !S_ISDIR(desc->mode))
		return -ENOTDIR;
	for (i = 0; i < MAX_FIXED && desc->fixed[i].name; i++)
		if (strcmp(desc->fixed[i].name, name) == 0) {
			fixed_child(&d, desc, i, child);
			return 0;
		}
	if (desc->find) {
		r = desc->find(&d, name, child);
		child->cookie += VARIABLE_COOKIE;
		return r;
	}
	n = desc->count(&d);
	for (i = 0; i < n; i++)
		if (nth_child(&d, desc, i, child) && strcmp(child->name, name) == 0)
			return 0;
	return -ENOENT;
}

/* ---- resolving a key -------------------------------------------------- */

/* The System V object of a sysv node; its ctime tells a reused id. */
static int resolve_sysv(const struct ipc_snapshot *snap, const struct node_key *key,
			struct target *t)
{
	uint32_t i;

	if (key->type == NODE_SYSV_ROOT || key->type == NODE_SYSV_CLASS)
		return 0;
	t->sysv = ipc_sysv_find(snap, key->kind, key->pid);
	if (!t->sysv || (uint64_t)t->sysv->ctime != key->start)
		return -ENOENT;
	if (key->type != NODE_SYSV_MEMBER)
		return 0;
	for (i = 0; i < t->sysv->n_members; i++) {
		t->peer = ipc_sysv_member(snap, t->sysv, i);
		if (same_peer(snap, t->peer, key))
			return 0;
	}
	return -ENOENT;
}

int tree_resolve(const struct ipc_snapshot *snap, const struct node_key *key, struct target *t)
{
	*t = (struct target){0};
	if (key->type == NODE_ROOT || key->type == NODE_SELF || key->type == NODE_CHANNELS ||
	    key->type == NODE_CHANNELS_JSON || key->type == NODE_EVENTS)
		return 0;
	if (key->type >= NODE_SYSV_ROOT)
		return resolve_sysv(snap, key, t);
	t->proc = ipc_snapshot_process(snap, key->pid);
	if (!t->proc || t->proc->start_time != key->start)
		return -ENOENT;
	if (key->type == NODE_PROC || key->type == NODE_COMM || key->type == NODE_CGROUP ||
	    key->type == NODE_PROC_CHANNELS || key->type == NODE_PROC_CHANNELS_JSON ||
	    key->type == NODE_KIND)
		return 0;
	t->ep = ipc_snapshot_endpoint(snap, t->proc, key->kind, key->name);
	if (!t->ep)
		return -ENOENT;
	if (key->type == NODE_PIDFD_TARGET) {
		/* The same process as when looked up: a reused pid is not it. */
		t->pidfd_target = ipc_pidfd_target(snap, t->ep);
		return t->pidfd_target && t->pidfd_target->pid == key->peer_pid &&
		       t->pidfd_target->start_time == key->peer_start ? 0 : -ENOENT;
	}
	if (key->type != NODE_PEER)
		return 0;
	t->peer = ipc_endpoint_find_peer(snap, t->ep, key->peer_pid, key->peer_name);
	return t->peer && same_peer(snap, t->peer, key) ? 0 : -ENOENT;
}
