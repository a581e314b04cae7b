/* ipc_snapshot_diff on hand-made snapshots: endpoints that appear and
 * vanish, peers gained and lost, a reused pid, an fd number reused on
 * another object; the MNT/events lines made of the changes
 * (render_event): time, escaping, the peers a reader is shown; and their
 * fan-out to readers (fanout.c), rendered once per distinct viewer:
 * render_event is wrapped at link time to count its calls. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "../fs/fanout.h"
#include "../fs/render.h"
#include "ipcfs/snapshot.h"

#define MAX_EPS 16
#define MAX_LINKS 32

/* A snapshot made by hand: endpoints added in snapshot order (by pid,
 * then fd), links between them, then fake_done fills the arrays. */
struct fake {
	struct ipc_snapshot snap;
	struct ipc_process procs[MAX_EPS];
	struct ipc_endpoint eps[MAX_EPS];
	uint32_t peers[2 * MAX_LINKS];
	uint32_t links[MAX_LINKS][2];
	size_t n_links;
};

static uint32_t fake_ep(struct fake *f, pid_t pid, uint64_t start, enum ipc_kind kind, int fd,
			uint64_t object)
{
	struct ipc_snapshot *s = &f->snap;
	struct ipc_process *proc = s->n_processes ? &f->procs[s->n_processes - 1] : NULL;
	struct ipc_endpoint *ep = &f->eps[s->n_endpoints];

	assert_true(s->n_endpoints < MAX_EPS);
	if (!proc || proc->pid != pid) {
		assert_true(!proc || proc->pid < pid);
		proc = &f->procs[s->n_processes++];
		*proc = (struct ipc_process){ .pid = pid, .start_time = start, .comm = "x",
					      .first_endpoint = (uint32_t)s->n_endpoints };
	}
	proc->n_endpoints++;
	*ep = (struct ipc_endpoint){ .process = (uint32_t)(proc - f->procs), .kind = (uint8_t)kind,
				     .fd = fd, .id = object, .object = { 0, object } };
	snprintf(ep->name, sizeof(ep->name), "%d", fd);
	return (uint32_t)s->n_endpoints++;
}

static void fake_link(struct fake *f, uint32_t a, uint32_t b)
{
	assert_true(f->n_links < MAX_LINKS);
	f->links[f->n_links][0] = a;
	f->links[f->n_links++][1] = b;
}

/* Each endpoint's peers, ascending (snapshot order). */
static void fake_done(struct fake *f)
{
	struct ipc_snapshot *s = &f->snap;
	uint32_t e, other;
	size_t l;

	s->processes = f->procs;
	s->endpoints = f->eps;
	s->peers = f->peers;
	for (e = 0; e < s->n_endpoints; e++) {
		f->eps[e].first_peer = (uint32_t)s->n_peers;
		for (other = 0; other < s->n_endpoints; other++)
			for (l = 0; l < f->n_links; l++)
				if ((f->links[l][0] == e && f->links[l][1] == other) ||
				    (f->links[l][1] == e && f->links[l][0] == other)) {
					f->peers[s->n_peers++] = other;
					f->eps[e].n_peers++;
					break;
				}
	}
}

/* The changes, one line each: "<sign> <pid>/<start>:<name> <peers>", the
 * sign followed by p for a change of peers only. */
static char out[4096];

static int note(void *ctx, const struct ipc_change *c)
{
	const struct ipc_process *proc = ipc_endpoint_process(c->snap, c->ep);
	size_t i, len = strlen(out);

	(void)ctx;
	len += (size_t)snprintf(out + len, sizeof(out) - len, "%c%s %d/%llu:%s", c->sign,
				c->whole ? "" : "p", proc->pid,
				(unsigned long long)proc->start_time, c->ep->name);
	for (i = 0; i < c->n_peers; i++) {
		const struct ipc_endpoint *peer = &c->snap->endpoints[c->peers[i]];

		len += (size_t)snprintf(out + len, sizeof(out) - len, "%s%d:%s", i ? "," : " ",
					ipc_endpoint_process(c->snap, peer)->pid, peer->name);
	}
	if (!c->n_peers)
		len += (size_t)snprintf(out + len, sizeof(out) - len, " -");
	snprintf(out + len, sizeof(out) - len, "\n");
	return 0;
}

static const char *diff(const struct fake *old, const struct fake *new)
{
	out[0] = '\0';
	assert_int_equal(ipc_snapshot_diff(old ? &old->snap : NULL, &new->snap, note, NULL), 0);
	return out;
}

/* A pipe between pids 10 (fd 3) and 20 (fd 4), and a lone eventfd of 20. */
static void pipe_pair(struct fake *f, bool linked)
{
	uint32_t a = fake_ep(f, 10, 100, IPC_PIPE, 3, 7);
	uint32_t b = fake_ep(f, 20, 200, IPC_PIPE, 4, 7);

	fake_ep(f, 20, 200, IPC_EVENTFD, 5, 9);
	if (linked)
		fake_link(f, a, b);
	fake_done(f);
}

static void test_appear_and_vanish(void **state)
{
	struct fake empty = {0}, full = {0};

	(void)state;
	fake_done(&empty);
	pipe_pair(&full, true);
	assert_string_equal(diff(&empty, &full),
			    "+ 10/100:3 20:4\n"
			    "+ 20/200:4 10:3\n"
			    "+ 20/200:5 -\n");
	assert_string_equal(diff(NULL, &full), out);
	assert_string_equal(diff(&full, &empty),
			    "- 10/100:3 20:4\n"
			    "- 20/200:4 10:3\n"
			    "- 20/200:5 -\n");
	assert_string_equal(diff(&full, &full), "");
}

static void test_peer_gained_and_lost(void **state)
{
	struct fake apart = {0}, linked = {0};

	(void)state;
	pipe_pair(&apart, false);
	pipe_pair(&linked, true);
	assert_string_equal(diff(&apart, &linked),
			    "+p 10/100:3 20:4\n"
			    "+p 20/200:4 10:3\n");
	assert_string_equal(diff(&linked, &apart),
			    "-p 10/100:3 20:4\n"
			    "-p 20/200:4 10:3\n");
}

/* Only the peers that changed are named; a listener keeps one client and
 * swaps another. */
static void test_only_changed_peers(void **state)
{
	struct fake old = {0}, new = {0};
	uint32_t l, c1, c2, c3;

	(void)state;
	l = fake_ep(&old, 10, 100, IPC_UNIX, 3, 50);
	c1 = fake_ep(&old, 20, 200, IPC_UNIX, 3, 51);
	c2 = fake_ep(&old, 30, 300, IPC_UNIX, 3, 52);
	fake_link(&old, l, c1);
	fake_link(&old, l, c2);
	fake_done(&old);
	l = fake_ep(&new, 10, 100, IPC_UNIX, 3, 50);
	c1 = fake_ep(&new, 20, 200, IPC_UNIX, 3, 51);
	c3 = fake_ep(&new, 40, 400, IPC_UNIX, 3, 53);
	fake_link(&new, l, c1);
	fake_link(&new, l, c3);
	fake_done(&new);
	assert_string_equal(diff(&old, &new),
			    "-p 10/100:3 30:3\n"
			    "+p 10/100:3 40:3\n"
			    "- 30/300:3 10:3\n"
			    "+ 40/400:3 10:3\n");
}

/* Pid 20 ended and another process got its pid, with the same fd on the
 * same kind of object: another endpoint, and another peer of pid 10. */
static void test_pid_reuse(void **state)
{
	struct fake old = {0}, new = {0};
	uint32_t a, b;

	(void)state;
	pipe_pair(&old, true);
	a = fake_ep(&new, 10, 100, IPC_PIPE, 3, 7);
	b = fake_ep(&new, 20, 900, IPC_PIPE, 4, 7);
	fake_link(&new, a, b);
	fake_ep(&new, 20, 900, IPC_EVENTFD, 5, 9);
	fake_done(&new);
	assert_string_equal(diff(&old, &new),
			    "-p 10/100:3 20:4\n"
			    "+p 10/100:3 20:4\n"
			    "- 20/200:4 10:3\n"
			    "- 20/200:5 -\n"
			    "+ 20/900:4 10:3\n"
			    "+ 20/900:5 -\n");
}

/* fd 5 of pid 20 closed and reopened on another eventfd between two
 * builds: it vanished, then another appeared, in that order. */
static void test_fd_reused(void **state)
{
	struct fake old = {0}, new = {0};
	uint32_t a, b;

	(void)state;
	pipe_pair(&old, true);
	a = fake_ep(&new, 10, 100, IPC_PIPE, 3, 7);
	b = fake_ep(&new, 20, 200, IPC_PIPE, 4, 7);
	fake_ep(&new, 20, 200, IPC_EVENTFD, 5, 2);	/* sorts before the old object 9 */
	fake_link(&new, a, b);
	fake_done(&new);
	assert_string_equal(diff(&old, &new),
			    "- 20/200:5 -\n"
			    "+ 20/200:5 -\n");
}

/* A peer whose fd now reaches another object is another peer. */
static void test_peer_fd_reused(void **state)
{
	struct fake old = {0}, new = {0};

	(void)state;
	pipe_pair(&old, true);
	fake_ep(&new, 10, 100, IPC_PIPE, 3, 7);
	fake_link(&new, fake_ep(&new, 10, 100, IPC_PIPE, 4, 7), 0);
	fake_ep(&new, 20, 200, IPC_PIPE, 4, 8);
	fake_ep(&new, 20, 200, IPC_EVENTFD, 5, 9);
	fake_done(&new);
	assert_string_equal(diff(&old, &new),
			    "-p 10/100:3 20:4\n"
			    "+p 10/100:3 10:4\n"
			    "+ 10/100:4 10:3\n"
			    "- 20/200:4 10:3\n"
			    "+ 20/200:4 -\n");
}

static int stop_at_second(void *ctx, const struct ipc_change *c)
{
	int *calls = ctx;

	(void)c;
	return ++*calls == 2 ? 42 : 0;
}

static void test_callback_stops(void **state)
{
	struct fake full = {0};
	int calls = 0;

	(void)state;
	pipe_pair(&full, true);
	assert_int_equal(ipc_snapshot_diff(NULL, &full.snap, stop_at_second, &calls), 42);
	assert_int_equal(calls, 2);
}


/* ---- the events lines ---------------------------------------------------- */

struct rendering {
	const struct ipc_peer_view *view;
	const struct timespec *when;
	struct textbuf detail, out;
	int shown;
};

static int render(void *ctx, const struct ipc_change *c)
{
	struct rendering *r = ctx;

	r->shown += render_event(r->when, c, r->view, &r->detail, &r->out);
	return 0;
}

/* The lines of the changes from old to new as view shows them; how many
 * changes made a line in *shown. */
static char *lines(const struct fake *old, const struct fake *new,
		   const struct ipc_peer_view *view, int *shown)
{
	struct rendering r = { .view = view, .when = &new->snap.built };
	size_t len;
	char *text;

	textbuf_init(&r.detail);
	textbuf_init(&r.out);
	textbuf_puts(&r.out, "");	/* an empty text is "" too */
	assert_int_equal(ipc_snapshot_diff(old ? &old->snap : NULL, &new->snap, render, &r), 0);
	assert_int_equal(r.out.error, 0);
	textbuf_free(&r.detail);
	*shown = r.shown;
	text = textbuf_steal(&r.out, &len);
	return text;
}

static bool hides_20(const void *ctx, const struct ipc_process *proc)
{
	(void)ctx;
	return proc->pid != 20;
}

static const struct ipc_peer_view without_20 = { .shows = hides_20 };

/* TIME is the newer snapshot's, nanoseconds in 9 digits; fields escaped
 * as in channels (a space and a tab in a name). */
static void test_event_lines(void **state)
{
	struct fake old = {0}, new = {0};
	char *text;
	int shown;

	(void)state;
	pipe_pair(&old, false);
	old.snap.built = (struct timespec){ 1700000000, 999999999 };
	pipe_pair(&new, true);
	new.procs[0].comm = "a b\tc";
	new.snap.built = (struct timespec){ 1700000001, 5 };
	text = lines(&old, &new, NULL, &shown);
	assert_string_equal(text,
			    "1700000001.000000005\t+\tpipes\t10\ta\\040b\\011c\t3\t20:4\t-\n"
			    "1700000001.000000005\t+\tpipes\t20\tx\t4\t10:3\t-\n");
	assert_int_equal(shown, 2);
	free(text);
	/* a '-' line has the time of the snapshot that saw it gone */
	text = lines(&new, &old, NULL, &shown);
	assert_string_equal(text,
			    "1700000000.999999999\t-\tpipes\t10\ta\\040b\\011c\t3\t20:4\t-\n"
			    "1700000000.999999999\t-\tpipes\t20\tx\t4\t10:3\t-\n");
	free(text);
}

/* A reader not shown process 20: an endpoint that comes with a peer there
 * is shown without it; a change of peers only there is no line at all. */
static void test_event_hidden_peers(void **state)
{
	struct fake apart = {0}, linked = {0}, eventfd = {0};
	char *text;
	int shown;

	(void)state;
	pipe_pair(&linked, true);
	/* (the eventfd there before: a made-up one has no details to show) */
	fake_ep(&eventfd, 20, 200, IPC_EVENTFD, 5, 9);
	fake_done(&eventfd);
	text = lines(&eventfd, &linked, &without_20, &shown);
	assert_string_equal(text,
			    "0.000000000\t+\tpipes\t10\tx\t3\t-\t-\n"
			    "0.000000000\t+\tpipes\t20\tx\t4\t10:3\t-\n");
	free(text);
	pipe_pair(&apart, false);
	text = lines(&apart, &linked, &without_20, &shown);
	assert_string_equal(text, "0.000000000\t+\tpipes\t20\tx\t4\t10:3\t-\n");
	assert_int_equal(shown, 1);
	free(text);
}

/* ---- the fan-out to readers --------------------------------------------- */

static int renders;

bool __real_render_event(const struct timespec *when, const struct ipc_change *change,
			 const struct ipc_peer_view *view, struct textbuf *detail,
			 struct textbuf *tb);

bool __wrap_render_event(const struct timespec *when, const struct ipc_change *change,
			 const struct ipc_peer_view *view, struct textbuf *detail,
			 struct textbuf *tb)
{
	renders++;
	return __real_render_event(when, change, view, detail, tb);
}

static int fan(void *ctx, const struct ipc_change *c)
{
	assert_false(fanout_change(ctx, c));	/* a few lines: kept to the end */
	return 0;
}

/* What a reader's backlog holds, as one string. */
static const char *backlog(struct eventlog *log)
{
	out[eventlog_read(log, out, sizeof(out) - 1)] = '\0';
	return out;
}

/* A pipe between pid 10 (uid 1000's) and pid 20 (root's). */
static void owned_pair(struct fake *f)
{
	uint32_t a = fake_ep(f, 10, 100, IPC_PIPE, 3, 7);

	fake_link(f, a, fake_ep(f, 20, 200, IPC_PIPE, 4, 7));
	fake_done(f);
	f->procs[0].fd_owner = 1000;
	f->procs[0].fd_mode = 0500;
	f->procs[1].fd_mode = 0500;
	f->snap.built = (struct timespec){ 1700000002, 7 };
}

/* Six readers, four viewers: two roots (another gid changes nothing), two
 * of uid 1000, uid 1000 under hidepid, uid 1001.  Each change is rendered
 * once per viewer that may enter its process (4 times, not 7), and every
 * reader gets what it would get rendered for it alone. */
static void test_fanout_once_per_viewer(void **state)
{
	static const struct viewer viewers[] = {
		{ .uid = 0 }, { .uid = 0, .gid = 5 },
		{ .uid = 1000, .gid = 1000 }, { .uid = 1000, .gid = 1000 },
		{ .uid = 1000, .gid = 1000, .hides = true }, { .uid = 1001, .gid = 1001 },
	};
	enum { N = sizeof(viewers) / sizeof(viewers[0]) };
	static const char *const want[N] = {
		"1700000002.000000007\t+\tpipes\t10\tx\t3\t20:4\t-\n"
		"1700000002.000000007\t+\tpipes\t20\tx\t4\t10:3\t-\n",
		"1700000002.000000007\t+\tpipes\t10\tx\t3\t20:4\t-\n"
		"1700000002.000000007\t+\tpipes\t20\tx\t4\t10:3\t-\n",
		"1700000002.000000007\t+\tpipes\t10\tx\t3\t20:4\t-\n",
		"1700000002.000000007\t+\tpipes\t10\tx\t3\t20:4\t-\n",
		"1700000002.000000007\t+\tpipes\t10\tx\t3\t-\t-\n",
		"",
	};
	struct fake empty = {0}, pair = {0};
	struct eventlog logs[N];
	struct fanout f;
	size_t index[N], i;

	(void)state;
	fake_done(&empty);
	owned_pair(&pair);
	fanout_init(&f);
	assert_int_equal(fanout_begin(&f, &pair.snap.built, N), 0);
	for (i = 0; i < N; i++) {
		index[i] = fanout_viewer(&f, &viewers[i]);
		assert_int_equal(eventlog_init(&logs[i]), 0);
	}
	assert_int_equal(index[1], index[0]);
	assert_int_equal(index[3], index[2]);
	assert_true(index[0] != index[2] && index[2] != index[4] && index[4] != index[5] &&
		    index[0] != index[4] && index[0] != index[5] && index[2] != index[5]);
	renders = 0;
	assert_int_equal(ipc_snapshot_diff(&empty.snap, &pair.snap, fan, &f), 0);
	assert_int_equal(renders, 2 + 1 + 1);
	for (i = 0; i < N; i++)
		fanout_deliver(&f, index[i], &logs[i]);
	fanout_clear(&f);
	for (i = 0; i < N; i++)
		assert_string_equal(backlog(&logs[i]), want[i]);
	/* delivered once: cleared, nothing more; the next diff's viewers are
	 * its own */
	fanout_deliver(&f, index[0], &logs[0]);
	assert_false(eventlog_ready(&logs[0]));
	pair.snap.built.tv_sec++;
	assert_int_equal(fanout_begin(&f, &pair.snap.built, 1), 0);
	assert_int_equal(fanout_viewer(&f, &viewers[4]), 0);
	assert_int_equal(ipc_snapshot_diff(&pair.snap, &empty.snap, fan, &f), 0);
	fanout_deliver(&f, 0, &logs[4]);
	assert_string_equal(backlog(&logs[4]), "1700000003.000000007\t-\tpipes\t10\tx\t3\t-\t-\n");
	for (i = 0; i < N; i++)
		eventlog_free(&logs[i]);
	fanout_free(&f);
}

/* The lines kept are to be delivered once they fill a backlog: a diff of
 * any size costs bounded memory. */
static void test_fanout_keeps_a_backlog(void **state)
{
	static const struct viewer root = { .uid = 0 };
	struct fake pair = {0};
	struct ipc_change c;
	struct eventlog log;
	struct fanout f;
	size_t i, len = 0;

	(void)state;
	owned_pair(&pair);
	c = (struct ipc_change){ .sign = '+', .whole = true, .snap = &pair.snap,
				 .ep = &pair.eps[0], .peers = pair.peers, .n_peers = 1 };
	fanout_init(&f);
	assert_int_equal(fanout_begin(&f, &pair.snap.built, 1), 0);
	fanout_viewer(&f, &root);
	for (i = 1; i < FANOUT_KEEP_LINES; i++)
		assert_false(fanout_change(&f, &c));
	assert_true(fanout_change(&f, &c));
	assert_int_equal(eventlog_init(&log), 0);
	fanout_deliver(&f, 0, &log);
	fanout_clear(&f);
	while (eventlog_ready(&log))
		len += eventlog_read(&log, out, sizeof(out));
	assert_int_equal(len, FANOUT_KEEP_LINES * strlen("1700000002.000000007\t+\tpipes\t10\tx\t3\t20:4\t-\n"));
	eventlog_free(&log);
	fanout_free(&f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_appear_and_vanish),
		cmocka_unit_test(test_peer_gained_and_lost),
		cmocka_unit_test(test_only_changed_peers),
		cmocka_unit_test(test_pid_reuse),
		cmocka_unit_test(test_fd_reused),
		cmocka_unit_test(test_peer_fd_reused),
		cmocka_unit_test(test_callback_stops),
		cmocka_unit_test(test_event_lines),
		cmocka_unit_test(test_event_hidden_peers),
		cmocka_unit_test(test_fanout_once_per_viewer),
		cmocka_unit_test(test_fanout_keeps_a_backlog),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
