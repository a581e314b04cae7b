#include "events.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdlib.h>
#include <time.h>

#include "eventlog.h"
#include "fanout.h"

/* A read waiting for lines. */
struct kept_read {
	struct kept_read *next;
	fuse_req_t req;
	size_t size;
};

struct events_reader {
	struct events_reader *next;
	uint64_t fh;
	struct viewer viewer;		/* the opener's rights */
	size_t viewer_index;		/* its viewer's in the diff under way */
	struct eventlog log;
	struct kept_read *reads, **reads_tail;	/* answered in arrival order */
	struct fuse_pollhandle *ph;	/* notified when lines come */
};

void events_init(struct events *ev, struct snapcache *cache, struct handle_table *handles)
{
	pthread_condattr_t attr;

	*ev = (struct events){ .next_id = 1, .cache = cache, .handles = handles };
	pthread_mutex_init(&ev->lock, NULL);
	/* The deadlines are the snapshot cache's clock. */
	pthread_condattr_init(&attr);
	pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
	pthread_cond_init(&ev->wake, &attr);
	pthread_condattr_destroy(&attr);
}

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* ---- under the lock ----------------------------------------------------- */

static struct events_reader **find(struct events *ev, uint64_t fh)
{
	struct events_reader **p;

	for (p = &ev->readers; *p && (*p)->fh != fh; p = &(*p)->next)
		;
	return p;
}

/* Answers req with up to size bytes of r's backlog. */
static void answer(struct events_reader *r, fuse_req_t req, size_t size)
{
	char *buf;

	if (size > EVENTLOG_MAX_BYTES)
		size = EVENTLOG_MAX_BYTES;
	buf = malloc(size ? size : 1);
	if (!buf) {
		fuse_reply_err(req, ENOMEM);
		return;
	}
	fuse_reply_buf(req, buf, eventlog_read(&r->log, buf, size));
	free(buf);
}

static struct kept_read *take_read(struct events_reader *r, struct kept_read **p)
{
	struct kept_read *k = *p;

	*p = k->next;
	if (!*p)
		r->reads_tail = p;
	return k;
}

/* What r's backlog holds goes to its waiting reads, then to poll. */
static void serve(struct events_reader *r)
{
	struct kept_read *k;

	while (r->reads && eventlog_ready(&r->log)) {
		k = take_read(r, &r->reads);
		answer(r, k->req, k->size);
		free(k);
	}
	if (r->ph && eventlog_ready(&r->log)) {
		fuse_lowlevel_notify_poll(r->ph);
		fuse_pollhandle_destroy(r->ph);
		r->ph = NULL;
	}
}

/* Ends a reader already unlinked: waiting reads get end of file. */
static void drop_reader(struct events *ev, struct events_reader *r)
{
	struct kept_read *k;

	while (r->reads) {
		k = take_read(r, &r->reads);
		fuse_reply_buf(k->req, NULL, 0);
		free(k);
	}
	if (r->ph)
		fuse_pollhandle_destroy(r->ph);
	eventlog_free(&r->log);
	handles_uncharge(ev->handles, r->viewer.uid, EVENTLOG_CHARGE);
	free(r);
}

/* ---- the thread ---------------------------------------------------------- */

/* One diff's fan-out.  The readers open when it began (ids below cutoff)
 * get its lines, as if it were made at that moment under the lock: one
 * opened later does not, one closed meanwhile is simply gone. */
struct diffing {
	struct events *ev;
	struct fanout fanout;
	uint64_t cutoff;
};

static bool in_diff(const struct diffing *d, const struct events_reader *r)
{
	return (r->fh & ~EVENTS_FH_BIT) < d->cutoff;
}

/* Under the lock: the diff's readers are those open now, each with its
 * viewer's index in the fan-out. */
static int begin_diff(struct diffing *d, const struct timespec *when)
{
	struct events_reader *r;
	int err;

	d->cutoff = d->ev->next_id;
	err = fanout_begin(&d->fanout, when, d->ev->n_readers);
	for (r = d->ev->readers; r && !err; r = r->next)
		r->viewer_index = fanout_viewer(&d->fanout, &r->viewer);
	return err;
}

/* Under the lock: the lines rendered so far go to the diff's readers
 * still open. */
static void deliver(struct diffing *d)
{
	struct events_reader *r;

	for (r = d->ev->readers; r; r = r->next) {
		if (!in_diff(d, r))
			continue;
		fanout_deliver(&d->fanout, r->viewer_index, &r->log);
		serve(r);
	}
	fanout_clear(&d->fanout);
}

/* One change, rendered without the lock; delivered under it when enough
 * lines wait. */
static int fan_out(void *ctx, const struct ipc_change *change)
{
	struct diffing *d = ctx;

	if (fanout_change(&d->fanout, change)) {
		pthread_mutex_lock(&d->ev->lock);
		deliver(d);
		pthread_mutex_unlock(&d->ev->lock);
	}
	return 0;
}

/* Just after held goes stale by snapcache.h's rule, and at least
 * EVENTS_MIN_PERIOD_NS after it was built. */
static uint64_t stale_at(const struct snapcache *cache, const struct held_snapshot *held)
{
	uint64_t ttl = cache->ttl_ns;
	uint64_t period = ttl > EVENTS_MIN_PERIOD_NS ? ttl : EVENTS_MIN_PERIOD_NS;
	uint64_t from = held->ended_ns - held->started_ns > ttl ? held->ended_ns : held->started_ns;

	return from + period + 1000000;
}

/* Takes held (a reference) as the newest snapshot: appends what changed
 * since the last one to every reader.  Called with the lock held, which
 * is let go while the diff is made (only this thread touches ev->last).
 * Returns what the caller releases unlocked. */
static struct held_snapshot *advance(struct diffing *d, struct held_snapshot *held)
{
	struct events *ev = d->ev;
	struct held_snapshot *old = ev->last;
	struct events_reader *r;
	int err;

	if (old && held->snap->generation == old->snap->generation)
		return held;
	if (old) {
		err = begin_diff(d, &held->snap->built);
		if (!err) {
			pthread_mutex_unlock(&ev->lock);
			err = ipc_snapshot_diff(old->snap, held->snap, fan_out, d);
			pthread_mutex_lock(&ev->lock);
			deliver(d);
		}
		if (err < 0)
			for (r = ev->readers; r; r = r->next)
				if (in_diff(d, r))
					eventlog_lose(&r->log, 1);	/* no memory for the diff */
	}
	for (r = ev->readers; r; r = r->next)
		serve(r);
	ev->last = held;
	return old;
}

static void *run(void *arg)
{
	struct diffing d = { .ev = arg };
	struct events *ev = d.ev;
	struct held_snapshot *held, *done;
	struct timespec deadline;
	uint64_t wake_at;

	fanout_init(&d.fanout);
	pthread_mutex_lock(&ev->lock);
	while (ev->n_readers && !ev->stopping) {
		pthread_mutex_unlock(&ev->lock);
		held = snapcache_acquire(ev->cache);
		pthread_mutex_lock(&ev->lock);
		done = held ? advance(&d, held) : NULL;
		wake_at = ev->last ? stale_at(ev->cache, ev->last) : now_ns() + EVENTS_MIN_PERIOD_NS;
		if (done) {
			pthread_mutex_unlock(&ev->lock);
			snapcache_release(done);
			pthread_mutex_lock(&ev->lock);
		}
		deadline = (struct timespec){ .tv_sec = (time_t)(wake_at / 1000000000u),
					      .tv_nsec = (long)(wake_at % 1000000000u) };
		while (ev->n_readers && !ev->stopping && now_ns() < wake_at)
			pthread_cond_timedwait(&ev->wake, &ev->lock, &deadline);
	}
	/* No reader: nothing is built for events until the next opens. */
	done = ev->last;
	ev->last = NULL;
	ev->running = false;
	pthread_mutex_unlock(&ev->lock);
	snapcache_release(done);
	fanout_free(&d.fanout);
	return NULL;
}

/* ---- FUSE operations ----------------------------------------------------- */

void events_open(struct events *ev, fuse_req_t req, const struct viewer *viewer,
		 struct fuse_file_info *fi)
{
	struct events_reader *r = calloc(1, sizeof(*r));
	int err = 0;

	if (!r || eventlog_init(&r->log) < 0) {
		free(r);
		fuse_reply_err(req, ENOMEM);
		return;
	}
	err = -handles_charge(ev->handles, viewer->uid, EVENTLOG_CHARGE);
	if (err) {
		eventlog_free(&r->log);
		free(r);
		fuse_reply_err(req, err);
		return;
	}
	r->viewer = *viewer;
	r->reads_tail = &r->reads;
	pthread_mutex_lock(&ev->lock);
	r->fh = EVENTS_FH_BIT | ev->next_id++;
	r->next = ev->readers;
	ev->readers = r;
	ev->n_readers++;
	if (!ev->running && !ev->stopping) {
		/* A thread that saw no reader has ended, or is ending. */
		if (ev->joinable)
			pthread_join(ev->thread, NULL);
		ev->joinable = ev->running = pthread_create(&ev->thread, NULL, run, ev) == 0;
		err = ev->running ? 0 : EAGAIN;
		/* named, so top -H and the tests see when it runs */
		if (ev->running)
			pthread_setname_np(ev->thread, "ipcfs-events");
	}
	pthread_mutex_unlock(&ev->lock);
	fi->fh = r->fh;
	if (err) {
		events_release(ev, fi->fh);
		fuse_reply_err(req, err);
		return;
	}
	/* A stream: no size, no offsets, nothing cached. */
	fi->direct_io = 1;
	fi->nonseekable = 1;
	if (fuse_reply_open(req, fi) == -ENOENT)
		events_release(ev, fi->fh);	/* the opener was interrupted */
}

/* The kernel gave up a read (its reader got a signal): answer it now if
 * it is still kept.  libfuse holds req meanwhile, so the pointer is its. */
static void read_interrupted(fuse_req_t req, void *data)
{
	struct events *ev = data;
	struct kept_read **p, *k = NULL;
	struct events_reader *r;

	pthread_mutex_lock(&ev->lock);
	for (r = ev->readers; r && !k; r = r->next) {
		for (p = &r->reads; *p && (*p)->req != req; p = &(*p)->next)
			;
		if (*p)
			k = take_read(r, p);
	}
	if (k)
		fuse_reply_err(req, EINTR);
	pthread_mutex_unlock(&ev->lock);
	free(k);
}

void events_read(struct events *ev, fuse_req_t req, size_t size, struct fuse_file_info *fi)
{
	struct events_reader *r;
	struct kept_read *k;

	pthread_mutex_lock(&ev->lock);
	r = *find(ev, fi->fh);
	if (r && !r->reads && eventlog_ready(&r->log)) {
		answer(r, req, size);
		pthread_mutex_unlock(&ev->lock);
		return;
	}
	pthread_mutex_unlock(&ev->lock);
	if (!r || (fi->flags & O_NONBLOCK)) {
		fuse_reply_err(req, r ? EAGAIN : EBADF);
		return;
	}
	k = malloc(sizeof(*k));
	if (!k) {
		fuse_reply_err(req, ENOMEM);
		return;
	}
	*k = (struct kept_read){ .req = req, .size = size };
	/* Registered before the read is kept: an interrupt that came first
	 * is seen below; one that comes later finds the read kept. */
	fuse_req_interrupt_func(req, read_interrupted, ev);
	pthread_mutex_lock(&ev->lock);
	r = *find(ev, fi->fh);
	if (!r || fuse_req_interrupted(req)) {
		pthread_mutex_unlock(&ev->lock);
		free(k);
		fuse_reply_err(req, r ? EINTR : EBADF);
		return;
	}
	*r->reads_tail = k;
	r->reads_tail = &k->next;
	serve(r);	/* lines may have come meanwhile */
	pthread_mutex_unlock(&ev->lock);
}

void events_poll(struct events *ev, fuse_req_t req, struct fuse_file_info *fi,
		 struct fuse_pollhandle *ph)
{
	struct events_reader *r;
	unsigned revents = 0;

	pthread_mutex_lock(&ev->lock);
	r = *find(ev, fi->fh);
	if (r) {
		if (ph) {
			/* one handle per file is enough: the newest */
			if (r->ph)
				fuse_pollhandle_destroy(r->ph);
			r->ph = ph;
			ph = NULL;
		}
		if (eventlog_ready(&r->log))
			revents = POLLIN | POLLRDNORM;
	}
	pthread_mutex_unlock(&ev->lock);
	if (ph)
		fuse_pollhandle_destroy(ph);
	if (r)
		fuse_reply_poll(req, revents);
	else
		fuse_reply_err(req, EBADF);
}

void events_release(struct events *ev, uint64_t fh)
{
	struct events_reader **p, *r;

	pthread_mutex_lock(&ev->lock);
	p = find(ev, fh);
	r = *p;
	if (r) {
		*p = r->next;
		if (!--ev->n_readers)
			pthread_cond_broadcast(&ev->wake);
		drop_reader(ev, r);
	}
	pthread_mutex_unlock(&ev->lock);
}

void events_shutdown(struct events *ev)
{
	struct held_snapshot *last;
	struct events_reader *r;
	bool joinable;

	pthread_mutex_lock(&ev->lock);
	ev->stopping = true;
	pthread_cond_broadcast(&ev->wake);
	joinable = ev->joinable;
	ev->joinable = false;
	pthread_mutex_unlock(&ev->lock);
	if (joinable)
		pthread_join(ev->thread, NULL);
	pthread_mutex_lock(&ev->lock);
	while ((r = ev->readers)) {
		ev->readers = r->next;
		drop_reader(ev, r);
	}
	ev->n_readers = 0;
	last = ev->last;
	ev->last = NULL;
	pthread_mutex_unlock(&ev->lock);
	snapcache_release(last);
}

void events_destroy(struct events *ev)
{
	events_shutdown(ev);
	pthread_mutex_destroy(&ev->lock);
	pthread_cond_destroy(&ev->wake);
}
