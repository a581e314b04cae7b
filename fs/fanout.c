#include "fanout.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>

#include "render.h"

/* One line of a viewer: its text ends at end in the viewer's text. */
struct fanout_line {
	size_t end;
	uint64_t lost_before;	/* lines lost just before it */
};

struct fanout_view {
	struct viewer viewer;
	struct textbuf text;	/* its lines, back to back */
	struct fanout_line *lines;
	size_t n_lines, room;
	uint64_t lost_tail;	/* lines lost after the last one kept */
};

void fanout_init(struct fanout *f)
{
	*f = (struct fanout){0};
	textbuf_init(&f->detail);
}

void fanout_clear(struct fanout *f)
{
	size_t i;

	for (i = 0; i < f->n_views; i++) {
		struct fanout_view *v = &f->views[i];

		textbuf_free(&v->text);
		free(v->lines);
		v->lines = NULL;
		v->n_lines = v->room = 0;
		v->lost_tail = 0;
	}
	f->kept_bytes = f->kept_lines = 0;
}

void fanout_free(struct fanout *f)
{
	fanout_clear(f);
	free(f->views);
	textbuf_free(&f->detail);
	*f = (struct fanout){0};
}

int fanout_begin(struct fanout *f, const struct timespec *when, size_t max_viewers)
{
	struct fanout_view *views;

	fanout_clear(f);
	f->n_views = 0;
	f->when = when;
	if (max_viewers > f->room) {
		views = reallocarray(f->views, max_viewers, sizeof(*views));
		if (!views)
			return -ENOMEM;
		f->views = views;
		f->room = max_viewers;
	}
	return 0;
}

size_t fanout_viewer(struct fanout *f, const struct viewer *v)
{
	size_t i;

	for (i = 0; i < f->n_views; i++)
		if (viewer_same(&f->views[i].viewer, v))
			return i;
	f->views[i] = (struct fanout_view){ .viewer = *v };
	textbuf_init(&f->views[i].text);
	f->n_views++;
	return i;
}

/* Keeps the line rendered at start in v's text; false when it could not
 * (no memory), the text then as before it. */
static bool keep_line(struct fanout_view *v, size_t start)
{
	struct fanout_line *lines;
	size_t room;

	if (v->text.error) {
		v->text.error = 0;
		v->text.len = start;
		return false;
	}
	if (v->n_lines == v->room) {
		room = v->room ? 2 * v->room : 64;
		lines = reallocarray(v->lines, room, sizeof(*lines));
		if (!lines) {
			v->text.len = start;
			return false;
		}
		v->lines = lines;
		v->room = room;
	}
	v->lines[v->n_lines++] = (struct fanout_line){ .end = v->text.len,
						       .lost_before = v->lost_tail };
	v->lost_tail = 0;
	return true;
}

bool fanout_change(struct fanout *f, const struct ipc_change *change)
{
	const struct ipc_process *proc = ipc_endpoint_process(change->snap, change->ep);
	size_t i, start;

	for (i = 0; i < f->n_views; i++) {
		struct fanout_view *v = &f->views[i];
		struct ipc_peer_view view = { .shows = viewer_shows, .ctx = &v->viewer };

		if (!viewer_may_enter(&v->viewer, proc))
			continue;
		start = v->text.len;
		if (!render_event(f->when, change, &view, &f->detail, &v->text)) {
			v->text.error = 0;	/* no line: none lost */
			continue;
		}
		if (keep_line(v, start)) {
			f->kept_bytes += v->text.len - start;
			f->kept_lines++;
		} else {
			v->lost_tail++;
		}
	}
	return f->kept_bytes >= FANOUT_KEEP_BYTES || f->kept_lines >= FANOUT_KEEP_LINES;
}

void fanout_deliver(const struct fanout *f, size_t viewer, struct eventlog *log)
{
	const struct fanout_view *v = &f->views[viewer];
	size_t i, start = 0;

	for (i = 0; i < v->n_lines; i++) {
		eventlog_lose(log, v->lines[i].lost_before);
		eventlog_push(log, v->text.data + start, v->lines[i].end - start);
		start = v->lines[i].end;
	}
	eventlog_lose(log, v->lost_tail);
}
