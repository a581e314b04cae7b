/* MNT/events: each open is a reader with its own backlog (eventlog.h),
 * filtered with its opener's rights.  While at least one is open, one
 * thread asks the snapshot cache for a snapshot each time the last one
 * goes stale (every ttl, at least EVENTS_MIN_PERIOD_NS apart), diffs it
 * against the one before and appends the lines to every reader: each
 * line rendered once per distinct viewer (fanout.h), without the lock,
 * for the readers open when the diff began.  With no reader the thread
 * ends: nothing is built for events.
 *
 * A read with nothing to give is not answered in its handler (that would
 * hold a FUSE worker): the request is kept and answered by the thread
 * that appends lines, or with EINTR when the kernel interrupts it (the
 * reader got a signal).  One lock guards readers, backlogs, kept requests
 * and poll handles.  The thread is named ipcfs-events (top -H). */
#pragma once
#include <fuse_lowlevel.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include "handles.h"
#include "snapcache.h"
#include "viewer.h"

/* Builds for events at most this often (ttl 0 would spin). */
#define EVENTS_MIN_PERIOD_NS 100000000ull
/* Events readers' file handles have this bit; rendered files' never do. */
#define EVENTS_FH_BIT (1ull << 63)

struct events_reader;

struct events {
	pthread_mutex_t lock;
	pthread_cond_t wake;		/* the thread: a reader left, or stop */
	struct events_reader *readers;
	size_t n_readers;
	uint64_t next_id;
	bool running, joinable, stopping;
	pthread_t thread;
	struct held_snapshot *last;	/* what the next snapshot is diffed against */
	struct snapcache *cache;
	struct handle_table *handles;	/* where readers are charged to their uid */
};

void events_init(struct events *ev, struct snapcache *cache, struct handle_table *handles);
/* Ends the thread, answers kept reads (end of file) and frees every
 * reader: when the session loop has ended, before it unmounts (while
 * replies can still be sent). */
void events_shutdown(struct events *ev);
void events_destroy(struct events *ev);

/* The FUSE operations on an events file; open replies itself. */
void events_open(struct events *ev, fuse_req_t req, const struct viewer *viewer,
		 struct fuse_file_info *fi);
void events_read(struct events *ev, fuse_req_t req, size_t size, struct fuse_file_info *fi);
void events_poll(struct events *ev, fuse_req_t req, struct fuse_file_info *fi,
		 struct fuse_pollhandle *ph);
void events_release(struct events *ev, uint64_t fh);
