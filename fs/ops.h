/* The FUSE low-level operations over the snapshot cache and node table. */
#pragma once
#include <fuse_lowlevel.h>

#include "events.h"
#include "handles.h"
#include "nodes.h"
#include "snapcache.h"

struct ipcfs {
	struct snapcache cache;
	struct node_table *nodes;
	struct handle_table handles;
	struct events events;		/* MNT/events readers */
	double ttl;		/* entry and attribute timeouts, as the snapshot's */
};

extern const struct fuse_lowlevel_ops ipcfs_ops;
