/* The lines of one MNT/events diff, rendered once per distinct viewer:
 * readers shown the same (viewer_same) get the same bytes, so a change
 * costs a rendering per viewer, not per reader.  The lines are kept until
 * the caller delivers them to each reader's backlog.  No FUSE and no lock
 * here: events.c renders without its lock and delivers under it. */
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "eventlog.h"
#include "ipcfs/snapshot.h"
#include "viewer.h"

/* Lines kept, across viewers, before they should be delivered: what one
 * backlog holds, so a diff of any size costs bounded memory. */
#define FANOUT_KEEP_BYTES EVENTLOG_MAX_BYTES
#define FANOUT_KEEP_LINES EVENTLOG_MAX_LINES

struct fanout_view;

struct fanout {
	struct fanout_view *views;
	size_t n_views, room;
	size_t kept_bytes, kept_lines;	/* since the last fanout_clear */
	const struct timespec *when;	/* the newer snapshot's build time */
	struct textbuf detail;		/* render_event's scratch */
};

void fanout_init(struct fanout *f);
void fanout_free(struct fanout *f);
/* Starts a diff whose newer snapshot was built at when, for at most
 * max_viewers distinct viewers: the last diff's viewers and lines are
 * forgotten.  -ENOMEM. */
int fanout_begin(struct fanout *f, const struct timespec *when, size_t max_viewers);
/* v's index among the diff's distinct viewers, added when new (at most
 * max_viewers of fanout_begin). */
size_t fanout_viewer(struct fanout *f, const struct viewer *v);
/* Renders change once for each viewer that may enter its process.  True
 * when the lines kept should be delivered (then cleared) now. */
bool fanout_change(struct fanout *f, const struct ipc_change *change);
/* Appends to log what viewer (an index) was given since the last
 * fanout_clear: its lines, and the lines lost where they were lost. */
void fanout_deliver(const struct fanout *f, size_t viewer, struct eventlog *log);
/* Every viewer's lines delivered: forgets them, keeps the viewers. */
void fanout_clear(struct fanout *f);
