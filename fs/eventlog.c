#include "eventlog.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* lost_before: lines lost just before this one, said in a "lost N" line
 * when this one comes to be read. */
struct eventlog_line {
	uint64_t lost_before;
	size_t len;
	char text[];
};

int eventlog_init(struct eventlog *log)
{
	*log = (struct eventlog){0};
	log->ring = calloc(EVENTLOG_MAX_LINES, sizeof(*log->ring));
	return log->ring ? 0 : -ENOMEM;
}

static struct eventlog_line **slot(struct eventlog *log, size_t i)
{
	return &log->ring[(log->head + i) % EVENTLOG_MAX_LINES];
}

void eventlog_free(struct eventlog *log)
{
	size_t i;

	for (i = 0; i < log->n; i++)
		free(*slot(log, i));
	free(log->ring);
	log->ring = NULL;
	log->n = 0;
}

/* Drops the oldest line not begun (a line partly read is finished first);
 * its loss, and those before it, pass to the line after it.  False when
 * there is none. */
static bool drop_oldest(struct eventlog *log)
{
	size_t i = log->offset ? 1 : 0;
	struct eventlog_line *line;
	uint64_t lost;

	if (i >= log->n)
		return false;
	line = *slot(log, i);
	lost = line->lost_before + 1;
	log->bytes -= line->len;
	free(line);
	if (i == 1)
		*slot(log, 1) = *slot(log, 0);
	log->head = (log->head + 1) % EVENTLOG_MAX_LINES;
	log->n--;
	if (i < log->n)
		(*slot(log, i))->lost_before += lost;
	else
		log->lost_tail += lost;
	return true;
}

void eventlog_lose(struct eventlog *log, uint64_t n)
{
	log->lost_tail += n;
}

void eventlog_push(struct eventlog *log, const char *text, size_t len)
{
	struct eventlog_line *line = NULL;

	if (len <= EVENTLOG_MAX_BYTES) {
		while ((log->n == EVENTLOG_MAX_LINES || log->bytes + len > EVENTLOG_MAX_BYTES) &&
		       drop_oldest(log))
			;
		if (log->n < EVENTLOG_MAX_LINES && log->bytes + len <= EVENTLOG_MAX_BYTES)
			line = malloc(sizeof(*line) + len);
	}
	if (!line) {
		eventlog_lose(log, 1);
		return;
	}
	line->lost_before = log->lost_tail;
	line->len = len;
	memcpy(line->text, text, len);
	log->lost_tail = 0;
	*slot(log, log->n++) = line;
	log->bytes += len;
}

bool eventlog_ready(const struct eventlog *log)
{
	return log->marker_off < log->marker_len || log->n || log->lost_tail;
}

static void start_marker(struct eventlog *log, uint64_t lost)
{
	log->marker_len = (size_t)snprintf(log->marker, sizeof(log->marker), "lost %llu\n",
					   (unsigned long long)lost);
	log->marker_off = 0;
}

static size_t copy(char *buf, size_t room, const char *from, size_t len)
{
	size_t n = len < room ? len : room;

	memcpy(buf, from, n);
	return n;
}

size_t eventlog_read(struct eventlog *log, char *buf, size_t size)
{
	struct eventlog_line *line;
	size_t done = 0, n;

	while (done < size) {
		if (log->marker_off < log->marker_len) {
			n = copy(buf + done, size - done, log->marker + log->marker_off,
				 log->marker_len - log->marker_off);
			log->marker_off += n;
			done += n;
			continue;
		}
		if (!log->n) {
			if (!log->lost_tail)
				break;
			start_marker(log, log->lost_tail);
			log->lost_tail = 0;
			continue;
		}
		line = *slot(log, 0);
		if (!log->offset && line->lost_before) {
			start_marker(log, line->lost_before);
			line->lost_before = 0;
			continue;
		}
		n = copy(buf + done, size - done, line->text + log->offset, line->len - log->offset);
		log->offset += n;
		done += n;
		if (log->offset == line->len) {
			log->bytes -= line->len;
			free(line);
			log->head = (log->head + 1) % EVENTLOG_MAX_LINES;
			log->n--;
			log->offset = 0;
		}
	}
	return done;
}
