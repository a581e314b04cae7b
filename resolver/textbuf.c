#include "ipcfs/textbuf.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "array.h"

void textbuf_init(struct textbuf *tb)
{
	*tb = (struct textbuf){0};
}

void textbuf_free(struct textbuf *tb)
{
	free(tb->data);
	textbuf_init(tb);
}

char *textbuf_steal(struct textbuf *tb, size_t *len)
{
	char *data = tb->data;

	*len = tb->len;
	textbuf_init(tb);
	return data;
}

static int reserve(struct textbuf *tb, size_t extra)
{
	if (tb->error)
		return tb->error;
	if (extra > TEXTBUF_MAX - tb->len)
		return tb->error = -E2BIG;
	if (array_reserve(tb->data, tb->cap, tb->len + extra + 1) < 0)
		return tb->error = -ENOMEM;
	return 0;
}

void textbuf_append(struct textbuf *tb, const char *s, size_t n)
{
	if (reserve(tb, n) < 0)
		return;
	memcpy(tb->data + tb->len, s, n);
	tb->len += n;
	tb->data[tb->len] = '\0';
}

void textbuf_puts(struct textbuf *tb, const char *s)
{
	textbuf_append(tb, s, strlen(s));
}

/* Printed straight into the free room, and a second time only when it did
 * not fit: measuring first doubled printf's cost in a table of 70k rows. */
void textbuf_printf(struct textbuf *tb, const char *fmt, ...)
{
	size_t room = tb->data ? tb->cap - tb->len : 0;	/* the NUL's byte included */
	va_list ap;
	int n;

	if (tb->error)
		return;
	va_start(ap, fmt);
	n = vsnprintf(room ? tb->data + tb->len : NULL, room, fmt, ap);
	va_end(ap);
	if (n >= 0 && (size_t)n < room && (size_t)n <= TEXTBUF_MAX - tb->len) {
		tb->len += (size_t)n;
		return;
	}
	/* A text cut short (or a failed printf) must not stay behind. */
	if (room)
		tb->data[tb->len] = '\0';
	if (n < 0 || reserve(tb, (size_t)n) < 0)
		return;
	va_start(ap, fmt);
	vsnprintf(tb->data + tb->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	tb->len += (size_t)n;
}

void textbuf_put_u64(struct textbuf *tb, uint64_t v)
{
	char digits[20], *p = digits + sizeof(digits);

	do
		*--p = (char)('0' + v % 10);
	while ((v /= 10));
	textbuf_append(tb, p, (size_t)(digits + sizeof(digits) - p));
}

static void put_octal(struct textbuf *tb, unsigned char c, bool json)
{
	/* \ooo by hand: a detail's spaces are escaped in every row. */
	char octal[5] = { '\\', '\\', (char)('0' + (c >> 6)), (char)('0' + ((c >> 3) & 7)),
			  (char)('0' + (c & 7)) };

	/* In JSON, the escape's own backslash is written \\. */
	textbuf_append(tb, octal + !json, sizeof(octal) - !json);
}

void textbuf_escaped(struct textbuf *tb, const char *s, size_t n, unsigned char below)
{
	size_t i, start = 0;

	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c >= below && c != 0x7f && c != '\\')
			continue;
		textbuf_append(tb, s + start, i - start);
		put_octal(tb, c, false);
		start = i + 1;
	}
	textbuf_append(tb, s + start, n - start);
}

/* The length of the valid UTF-8 sequence of two or more bytes at s (n
 * bytes left), or 0: Unicode's table of well-formed sequences, so no
 * overlong form, no surrogate, nothing past U+10FFFF. */
static size_t utf8_sequence(const unsigned char *s, size_t n)
{
	unsigned char lo = 0x80, hi = 0xbf;
	size_t len, i;

	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		len = 2;
	else if (s[0] >= 0xe0 && s[0] <= 0xef)
		len = 3;
	else if (s[0] >= 0xf0 && s[0] <= 0xf4)
		len = 4;
	else
		return 0;
	if (s[0] == 0xe0)
		lo = 0xa0;		/* below: overlong */
	else if (s[0] == 0xed)
		hi = 0x9f;		/* above: surrogates */
	else if (s[0] == 0xf0)
		lo = 0x90;		/* below: overlong */
	else if (s[0] == 0xf4)
		hi = 0x8f;		/* above: past U+10FFFF */
	if (n < len || s[1] < lo || s[1] > hi)
		return 0;
	for (i = 2; i < len; i++)
		if (s[i] < 0x80 || s[i] > 0xbf)
			return 0;
	return len;
}

void textbuf_json_string(struct textbuf *tb, const char *s, size_t n)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t i = 0, start = 0, len;

	textbuf_append(tb, "\"", 1);
	while (i < n) {
		if (u[i] >= 0x20 && u[i] < 0x7f && u[i] != '\\' && u[i] != '"') {
			i++;
			continue;
		}
		len = u[i] >= 0x80 ? utf8_sequence(u + i, n - i) : 0;
		if (len) {
			i += len;
			continue;
		}
		textbuf_append(tb, s + start, i - start);
		if (u[i] == '"')
			textbuf_append(tb, "\\\"", 2);
		else
			put_octal(tb, u[i], true);
		start = ++i;
	}
	textbuf_append(tb, s + start, n - start);
	textbuf_append(tb, "\"", 1);
}
