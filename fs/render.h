/* Text rendered once per open: one-line files (comm, cgroup), the
 * channels table, channels.json and events lines (info is the resolver's
 * ipc_endpoint_info_lines). */
#pragma once
#include <stdbool.h>

#include "ipcfs/snapshot.h"

/* A one-line file (comm, cgroup): value escaped as in info, "-" for none. */
void render_line(const char *value, struct textbuf *tb);
void render_channels_header(struct textbuf *tb);
/* One row per endpoint of proc. */
void render_channels_rows(const struct ipc_snapshot *snap, const struct ipc_process *proc,
			  const struct ipc_peer_view *view, struct textbuf *tb);
/* channels.json is "[\n", the objects separated by ",\n", then "\n]\n":
 * this appends proc's endpoints, each as an object on its own line
 * (first: no object yet; cleared once one is written). */
void render_json_rows(const struct ipc_snapshot *snap, const struct ipc_process *proc,
		      const struct ipc_peer_view *view, bool *first, struct textbuf *tb);
/* One MNT/events line for change, escaped as channels rows are:
 * TIME SIGN KIND PID COMM NAME PEERS DETAIL, TIME when (the build time of
 * the snapshot the change is seen in), PEERS those the change names that
 * view shows.  A change of peers none of which view shows appends
 * nothing: false.  detail is scratch for the caller to keep. */
bool render_event(const struct timespec *when, const struct ipc_change *change,
		  const struct ipc_peer_view *view, struct textbuf *detail, struct textbuf *tb);
