#include "ops.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "ipcfs/fnv.h"
#include "kernel_caps.h"
#include "render.h"
#include "tree.h"
#include "viewer.h"

static int hash_child(void *ctx, const struct tree_child *child)
{
	uint64_t *h = ctx;

	*h = fnv1a_mix(fnv1a_bytes(*h, child->name, strlen(child->name)), '/');
	return 0;
}

static void fill_attr(struct ipcfs *fs, const struct ipc_snapshot *snap, uint64_t generation,
		      uint64_t id, const struct node_key *key, const struct target *t,
		      struct stat *st)
{
	uint64_t listing = FNV1A_INIT;
	struct timespec mtime = snap->built;

	memset(st, 0, sizeof(*st));
	st->st_ino = id;
	st->st_nlink = 1;
	tree_owner(t, &st->st_uid, &st->st_gid);
	st->st_mode = tree_mode(key, t);
	if (S_ISDIR(st->st_mode)) {
		st->st_nlink = 2;
		if (!nodes_dir_mtime_known(fs->nodes, id, generation, &mtime)) {
			tree_list(snap, key, t, 0, hash_child, &listing);
			mtime = nodes_dir_mtime(fs->nodes, id, generation, listing, snap->built);
		}
	}
	st->st_mtim = st->st_ctim = st->st_atim = mtime;
}

static struct ipcfs *fs_of(fuse_req_t req)
{
	return fuse_req_userdata(req);
}

/* Pins a snapshot and resolves ino in it; replies with the error itself. */
struct request {
	struct ipcfs *fs;
	struct held_snapshot *held;
	const struct ipc_snapshot *snap;
	struct node_key key;
	struct target target;
};

/* What a request shows is at most ttl old.  With ttl 0 that means a
 * rebuild per request, except for the attributes and targets of files and
 * links: they change with their directory's listing, which is always
 * rebuilt, so they may use the latest snapshot (a cat then costs two
 * rebuilds, lookup and open, not one per request). */
enum freshness { FOR_CONTENT, FOR_NAMES };

static int request_begin(fuse_req_t req, fuse_ino_t ino, enum freshness freshness,
			 struct request *rq)
{
	int r;

	rq->fs = fs_of(req);
	rq->held = NULL;
	r = nodes_key(rq->fs->nodes, ino, &rq->key);
	if (tree_is_dir(rq->key.type))
		freshness = FOR_CONTENT;
	if (r == 0) {
		rq->held = freshness == FOR_CONTENT ? snapcache_acquire(&rq->fs->cache) :
						      snapcache_acquire_latest(&rq->fs->cache);
		r = rq->held ? 0 : -EIO;
	}
	if (r == 0) {
		rq->snap = rq->held->snap;
		r = tree_resolve(rq->snap, &rq->key, &rq->target);
	}
	if (r < 0) {
		snapcache_release(rq->held);
		fuse_reply_err(req, -r);
	}
	return r;
}

static void request_end(struct request *rq)
{
	snapcache_release(rq->held);
}

/* Fills v for the caller of req.  Its groups are asked of the kernel only
 * where they matter: a caller other than root, when with_groups or when
 * the procfs hides processes. */
static void viewer_init(struct viewer *v, fuse_req_t req, bool with_groups)
{
	const struct proc_hidepid *hidepid = snapcache_hidepid(&fs_of(req)->cache);

	const struct fuse_ctx *ctx = fuse_req_ctx(req);

	v->uid = ctx->uid;
	v->gid = ctx->gid;
	v->n_groups = 0;
	v->hides = false;
	if (v->uid == 0 || (!with_groups && !hidepid->hides))
		return;
	v->n_groups = fuse_req_getgroups(req, VIEWER_MAX_GROUPS, v->groups);
	if (v->n_groups < 0 || v->n_groups > VIEWER_MAX_GROUPS)
		v->n_groups = v->n_groups < 0 ? 0 : VIEWER_MAX_GROUPS;
	v->hides = hidepid->hides && !(hidepid->has_gid && viewer_in_group(v, hidepid->gid));
}

/* The whole-system tables show only the rows of processes the caller may
 * enter. */
static bool filters_rows(enum node_type type)
{
	return type == NODE_CHANNELS || type == NODE_CHANNELS_JSON;
}

/* What a rendering of a file of type depends on besides the file and the
 * snapshot: 0 where every caller is shown the same text, else the caller's
 * identity (uid, groups, whether processes are hidden from it). */
static uint64_t viewer_signature(const struct viewer *v, enum node_type type)
{
	uint64_t h = FNV1A_INIT;
	int i;

	if (filters_rows(type) ? v->uid == 0 : !v->hides)
		return 0;
	h = fnv1a_mix(h, v->uid);
	h = fnv1a_mix(h, v->gid);
	h = fnv1a_mix(h, v->hides);
	for (i = 0; i < v->n_groups; i++)
		h = fnv1a_mix(h, v->groups[i]);
	return h | 1;
}

/* Under hidepid, a <pid>/ or a link naming a process the caller may not
 * enter is neither listed nor found. */
static bool hidden_child(const struct viewer *v, const struct ipc_snapshot *snap,
			 const struct tree_child *c)
{
	if (!v->hides)
		return false;
	switch (c->key.type) {
	case NODE_PROC:
		return !viewer_may_enter(v, c->target.proc);
	case NODE_PEER:
	case NODE_SYSV_MEMBER:
		return !viewer_may_enter(v, ipc_endpoint_process(snap, c->target.peer));
	case NODE_PIDFD_TARGET:
		return !viewer_may_enter(v, c->target.pidfd_target);
	default:
		return false;
	}
}

/* Under hidepid the kernel must not keep, for every caller, a name that
 * one caller was shown: these are asked again each time. */
static bool named_per_caller(const struct ipcfs *fs, enum node_type type)
{
	return snapcache_hidepid(&fs->cache)->hides &&
	       (type == NODE_PROC || type == NODE_PEER || type == NODE_SYSV_MEMBER ||
		type == NODE_PIDFD_TARGET);
}

static void fill_entry(struct request *rq, const struct node_key *key, const struct target *t,
		       uint64_t id, struct fuse_entry_param *e)
{
	memset(e, 0, sizeof(*e));
	e->ino = id;
	e->attr_timeout = rq->fs->ttl;
	e->entry_timeout = named_per_caller(rq->fs, key->type) ? 0 : rq->fs->ttl;
	fill_attr(rq->fs, rq->snap, rq->snap->generation, id, key, t, &e->attr);
}

static void ipcfs_lookup(fuse_req_t req, fuse_ino_t parent, const char *name)
{
	struct viewer viewer;
	struct fuse_entry_param e;
	struct tree_child child;
	struct request rq;
	uint64_t id;
	int r;

	if (request_begin(req, parent, FOR_CONTENT, &rq) < 0)
		return;
	r = tree_find(rq.snap, &rq.key, &rq.target, name, &child);
	/* A process younger than the snapshot (the caller's own, through
	 * self) is worth a rebuild rather than ENOENT. */
	if (r == -ENOENT && rq.key.type == NODE_ROOT &&
	    snapcache_process_alive(&rq.fs->cache, name)) {
		snapcache_release(rq.held);
		rq.held = snapcache_acquire_fresh(&rq.fs->cache);
		if (!rq.held) {
			fuse_reply_err(req, EIO);
			return;
		}
		rq.snap = rq.held->snap;
		r = tree_find(rq.snap, &rq.key, &rq.target, name, &child);
	}
	if (r == 0) {
		viewer_init(&viewer, req, false);
		if (hidden_child(&viewer, rq.snap, &child))
			r = -ENOENT;
	}
	if (r == 0) {
		id = nodes_remember(rq.fs->nodes, &child.key);
		if (!id) {
			r = -ENOMEM;
		} else {
			fill_entry(&rq, &child.key, &child.target, id, &e);
			fuse_reply_entry(req, &e);
		}
	}
	if (r < 0)
		fuse_reply_err(req, -r);
	request_end(&rq);
}

static void ipcfs_forget(fuse_req_t req, fuse_ino_t ino, uint64_t nlookup)
{
	nodes_forget(fs_of(req)->nodes, ino, nlookup);
	fuse_reply_none(req);
}

static void ipcfs_forget_multi(fuse_req_t req, size_t count, struct fuse_forget_data *forgets)
{
	size_t i;

	for (i = 0; i < count; i++)
		nodes_forget(fs_of(req)->nodes, forgets[i].ino, forgets[i].nlookup);
	fuse_reply_none(req);
}

static void ipcfs_getattr(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
	struct request rq;
	struct stat st;

	(void)fi;
	if (request_begin(req, ino, FOR_NAMES, &rq) < 0)
		return;
	fill_attr(rq.fs, rq.snap, rq.snap->generation, ino, &rq.key, &rq.target, &st);
	fuse_reply_attr(req, &st, rq.fs->ttl);
	request_end(&rq);
}

static void ipcfs_readlink(fuse_req_t req, fuse_ino_t ino)
{
	const struct fuse_ctx *ctx = fuse_req_ctx(req);
	char target[64 + 2 * IPC_NAME_MAX];
	struct request rq;
	pid_t tgid;

	if (request_begin(req, ino, FOR_NAMES, &rq) < 0)
		return;
	if (rq.key.type == NODE_SELF) {
		/* FUSE names the calling thread; 0 outside our pid namespace. */
		tgid = snapcache_thread_group(&rq.fs->cache, ctx->pid);
		if (tgid < 0) {
			fuse_reply_err(req, ENOENT);
		} else {
			snprintf(target, sizeof(target), "%d", tgid);
			fuse_reply_readlink(req, target);
		}
	} else if (rq.key.type == NODE_PEER || rq.key.type == NODE_SYSV_MEMBER) {
		/* <pid>/<kind>/<name>/ and sysv/<class>/<id>/ are both three
		 * levels below MNT, so ../../../ reaches MNT from either. */
		snprintf(target, sizeof(target), "../../../%d/%s/%s",
			 ipc_endpoint_process(rq.snap, rq.target.peer)->pid,
			 ipc_kind_dir(rq.target.peer->kind), rq.target.peer->name);
		fuse_reply_readlink(req, target);
	} else if (rq.key.type == NODE_PIDFD_TARGET) {
		snprintf(target, sizeof(target), "../../../%d", rq.target.pidfd_target->pid);
		fuse_reply_readlink(req, target);
	} else {
		fuse_reply_err(req, EINVAL);
	}
	request_end(&rq);
}

struct listing {
	fuse_req_t req;
	struct request *rq;
	struct viewer viewer;
	char *buf;
	size_t size, used;
	uint64_t offset;	/* the cookie of the last entry already returned */
	bool plus;
	int error;
};

/* The room name takes in the reply, 0 when it no longer fits. */
static size_t entry_room(const struct listing *l, const char *name)
{
	size_t need = l->plus ? fuse_add_direntry_plus(l->req, NULL, 0, name, NULL, 0) :
				fuse_add_direntry(l->req, NULL, 0, name, NULL, 0);

	return l->used + need <= l->size ? need : 0;
}

/* cookie: where the next request resumes (after this entry). */
static void put_entry(struct listing *l, const char *name, const struct fuse_entry_param *e,
		      uint64_t cookie, size_t need)
{
	if (l->plus)
		fuse_add_direntry_plus(l->req, l->buf + l->used, l->size - l->used, name, e,
				       (off_t)cookie);
	else
		fuse_add_direntry(l->req, l->buf + l->used, l->size - l->used, name, &e->attr,
				  (off_t)cookie);
	l->used += need;
}

static int add_entry(void *ctx, const struct tree_child *child)
{
	struct listing *l = ctx;
	struct fuse_entry_param e = { .attr.st_ino = 1 };
	size_t need;
	uint64_t id;

	if (hidden_child(&l->viewer, l->rq->snap, child))
		return 0;
	need = entry_room(l, child->name);
	if (!need)
		return 1;
	if (l->plus) {
		/* Every entry returned by readdirplus counts as a lookup. */
		id = nodes_remember(l->rq->fs->nodes, &child->key);
		if (!id) {
			l->error = -ENOMEM;
			return 1;
		}
		fill_entry(l->rq, &child->key, &child->target, id, &e);
	} else {
		e.attr.st_mode = tree_mode(&child->key, &child->target) & S_IFMT;
	}
	put_entry(l, child->name, &e, child->cookie, need);
	return 0;
}

/* "." and "..", first in every listing, cookies 1 and 2.  Node id 0 in
 * readdirplus: the kernel links no dentry for them, so they count no
 * lookup. */
static int add_dot_entries(struct listing *l, fuse_ino_t ino)
{
	static const char *const names[] = { ".", ".." };
	struct fuse_entry_param e = { .attr.st_mode = S_IFDIR };
	size_t i, need;

	for (i = 0; i < 2; i++) {
		if (i + 1 <= l->offset)
			continue;
		need = entry_room(l, names[i]);
		if (!need)
			return 1;
		e.attr.st_ino = i == 0 ? ino : FUSE_ROOT_ID;
		put_entry(l, names[i], &e, i + 1, need);
	}
	return 0;
}

static void list_directory(fuse_req_t req, fuse_ino_t ino, size_t size, off_t offset,
			   bool plus)
{
	struct listing l = { .req = req, .size = size, .offset = offset < 0 ? 0 : (uint64_t)offset,
			     .plus = plus };
	struct request rq;
	int r;

	if (request_begin(req, ino, FOR_CONTENT, &rq) < 0)
		return;
	l.rq = &rq;
	viewer_init(&l.viewer, req, false);
	l.buf = malloc(size ? size : 1);
	if (!l.buf) {
		fuse_reply_err(req, ENOMEM);
		request_end(&rq);
		return;
	}
	r = add_dot_entries(&l, ino) ? 0 :
	    tree_list(rq.snap, &rq.key, &rq.target, l.offset, add_entry, &l);
	if (r < 0)
		fuse_reply_err(req, -r);
	else if (l.error && !l.used)
		fuse_reply_err(req, -l.error);
	else
		fuse_reply_buf(req, l.buf, l.used);
	free(l.buf);
	request_end(&rq);
}

static void ipcfs_readdir(fuse_req_t req, fuse_ino_t ino, size_t size, off_t offset,
			  struct fuse_file_info *fi)
{
	(void)fi;
	list_directory(req, ino, size, offset, false);
}

static void ipcfs_readdirplus(fuse_req_t req, fuse_ino_t ino, size_t size, off_t offset,
			      struct fuse_file_info *fi)
{
	(void)fi;
	list_directory(req, ino, size, offset, true);
}

static bool admits_viewer(const void *ctx, const struct ipc_process *proc)
{
	return proc->n_endpoints && viewer_may_enter(ctx, proc);
}

/* channels or channels.json: of one process, or of every process with
 * endpoints that the caller may enter. */
static void render_channels(const struct request *rq, const struct viewer *v,
			    const struct ipc_peer_view *view, struct textbuf *tb)
{
	bool filter = filters_rows(rq->key.type);
	const struct ipc_process *first = filter ? rq->snap->processes : rq->target.proc;
	struct table_request table = {
		.snap = rq->snap,
		.first = first,
		.end = filter ? first + rq->snap->n_processes : first + 1,
		.json = rq->key.type == NODE_CHANNELS_JSON ||
			rq->key.type == NODE_PROC_CHANNELS_JSON,
		.admits = filter ? admits_viewer : NULL,
		.ctx = v,
		.view = view,
	};

	render_table(&table, tb);
}

/* Rendered once per snapshot, caller and file; sizes are unknown to stat. */
static void reply_open(fuse_req_t req, struct ipcfs *fs, struct fuse_file_info *fi)
{
	fi->direct_io = 1;
	if (fuse_reply_open(req, fi) == -ENOENT)
		handles_release(&fs->handles, fi->fh);	/* the opener was interrupted */
}

static void ipcfs_open(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
	struct render_key key;
	struct ipc_peer_view view;
	int64_t id;
	struct viewer viewer;
	struct textbuf tb;
	struct request rq;
	char *data;
	size_t len;

	if ((fi->flags & O_ACCMODE) != O_RDONLY || (fi->flags & O_TRUNC)) {
		fuse_reply_err(req, EROFS);
		return;
	}
	/* events: a stream per open, filtered with the opener's rights */
	if (nodes_key(fs_of(req)->nodes, ino, &rq.key) == 0 && rq.key.type == NODE_EVENTS) {
		viewer_init(&viewer, req, true);
		events_open(&fs_of(req)->events, req, &viewer, fi);
		return;
	}
	if (request_begin(req, ino, FOR_CONTENT, &rq) < 0)
		return;
	/* channels: only the rows of processes the caller may enter; under
	 * hidepid, peers only in processes it may enter. */
	viewer_init(&viewer, req, filters_rows(rq.key.type));
	view = (struct ipc_peer_view){ .shows = viewer_shows, .ctx = &viewer };
	key = (struct render_key){ .generation = rq.snap->generation, .node = ino,
				   .view = viewer_signature(&viewer, rq.key.type) };
	fi->fh = handles_share(&rq.fs->handles, &key);
	if (fi->fh) {
		request_end(&rq);
		reply_open(req, rq.fs, fi);
		return;
	}
	textbuf_init(&tb);
	switch (rq.key.type) {
	case NODE_CHANNELS:
	case NODE_CHANNELS_JSON:
	case NODE_PROC_CHANNELS:
	case NODE_PROC_CHANNELS_JSON:
		render_channels(&rq, &viewer, &view, &tb);
		break;
	case NODE_COMM:
		render_line(rq.target.proc->comm, &tb);
		break;
	case NODE_CGROUP:
		render_line(rq.target.proc->cgroup, &tb);
		break;
	case NODE_INFO:
		ipc_endpoint_info_lines(rq.snap, rq.target.ep, IPC_FIELDS_ALL, &view, &tb);
		break;
	case NODE_SYSV_INFO:
		ipc_sysv_info(rq.snap, rq.target.sysv, &tb);
		break;
	default:
		tb.error = tree_is_dir(rq.key.type) ? -EISDIR : -EINVAL;
		break;
	}
	request_end(&rq);
	if (tb.error) {
		fuse_reply_err(req, -tb.error);
		textbuf_free(&tb);
		return;
	}
	data = textbuf_steal(&tb, &len);
	id = handles_add(&rq.fs->handles, &key, viewer.uid, data, len);
	if (id < 0) {
		fuse_reply_err(req, (int)-id);
		return;
	}
	fi->fh = (uint64_t)id;
	reply_open(req, rq.fs, fi);
}

static void ipcfs_read(fuse_req_t req, fuse_ino_t ino, size_t size, off_t offset,
		       struct fuse_file_info *fi)
{
	struct handle_table *handles = &fs_of(req)->handles;
	struct rendered *file;

	(void)ino;
	if (fi->fh & EVENTS_FH_BIT) {
		events_read(&fs_of(req)->events, req, size, fi);
		return;
	}
	file = handles_get(handles, fi->fh);
	if (!file)
		fuse_reply_err(req, EBADF);
	else if (offset < 0 || (size_t)offset >= file->len)
		fuse_reply_buf(req, NULL, 0);
	else
		fuse_reply_buf(req, file->data + offset,
			       size < file->len - (size_t)offset ? size : file->len - (size_t)offset);
	if (file)
		handles_put(handles, file);
}

static void ipcfs_release(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
	(void)ino;
	if (fi->fh & EVENTS_FH_BIT)
		events_release(&fs_of(req)->events, fi->fh);
	else
		handles_release(&fs_of(req)->handles, fi->fh);
	fuse_reply_err(req, 0);
}

/* A rendered file is always readable; an events file when lines wait. */
static void ipcfs_poll(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi,
		       struct fuse_pollhandle *ph)
{
	(void)ino;
	if (fi->fh & EVENTS_FH_BIT) {
		events_poll(&fs_of(req)->events, req, fi, ph);
		return;
	}
	if (ph)
		fuse_pollhandle_destroy(ph);
	fuse_reply_poll(req, POLLIN | POLLRDNORM);
}

/* ENOSYS tells a kernel that offered FUSE_CAP_NO_OPENDIR_SUPPORT to skip
 * opendir from now on, and to cache listings (libfuse would answer
 * success without this).  Under hidepid the listings that name other
 * processes differ per caller: those are never cached, the rest are. */
static void ipcfs_opendir(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
	struct ipcfs *fs = fs_of(req);
	struct node_key key;

	if (!snapcache_hidepid(&fs->cache)->hides) {
		fuse_reply_err(req, ENOSYS);
		return;
	}
	if (nodes_key(fs->nodes, ino, &key) < 0) {
		fuse_reply_err(req, ENOENT);
		return;
	}
	if (key.type != NODE_ROOT && key.type != NODE_ENDPOINT && key.type != NODE_SYSV_OBJECT) {
		fi->cache_readdir = 1;
		fi->keep_cache = 1;
	}
	fuse_reply_open(req, fi);
}

static void ipcfs_init(void *userdata, struct fuse_conn_info *conn)
{
	(void)userdata;
	ipcfs_want_kernel_caps(conn);
}

const struct fuse_lowlevel_ops ipcfs_ops = {
	.init = ipcfs_init,
	.lookup = ipcfs_lookup,
	.forget = ipcfs_forget,
	.forget_multi = ipcfs_forget_multi,
	.getattr = ipcfs_getattr,
	.readlink = ipcfs_readlink,
	.open = ipcfs_open,
	.read = ipcfs_read,
	.release = ipcfs_release,
	.poll = ipcfs_poll,
	.opendir = ipcfs_opendir,
	.readdir = ipcfs_readdir,
	.readdirplus = ipcfs_readdirplus,
};
