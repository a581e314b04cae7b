/* What ipcfs asks of the kernel at FUSE init.  bench/nulltree.c asks the
 * same, so the yardstick walks the same kernel paths. */
#pragma once
#include <fuse_lowlevel.h>

static inline void ipcfs_want_kernel_caps(struct fuse_conn_info *conn)
{
	/* No opendir round trip: the kernel then also caches listings, which
	 * the directory mtimes keep honest. */
	if (conn->capable & FUSE_CAP_NO_OPENDIR_SUPPORT)
		conn->want |= FUSE_CAP_NO_OPENDIR_SUPPORT;
	/* Always readdirplus: ls -l and find need the attributes anyway. */
	if (conn->capable & FUSE_CAP_READDIRPLUS)
		conn->want |= FUSE_CAP_READDIRPLUS;
	conn->want &= ~FUSE_CAP_READDIRPLUS_AUTO;
}
