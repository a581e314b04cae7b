/* Who asks, and what they may see of other processes: the caller's rights
 * as the kernel checks them under default_permissions, kept by value so an
 * open file (MNT/events) filters with its opener's rights long after the
 * request.  No FUSE here. */
#pragma once
#include <stdbool.h>
#include <sys/types.h>

#include "ipcfs/snapshot.h"

#define VIEWER_MAX_GROUPS 256

struct viewer {
	uid_t uid;
	gid_t gid;
	gid_t groups[VIEWER_MAX_GROUPS];	/* supplementary, where asked for */
	int n_groups;
	bool hides;	/* hidepid: processes this caller may not enter are hidden */
};

bool viewer_in_group(const struct viewer *v, gid_t gid);
/* Whether the caller could enter proc's directory (execute on its mode). */
bool viewer_may_enter(const struct viewer *v, const struct ipc_process *proc);
/* Whether a and b may enter the same processes and are shown the same
 * peers (root: every one), so are shown the same of everything.  Groups
 * are compared in order: an equal set listed otherwise counts as
 * another. */
bool viewer_same(const struct viewer *a, const struct viewer *b);
/* An ipc_peer_view's shows(): under hidepid only processes it may enter. */
bool viewer_shows(const void *ctx, const struct ipc_process *proc);
