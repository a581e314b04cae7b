/* Pseudo-terminals: master fds (/dev/ptmx, <devpts>/ptmx) and slave fds
 * (<devpts>/N), keyed by (devpts instance, index).  Every master fd peers
 * with every slave fd of its terminal; two fds on one side do not.  A
 * master whose devpts instance cannot be told peers with nothing: several
 * instances (containers) reuse the same indexes. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "builder.h"

enum pty_link {
	PTY_NONE,
	PTY_SLAVE,	/* <devpts>/N: the instance is the link's st_dev */
	PTY_PTS_PTMX,	/* <devpts>/ptmx: likewise */
	PTY_DEV_PTMX,	/* /dev/ptmx: the devpts at /dev/pts of its mount namespace */
};

struct pty_detail {
	struct file_detail file;	/* first, as on file objects */
	bool master;
	bool instance_known;
};

/* The devpts instance at /dev/pts of one mount namespace. */
struct devpts_ns {
	uint64_t mnt_ns;
	dev_t dev;
	int error;	/* 0, or -ENODEV: no single devpts there */
	struct devpts_ns *next;
};

struct pty_state {
	struct devpts_ns *namespaces;	/* in the arena; few per host */
};

static enum pty_link classify(const char *link)
{
	const char *tail = strrchr(link, '/'), *p;

	if (strcmp(link, "/dev/ptmx") == 0)
		return PTY_DEV_PTMX;
	if (link[0] != '/' || tail - link < 4 || memcmp(tail - 4, "/pts", 4) != 0)
		return PTY_NONE;
	if (strcmp(tail + 1, "ptmx") == 0)
		return PTY_PTS_PTMX;
	/* The kernel names slaves by their index: no sign, no leading zero. */
	if (!tail[1] || (tail[1] == '0' && tail[2]))
		return PTY_NONE;
	for (p = tail + 1; *p; p++)
		if (*p < '0' || *p > '9')
			return PTY_NONE;
	return PTY_SLAVE;
}

/* The link's device when it is a character device on it; 0 not ours. */
static int probe_char_device(struct fd_probe *probe)
{
	int r = fd_probe_facts(probe, FD_FACT_STAT);

	if (r < 0)
		return r;
	if (probe->facts.type != S_IFCHR)
		return 0;
	probe->found[1] = probe->facts.dev;
	return 1;
}

/* found[0] is the index; found[1] the instance (st_dev), or for /dev/ptmx
 * the holder's mount namespace inode (0 unread), resolved in add_fd. */
static int pty_probe_fd(struct fd_probe *probe)
{
	enum pty_link link = classify(probe->link);
	char text[1024], value[32], path[PROC_PATH_MAX];
	ssize_t n;
	int r;

	if (link == PTY_NONE)
		return 0;
	if (link == PTY_SLAVE) {
		r = probe_char_device(probe);
		if (r <= 0)
			return r;
		probe->found[0] = strtoull(strrchr(probe->link, '/') + 1, NULL, 10);
		return fd_probe_take(probe);
	}
	/* A master: its index is only in fdinfo (Linux 5.14 and later), and
	 * fdinfo's flags save the lstat for the access. */
	n = fd_probe_fdinfo(probe, text, sizeof(text));
	if (n < 0)
		return (int)n;
	if (text_field(text, "tty-index", value, sizeof(value)) < 0)
		return 0;
	probe->found[0] = strtoull(value, NULL, 10);
	probe->facts.access = fdinfo_access(text);
	if (link == PTY_PTS_PTMX)
		return probe_char_device(probe);
	probe->found[1] = proc_ns_inode(probe->root->dirfd, proc_path(path, probe->pid, "ns/mnt", -1),
					"mnt:[");
	return 1;
}

/* What mountinfo says is mounted at /dev/pts (the stack, bounded). */
#define PTS_STACK_MAX 8

struct pts_mounts {
	size_t n;
	bool overflow;
	struct {
		unsigned id, parent;
		dev_t dev;
		bool devpts;
	} m[PTS_STACK_MAX];
};

/* "<id> <parent> <major>:<minor> <root> <mount point> ... - <fstype> ..." */
static int pts_mount_line(void *context, char *text, size_t len)
{
	struct pts_mounts *pm = context;
	unsigned id, parent, major, minor;
	const char *sep;
	int point = -1;

	(void)len;
	if (sscanf(text, "%u %u %u:%u %*s %n", &id, &parent, &major, &minor, &point) != 4 ||
	    point < 0 || strncmp(text + point, "/dev/pts ", 9) != 0)
		return 0;
	if (pm->n == PTS_STACK_MAX) {
		pm->overflow = true;
		return 0;
	}
	sep = strstr(text + point, " - ");
	pm->m[pm->n].id = id;
	pm->m[pm->n].parent = parent;
	pm->m[pm->n].dev = makedev(major, minor);
	pm->m[pm->n].devpts = sep && strncmp(sep + 3, "devpts ", 7) == 0;
	pm->n++;
	return 0;
}

/* The devpts a lookup of /dev/pts reaches in pid's mount namespace: the
 * top of what is mounted there, the one mount no other sits on.  -ENODEV
 * when that is not one devpts; other -errno when mountinfo could not be
 * read. */
static int read_devpts(const struct proc_root *root, pid_t pid, dev_t *dev)
{
	struct pts_mounts pm = {0};
	char path[PROC_PATH_MAX], *buf;
	size_t i, j, top = 0, n_top = 0;
	int fd, r;

	fd = openat(root->dirfd, proc_path(path, pid, "mountinfo", -1), O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	buf = malloc(READ_LINES_BUF);
	r = buf ? read_lines(fd, buf, READ_LINES_BUF, NULL, pts_mount_line, &pm) : -ENOMEM;
	free(buf);
	close(fd);
	if (r < 0)
		return r;
	for (i = 0; i < pm.n; i++) {
		for (j = 0; j < pm.n && pm.m[j].parent != pm.m[i].id; j++)
			;
		if (j == pm.n) {
			top = i;
			n_top++;
		}
	}
	if (pm.overflow || n_top != 1 || !pm.m[top].devpts)
		return -ENODEV;
	*dev = pm.m[top].dev;
	return 0;
}

/* The devpts of mount namespace mnt_ns, read once per build from the
 * mountinfo of a process in it (pid): a process that could not be read
 * (gone, not ours) leaves the namespace to the next.  0, -ENOMEM, else
 * unknown. */
static int namespace_devpts(struct builder *b, pid_t pid, uint64_t mnt_ns, dev_t *dev)
{
	struct pty_state *state = builder_state(b, &pty_module);
	struct devpts_ns *ns;
	int r;

	if (!mnt_ns)
		return -ENOENT;
	for (ns = state->namespaces; ns && ns->mnt_ns != mnt_ns; ns = ns->next)
		;
	if (ns) {
		*dev = ns->dev;
		return ns->error;
	}
	r = read_devpts(b->root, pid, dev);
	if (r < 0 && r != -ENODEV)
		return r;
	ns = arena_alloc(b->arena, sizeof(*ns));
	if (!ns)
		return -ENOMEM;
	*ns = (struct devpts_ns){ mnt_ns, *dev, r, state->namespaces };
	state->namespaces = ns;
	return r;
}

static int pty_add_fd(struct builder *b, const struct fd_probe *probe)
{
	enum pty_link link = classify(probe->link);
	struct ipc_endpoint ep = {
		.process = probe->process, .kind = IPC_PTY, .fd = probe->fd,
		.access = (uint8_t)probe->facts.access, .id = probe->found[0],
	};
	struct pty_detail *detail;
	dev_t dev = (dev_t)probe->found[1];
	long r;

	detail = arena_alloc(b->arena, sizeof(*detail));
	if (!detail)
		return -ENOMEM;
	detail->file.path = arena_strndup(b->arena, probe->link, probe->link_len);
	if (!detail->file.path)
		return -ENOMEM;
	detail->master = link != PTY_SLAVE;
	detail->instance_known = true;
	if (link == PTY_DEV_PTMX) {
		r = namespace_devpts(b, probe->pid, probe->found[1], &dev);
		if (r == -ENOMEM)
			return -ENOMEM;
		detail->instance_known = r == 0;
	}
	ep.object[0] = detail->instance_known ? dev : 0;
	ep.object[1] = probe->found[0];
	ep.detail = detail;
	r = builder_add_endpoint(b, &ep);
	return r < 0 ? (int)r : 0;
}

static const struct pty_detail *detail_of(const struct ipc_endpoint *ep)
{
	return ep->detail;
}

/* By terminal, then masters first. */
static int compare_terminal_side(const void *x, const void *y, void *context)
{
	const struct ipc_endpoint *eps = context;
	const struct ipc_endpoint *a = &eps[*(const uint32_t *)x], *b = &eps[*(const uint32_t *)y];
	int c = endpoint_object_order(a, b);

	return c ? c : (int)detail_of(b)->master - (int)detail_of(a)->master;
}

/* Within each terminal, every master with every slave. */
static int pty_resolve(struct builder *b)
{
	const struct ipc_endpoint *eps = b->endpoints;
	size_t n = 0, i, end, slaves, j, k;
	uint32_t *order;
	int r = 0;

	order = malloc((b->n_endpoints + 1) * sizeof(*order));
	if (!order)
		return -ENOMEM;
	for (i = 0; i < b->n_endpoints; i++)
		if (eps[i].kind == IPC_PTY && detail_of(&eps[i])->instance_known)
			order[n++] = (uint32_t)i;
	qsort_r(order, n, sizeof(*order), compare_terminal_side, b->endpoints);
	for (i = 0; i < n && r == 0; i = end) {
		for (end = i + 1; end < n && endpoint_object_order(&eps[order[i]], &eps[order[end]]) == 0;
		     end++)
			;
		for (slaves = i; slaves < end && detail_of(&eps[order[slaves]])->master; slaves++)
			;
		for (j = i; j < slaves && r == 0; j++)
			for (k = slaves; k < end && r == 0; k++)
				r = builder_add_peer(b, order[j], order[k]);
	}
	free(order);
	return r;
}

static void pty_fields(const struct ipc_snapshot *snap, const struct ipc_endpoint *ep,
		       struct ipc_field_sink *sink)
{
	const struct pty_detail *detail = ep->detail;
	char instance[24] = "unknown";

	(void)snap;
	field_text(sink, "side", IPC_DETAIL_VALUE, detail->master ? "master" : "slave");
	field_u64(sink, "index", IPC_DETAIL_VALUE, ep->id);
	field_text(sink, "path", IPC_DETAIL_VALUE, detail->file.path);
	if (detail->instance_known)
		snprintf(instance, sizeof(instance), "%u:%u", major((dev_t)ep->object[0]),
			 minor((dev_t)ep->object[0]));
	field_text(sink, "instance", IPC_DETAIL_NO, instance);
}

const struct kind_module pty_module = {
	.name = "pty",
	.probe_fd = pty_probe_fd,
	.add_fd = pty_add_fd,
	.resolve = pty_resolve,
	.fields = pty_fields,
	.state_size = sizeof(struct pty_state),
};
