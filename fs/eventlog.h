/* One reader's backlog of MNT/events lines, bounded: a reader that falls
 * behind loses its oldest lines, never the daemon's memory, and reads
 * "lost N" in a line of its own where they were.  No FUSE and no lock
 * here (the caller holds one), so the unit tests drive it directly. */
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* At most this many lines and bytes of text wait per reader: what
 * hundreds of processes starting or ending at once make, while one user
 * may still hold a score of opens within the default max_user_mb (each
 * open is charged this much). */
#define EVENTLOG_MAX_LINES 16384
#define EVENTLOG_MAX_BYTES ((size_t)2 << 20)
/* What one open is charged to its user: at least what it may hold, the
 * text and per line a ring slot, a header and malloc's overhead. */
#define EVENTLOG_CHARGE ((size_t)3 << 20)
_Static_assert(EVENTLOG_CHARGE >= EVENTLOG_MAX_BYTES + EVENTLOG_MAX_LINES * (sizeof(void *) + 48),
	       "an events open is charged less than it may hold");

struct eventlog_line;

struct eventlog {
	struct eventlog_line **ring;	/* EVENTLOG_MAX_LINES slots */
	size_t head, n;			/* lines waiting, from ring[head] */
	size_t bytes;			/* their text */
	size_t offset;			/* bytes of ring[head] already read */
	uint64_t lost_tail;		/* lines lost after the last one waiting */
	char marker[32];		/* a "lost N" line being read */
	size_t marker_len, marker_off;
};

int eventlog_init(struct eventlog *log);
void eventlog_free(struct eventlog *log);
/* Appends one line (len bytes, its '\n' included), dropping the oldest
 * lines not yet begun to stay within the bounds; a line that cannot be
 * kept (too long, no memory) is itself lost. */
void eventlog_push(struct eventlog *log, const char *line, size_t len);
/* Counts n lines lost where they would have been appended. */
void eventlog_lose(struct eventlog *log, uint64_t n);
/* Whether a read would return something. */
bool eventlog_ready(const struct eventlog *log);
/* Moves up to size bytes of the stream into buf; how many.  A line may
 * be split between reads (as in a pipe); the rest of it is never lost. */
size_t eventlog_read(struct eventlog *log, char *buf, size_t size);
