#include "render.h"

#include <pthread.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>

#define FIELD_BELOW 0x21

static void put_escaped(struct textbuf *tb, const char *s, unsigned char below)
{
	textbuf_escaped(tb, s, strlen(s), below);
}

void render_line(const char *value, struct textbuf *tb)
{
	put_escaped(tb, value ? value : "-", 0x20);
	textbuf_puts(tb, "\n");
}

/* KIND PID COMM NAME, tab-separated: the start of a channels row and the
 * endpoint's part of an events line. */
static void put_endpoint_fields(const struct ipc_process *proc, const struct ipc_endpoint *ep,
				struct textbuf *tb)
{
	textbuf_puts(tb, ipc_kind_dir(ep->kind));
	textbuf_puts(tb, "\t");
	textbuf_put_u64(tb, (uint64_t)proc->pid);
	textbuf_puts(tb, "\t");
	put_escaped(tb, proc->comm, FIELD_BELOW);
	textbuf_puts(tb, "\t");
	put_escaped(tb, ep->name, FIELD_BELOW);
}

/* The DETAIL field and the end of the line; detail is scratch. */
static void put_detail(const struct ipc_snapshot *snap, const struct ipc_endpoint *ep,
		       struct textbuf *detail, struct textbuf *tb)
{
	detail->len = 0;
	ipc_endpoint_detail(snap, ep, detail);
	if (detail->len)
		textbuf_escaped(tb, detail->data, detail->len, FIELD_BELOW);
	else
		textbuf_puts(tb, "-");
	textbuf_puts(tb, "\n");
}

static void render_channels_rows(const struct ipc_snapshot *snap, const struct ipc_process *proc,
				 const struct ipc_peer_view *view, struct textbuf *detail,
				 struct textbuf *tb)
{
	uint32_t i;

	for (i = 0; i < proc->n_endpoints; i++) {
		const struct ipc_endpoint *ep = &snap->endpoints[proc->first_endpoint + i];

		put_endpoint_fields(proc, ep, tb);
		textbuf_puts(tb, "\t");
		textbuf_puts(tb, ipc_access_text(ep->access));
		textbuf_puts(tb, "\t");
		textbuf_put_u64(tb, ep->id);
		textbuf_puts(tb, "\t");
		ipc_peers_text(snap, snap->peers + ep->first_peer, ep->n_peers, view, ",",
			       FIELD_BELOW, tb);
		textbuf_puts(tb, "\t");
		put_detail(snap, ep, detail, tb);
	}
}

/* channels.json's objects, each on its own line, separated by ",\n". */
static void render_json_rows(const struct ipc_snapshot *snap, const struct ipc_process *proc,
			     const struct ipc_peer_view *view, struct textbuf *tb)
{
	uint32_t i;

	for (i = 0; i < proc->n_endpoints; i++) {
		if (tb->len)
			textbuf_puts(tb, ",\n");
		ipc_endpoint_json(snap, &snap->endpoints[proc->first_endpoint + i], view, tb);
	}
}

/* One thread's share of a table: the rows of processes [first, end). */
struct table_part {
	const struct table_request *request;
	const struct ipc_process *first, *end;
	struct textbuf rows;
};

static void *render_part(void *arg)
{
	struct table_part *part = arg;
	const struct table_request *rq = part->request;
	const struct ipc_process *proc;
	struct textbuf detail;

	textbuf_init(&detail);
	for (proc = part->first; proc < part->end; proc++) {
		if (rq->admits && !rq->admits(rq->ctx, proc))
			continue;
		if (rq->json)
			render_json_rows(rq->snap, proc, rq->view, &part->rows);
		else
			render_channels_rows(rq->snap, proc, rq->view, &detail, &part->rows);
	}
	textbuf_free(&detail);
	return NULL;
}

#define TABLE_THREADS_MAX 4	/* past that, the copy into one buffer gains on them */
#define TABLE_ROWS_PER_THREAD 8192	/* fewer cost less than a thread */

/* How many parts [first, end) is rendered in: one per per_part rows, at
 * most one per process, CPU and TABLE_THREADS_MAX; *rows is set to the
 * rows in it.  The CPUs are counted only for a table that could split. */
static size_t count_parts(const struct table_request *rq, size_t *rows)
{
	size_t per_part = rq->rows_per_part ? rq->rows_per_part : TABLE_ROWS_PER_THREAD;
	size_t processes = (size_t)(rq->end - rq->first), n = 1;
	const struct ipc_process *proc;
	long cpus;

	*rows = 0;
	for (proc = rq->first; proc < rq->end; proc++)
		*rows += proc->n_endpoints;
	if (processes < 2 || *rows < 2 * per_part)
		return 1;
	cpus = rq->parts_max ? (long)rq->parts_max : sysconf(_SC_NPROCESSORS_ONLN);
	while ((long)n < cpus && n < TABLE_THREADS_MAX && n < processes &&
	       (n + 1) * per_part <= *rows)
		n++;
	return n;
}

/* Splits [first, end) into n parts of about the same number of rows. */
static void split_table(const struct table_request *rq, size_t rows, size_t n,
			struct table_part *parts)
{
	const struct ipc_process *proc = rq->first;
	size_t share = rows / n + 1, sum = 0, k;

	for (k = 0; k < n; k++) {
		parts[k] = (struct table_part){ .request = rq, .first = proc };
		textbuf_init(&parts[k].rows);
		for (; proc < rq->end && (k + 1 == n || sum < share * (k + 1)); proc++)
			sum += proc->n_endpoints;
		parts[k].end = proc;
	}
}

/* The table's rows on several threads when it is large: a table of 40k
 * rows costs a tenth of the build it shows, on one thread. */
void render_table(const struct table_request *rq, struct textbuf *tb)
{
	struct table_part parts[TABLE_THREADS_MAX];
	pthread_t threads[TABLE_THREADS_MAX];
	size_t rows, n = count_parts(rq, &rows), started = 1, k;
	sigset_t all, old;

	split_table(rq, rows, n, parts);
	if (n > 1) {
		/* Signals stay with the daemon's own threads. */
		sigfillset(&all);
		pthread_sigmask(SIG_SETMASK, &all, &old);
		while (started < n && pthread_create(&threads[started], NULL, render_part,
						     &parts[started]) == 0)
			started++;
		pthread_sigmask(SIG_SETMASK, &old, NULL);
	}
	/* This thread takes the first part and any whose thread did not
	 * start. */
	render_part(&parts[0]);
	for (k = started; k < n; k++)
		render_part(&parts[k]);
	for (k = 1; k < started; k++)
		pthread_join(threads[k], NULL);

	textbuf_puts(tb, rq->json ? "[\n" : "KIND\tPID\tCOMM\tNAME\tACCESS\tID\tPEERS\tDETAIL\n");
	for (k = 0; k < n; k++) {
		if (parts[k].rows.error && !tb->error)
			tb->error = parts[k].rows.error;
		/* a part with no row has no buffer at all */
		if (parts[k].rows.len) {
			if (rq->json && tb->len > 2)
				textbuf_puts(tb, ",\n");
			textbuf_append(tb, parts[k].rows.data, parts[k].rows.len);
		}
		textbuf_free(&parts[k].rows);
	}
	if (rq->json)
		textbuf_puts(tb, tb->len > 2 ? "\n]\n" : "]\n");
}

bool render_event(const struct timespec *when, const struct ipc_change *change,
		  const struct ipc_peer_view *view, struct textbuf *detail, struct textbuf *tb)
{
	size_t start = tb->len, shown;

	textbuf_printf(tb, "%lld.%09ld\t%c\t", (long long)when->tv_sec, when->tv_nsec,
		       change->sign);
	put_endpoint_fields(ipc_endpoint_process(change->snap, change->ep), change->ep, tb);
	textbuf_puts(tb, "\t");
	shown = ipc_peers_text(change->snap, change->peers, change->n_peers, view, ",",
			       FIELD_BELOW, tb);
	if (!change->whole && !shown) {
		tb->len = start;
		return false;
	}
	textbuf_puts(tb, "\t");
	put_detail(change->snap, change->ep, detail, tb);
	return true;
}
