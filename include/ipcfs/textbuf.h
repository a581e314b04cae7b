/* A growable text buffer with a hard cap, used to render info and channels. */
#pragma once
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

struct textbuf {
	char *data;
	size_t len, cap;
	int error;	/* first -errno hit (ENOMEM, E2BIG); later writes are dropped */
};

/* Largest rendering ever kept in memory: a whole-system channels table. */
#define TEXTBUF_MAX ((size_t)256 << 20)

void textbuf_init(struct textbuf *tb);
void textbuf_free(struct textbuf *tb);
/* Hands the bytes to the caller, who frees them; tb is left empty. */
char *textbuf_steal(struct textbuf *tb, size_t *len);
void textbuf_append(struct textbuf *tb, const char *s, size_t n);
void textbuf_puts(struct textbuf *tb, const char *s);
__attribute__((format(printf, 2, 3)))
void textbuf_printf(struct textbuf *tb, const char *fmt, ...);
/* Appends v in decimal: printf's cost shows in a table of 20k rows. */
void textbuf_put_u64(struct textbuf *tb, uint64_t v);

/* Appends s with every byte below `below`, 0x7f and backslash written as
 * \ooo: below = 0x20 for info values, 0x21 for channels fields. */
void textbuf_escaped(struct textbuf *tb, const char *s, size_t n, unsigned char below);
/* Appends s as a quoted JSON string: first escaped as textbuf_escaped(0x20)
 * does, every byte that is not part of valid UTF-8 (overlong forms,
 * surrogates and code points past U+10FFFF included) also written \ooo;
 * then the backslashes and quotes of that text JSON-escaped.  So any bytes
 * make valid JSON, and different bytes never make the same string. */
void textbuf_json_string(struct textbuf *tb, const char *s, size_t n);
