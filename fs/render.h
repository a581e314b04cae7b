/* Text rendered once per open: one-line files (comm, cgroup), the
 * channels table, channels.json and events lines (info is the resolver's
 * ipc_endpoint_info_lines). */
#pragma once
#include <stdbool.h>

#include "ipcfs/snapshot.h"

/* A one-line file (comm, cgroup): value escaped as in info, "-" for none. */
void render_line(const char *value, struct textbuf *tb);
/* A channels table or channels.json: the rows of the processes [first,
 * end) that admits lets through (every one when NULL), peers as view
 * shows them. */
struct table_request {
	const struct ipc_snapshot *snap;
	const struct ipc_process *first, *end;
	bool json;
	bool (*admits)(const void *ctx, const struct ipc_process *proc);
	const void *ctx;
	const struct ipc_peer_view *view;
	size_t rows_per_part;	/* rows a thread takes at least; 0: the default */
	size_t parts_max;	/* threads at most; 0: one per CPU, up to 4 */
};

/* channels: the header, then a row per endpoint.  channels.json: "[\n",
 * then each endpoint as an object on its own line, separated by ",\n",
 * then "\n]\n" ("[\n]\n" for none).  Large tables are rendered on
 * several threads, into the same bytes. */
void render_table(const struct table_request *rq, struct textbuf *tb);
/* One MNT/events line for change, escaped as channels rows are:
 * TIME SIGN KIND PID COMM NAME PEERS DETAIL, TIME when (the build time of
 * the snapshot the change is seen in), PEERS those the change names that
 * view shows.  A change of peers none of which view shows appends
 * nothing: false.  detail is scratch for the caller to keep. */
bool render_event(const struct timespec *when, const struct ipc_change *change,
		  const struct ipc_peer_view *view, struct textbuf *detail, struct textbuf *tb);
