/* The fs tree, described once: one table entry per node type gives its
 * mode, its fixed children, how to list the others and how to find one by
 * name.  Listing, lookup and attributes all come from that table, so they
 * cannot disagree, and a new node type is one entry.  No FUSE here, so the
 * unit tests link it. */
#pragma once
#include <stdbool.h>
#include <stdint.h>
#include <sys/stat.h>

#include "nodes.h"

/* What a node's key names in one snapshot. */
struct target {
	const struct ipc_process *proc;
	const struct ipc_endpoint *ep, *peer;	/* peer: also a sysv member */
	const struct ipc_sysv_object *sysv;
	const struct ipc_process *pidfd_target;	/* what a pidfd refers to */
};

/* readdir offsets 1 and 2 are "." and "..".  A child's offset is its
 * cookie, at least TREE_FIRST_COOKIE: a key made of what the child is
 * (pid; kind; fd or name; peer pid and name), not where it stands in a
 * list, so a listing read in several requests across a rebuild resumes
 * after the last name it returned, whatever came or went before it. */
#define TREE_FIRST_COOKIE 3

struct tree_child {
	char name[2 * IPC_NAME_MAX];
	struct node_key key;
	struct target target;
	uint64_t cookie;
};

/* Called per child; a non-zero return stops the walk and is passed on. */
typedef int tree_child_fn(void *ctx, const struct tree_child *child);

/* What key names in snap; -ENOENT when it is gone (a reused pid or System
 * V id is another identity). */
int tree_resolve(const struct ipc_snapshot *snap, const struct node_key *key,
		 struct target *t);
bool tree_is_dir(enum node_type type);
/* Type and permission bits: a <pid>/ has those of /proc/<pid>/fd, a
 * System V object's directory r-x for each class that may read it. */
mode_t tree_mode(const struct node_key *key, const struct target *t);
/* Owner and group: the process's for what lies in a <pid>/ (root where
 * the ptrace rule would refuse its user), the object's for what lies in a
 * System V object's directory, else root. */
void tree_owner(const struct target *t, uid_t *uid, gid_t *gid);
/* Calls fn for each child of directory key (resolved as t) whose cookie
 * is greater than after, in increasing cookie order.  -ENOTDIR for a
 * file, -ENOMEM. */
int tree_list(const struct ipc_snapshot *snap, const struct node_key *key,
	      const struct target *t, uint64_t after, tree_child_fn *fn, void *ctx);
/* The child called name.  Any process of the snapshot and any kind is
 * found, listed or not.  -ENOENT, -ENOTDIR. */
int tree_find(const struct ipc_snapshot *snap, const struct node_key *key,
	      const struct target *t, const char *name, struct tree_child *child);
