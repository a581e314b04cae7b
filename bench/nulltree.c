/* The yardstick for `find MNT`: a FUSE tree of a given shape that does no
 * work.  It serves, from memory, the shape `find MNT -printf` printed
 * (lines "d PATH", "f PATH", "l PATH\tTARGET", parents first) with what
 * ipcfs asks of the kernel: no opendir, readdirplus only, entry and
 * attribute timeouts of 1000 s, default_permissions, read-only.
 * usage: nulltree MOUNTPOINT < SHAPE   (stays in the foreground) */
#include <errno.h>
#include <stdbool.h>
#include <fuse_lowlevel.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "../fs/kernel_caps.h"

#define TIMEOUT 1000.0

struct node {
	char *name, *target;	/* target: symlinks only */
	mode_t mode;
	size_t parent, first_child, next_sibling, last_child;	/* 0: none */
};

static struct node *nodes;	/* [0] unused, [1] the root (FUSE_ROOT_ID) */
static size_t n_nodes, cap_nodes;

static size_t add_node(size_t parent, const char *name, mode_t mode, const char *target)
{
	struct node *n;

	if (n_nodes == cap_nodes) {
		cap_nodes = cap_nodes ? cap_nodes * 2 : 1024;
		nodes = realloc(nodes, cap_nodes * sizeof(*nodes));
		if (!nodes) {
			perror("nulltree");
			exit(1);
		}
	}
	n = &nodes[n_nodes];
	*n = (struct node){ .name = strdup(name), .mode = mode, .parent = parent };
	if (target)
		n->target = strdup(target);
	if (parent) {
		if (nodes[parent].last_child)
			nodes[nodes[parent].last_child].next_sibling = n_nodes;
		else
			nodes[parent].first_child = n_nodes;
		nodes[parent].last_child = n_nodes;
	}
	return n_nodes++;
}

static size_t child(size_t parent, const char *name)
{
	size_t c;

	for (c = nodes[parent].first_child; c; c = nodes[c].next_sibling)
		if (strcmp(nodes[c].name, name) == 0)
			return c;
	return 0;
}

/* Parents come first in find's output, so each line's parent exists. */
static void read_shape(FILE *in)
{
	char line[8192], *path, *target, *slash, *name;
	size_t parent;

	add_node(0, "", 0, NULL);
	add_node(0, "", S_IFDIR | 0555, NULL);
	while (fgets(line, sizeof(line), in)) {
		line[strcspn(line, "\n")] = '\0';
		if (strlen(line) < 3 || line[1] != ' ')
			continue;
		path = line + 2;
		target = strchr(path, '\t');
		if (target)
			*target++ = '\0';
		parent = 1;
		for (name = path; (slash = strchr(name, '/')); name = slash + 1) {
			*slash = '\0';
			parent = child(parent, name);
			if (!parent)
				break;
		}
		if (!parent || !*name)
			continue;
		add_node(parent, name, line[0] == 'd' ? S_IFDIR | 0555 :
				       line[0] == 'l' ? S_IFLNK | 0777 : S_IFREG | 0444,
			 line[0] == 'l' ? (target ? target : "") : NULL);
	}
}

static void fill(size_t ino, struct fuse_entry_param *e)
{
	memset(e, 0, sizeof(*e));
	e->ino = ino;
	e->attr_timeout = TIMEOUT;
	e->entry_timeout = TIMEOUT;
	e->attr.st_ino = ino;
	e->attr.st_mode = nodes[ino].mode;
	e->attr.st_nlink = S_ISDIR(nodes[ino].mode) ? 2 : 1;
	e->attr.st_size = nodes[ino].target ? (off_t)strlen(nodes[ino].target) : 0;
}

static bool valid(fuse_ino_t ino)
{
	return ino >= 1 && ino < n_nodes;
}

static void null_lookup(fuse_req_t req, fuse_ino_t parent, const char *name)
{
	struct fuse_entry_param e;
	size_t c = valid(parent) ? child(parent, name) : 0;

	if (!c) {
		fuse_reply_err(req, ENOENT);
		return;
	}
	fill(c, &e);
	fuse_reply_entry(req, &e);
}

static void null_getattr(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
	struct fuse_entry_param e;

	(void)fi;
	if (!valid(ino)) {
		fuse_reply_err(req, ENOENT);
		return;
	}
	fill(ino, &e);
	fuse_reply_attr(req, &e.attr, TIMEOUT);
}

static void null_readlink(fuse_req_t req, fuse_ino_t ino)
{
	if (!valid(ino) || !nodes[ino].target)
		fuse_reply_err(req, EINVAL);
	else
		fuse_reply_readlink(req, nodes[ino].target);
}

static void null_opendir(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
	(void)ino;
	(void)fi;
	fuse_reply_err(req, ENOSYS);
}

/* Entry k of a directory has offset k + 1. */
static void null_readdirplus(fuse_req_t req, fuse_ino_t ino, size_t size, off_t offset,
			     struct fuse_file_info *fi)
{
	struct fuse_entry_param e;
	char *buf = malloc(size);
	size_t used = 0, need, c;
	off_t k = 0;

	(void)fi;
	if (!buf || !valid(ino)) {
		free(buf);
		fuse_reply_err(req, buf ? ENOENT : ENOMEM);
		return;
	}
	for (c = nodes[ino].first_child; c; c = nodes[c].next_sibling, k++) {
		if (k < offset)
			continue;
		fill(c, &e);
		need = fuse_add_direntry_plus(req, buf + used, size - used, nodes[c].name, &e,
					      k + 1);
		if (need > size - used)
			break;
		used += need;
	}
	fuse_reply_buf(req, buf, used);
	free(buf);
}

static void null_init(void *userdata, struct fuse_conn_info *conn)
{
	(void)userdata;
	ipcfs_want_kernel_caps(conn);
}

static const struct fuse_lowlevel_ops null_ops = {
	.init = null_init,
	.lookup = null_lookup,
	.getattr = null_getattr,
	.readlink = null_readlink,
	.opendir = null_opendir,
	.readdirplus = null_readdirplus,
};

int main(int argc, char **argv)
{
	char *fuse_argv[] = { argv[0], "-odefault_permissions,ro,fsname=nulltree", NULL };
	struct fuse_args args = FUSE_ARGS_INIT(2, fuse_argv);
	struct fuse_loop_config *loop;
	struct fuse_session *se;
	int status = 1;

	if (argc != 2) {
		fprintf(stderr, "usage: nulltree MOUNTPOINT < SHAPE\n");
		return 2;
	}
	read_shape(stdin);
	se = fuse_session_new(&args, &null_ops, sizeof(null_ops), NULL);
	if (!se || fuse_session_mount(se, argv[1]) != 0)
		return 1;
	/* Ready: the mount is there. */
	printf("ready %zu\n", n_nodes - 1);
	fflush(stdout);
	loop = fuse_loop_cfg_create();
	if (loop) {
		status = fuse_session_loop_mt(se, loop);
		fuse_loop_cfg_destroy(loop);
	}
	fuse_session_unmount(se);
	fuse_session_destroy(se);
	return status ? 1 : 0;
}
