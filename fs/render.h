/* Text rendered once per open: info, comm, cgroup and the channels table. */
#pragma once
#include <stdbool.h>

#include "ipcfs/snapshot.h"

/* Which peers a caller is shown (those of processes shows() accepts);
 * NULL shows every peer. */
struct peer_view {
	bool (*shows)(const void *ctx, const struct ipc_process *proc);
	const void *ctx;
};

void render_info(const struct ipc_snapshot *snap, const struct ipc_endpoint *ep,
		 const struct peer_view *view, struct textbuf *tb);
/* A one-line file (comm, cgroup): value escaped as in info, "-" for none. */
void render_line(const char *value, struct textbuf *tb);
void render_channels_header(struct textbuf *tb);
/* One row per endpoint of proc. */
void render_channels_rows(const struct ipc_snapshot *snap, const struct ipc_process *proc,
			  const struct peer_view *view, struct textbuf *tb);
/* One MNT/events line for change, escaped as channels rows are:
 * TIME SIGN KIND PID COMM NAME PEERS DETAIL, TIME when (the build time of
 * the snapshot the change is seen in), PEERS those the change names that
 * view shows.  A change of peers none of which view shows appends
 * nothing: false.  detail is scratch for the caller to keep. */
bool render_event(const struct timespec *when, const struct ipc_change *change,
		  const struct peer_view *view, struct textbuf *detail, struct textbuf *tb);
