/* The resolver's small helpers: /proc paths, inodes in link texts,
 * growable arrays, printing into a text buffer, JSON strings. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "../resolver/array.h"
#include "../resolver/proc_root.h"
#include "ipcfs/textbuf.h"

static void test_proc_path(void **state)
{
	char path[PROC_PATH_MAX];

	(void)state;
	assert_string_equal(proc_path(path, 42, "fdinfo", 7), "42/fdinfo/7");
	assert_string_equal(proc_path(path, 0, "stat", -1), "0/stat");
	assert_string_equal(proc_path(path, 7, NULL, -1), "7");
	assert_string_equal(proc_path(path, INT32_MAX, "ns/net", INT32_MAX),
			    "2147483647/ns/net/2147483647");
}

static void test_link_inode(void **state)
{
	(void)state;
	assert_int_equal(link_inode("pipe:[5000]", "pipe:["), 5000);
	assert_int_equal(link_inode("net:[4026531840]", "net:["), 4026531840u);
	assert_int_equal(link_inode("pipe:[5000]", "socket:["), 0);
	assert_int_equal(link_inode("pipe:[5000", "pipe:["), 0);
	assert_int_equal(link_inode("pipe:[x]", "pipe:["), 0);
	assert_int_equal(link_inode("pipe:[5]x", "pipe:["), 0);
}

/* Printed into the free room when it fits, else after growing: every
 * length around the room's edge, texts longer than a first allocation,
 * empty ones; the buffer always ends in a NUL. */
static void test_textbuf_printf(void **state)
{
	char expect[1200], piece[600];
	struct textbuf tb;
	size_t len = 0, i, n;

	(void)state;
	textbuf_init(&tb);
	textbuf_printf(&tb, "%s", "");
	assert_int_equal(tb.len, 0);
	for (n = 0; n < 600; n += 7) {
		for (i = 0; i < n; i++)
			piece[i] = (char)('a' + (i + n) % 26);
		piece[n] = '\0';
		textbuf_printf(&tb, "%s:%zu", piece, n);
		len += (size_t)snprintf(expect, sizeof(expect), "%s:%zu", piece, n);
		assert_int_equal(tb.len, len);
		assert_string_equal(tb.data + tb.len - strlen(expect), expect);
		assert_int_equal(tb.data[tb.len], '\0');
	}
	assert_int_equal(tb.error, 0);
	textbuf_free(&tb);
}

static void test_array_reserve(void **state)
{
	uint64_t *items = NULL;
	size_t cap = 0, i;

	(void)state;
	assert_int_equal(array_reserve(items, cap, 0), 0);
	assert_null(items);
	for (i = 0; i < 1000; i++) {
		assert_int_equal(array_reserve(items, cap, i + 1), 0);
		assert_true(cap >= i + 1);
		items[i] = i;
	}
	assert_true(cap < 2048);	/* doubled, not grown per item */
	for (i = 0; i < 1000; i++)
		assert_int_equal(items[i], i);
	/* A byte count past SIZE_MAX leaves the array as it was. */
	assert_int_equal(array_reserve(items, cap, SIZE_MAX / 4), -ENOMEM);
	assert_true(cap < 2048);
	assert_int_equal(items[999], 999);
	free(items);
}

static const char *json(struct textbuf *tb, const char *s, size_t n)
{
	tb->len = 0;
	textbuf_json_string(tb, s, n);
	assert_int_equal(tb->error, 0);
	return tb->data;
}

#define JSON(tb, literal) json(tb, literal, sizeof(literal) - 1)

/* Info's escaping (below 0x20, 0x7f, backslash as \ooo), every byte
 * outside valid UTF-8 as \ooo too, then JSON's \\ and \". */
static void test_json_string(void **state)
{
	struct textbuf tb;

	(void)state;
	textbuf_init(&tb);
	assert_string_equal(JSON(&tb, ""), "\"\"");
	assert_string_equal(JSON(&tb, "plain /tmp/a.sock"), "\"plain /tmp/a.sock\"");
	assert_string_equal(JSON(&tb, "say \"hi\""), "\"say \\\"hi\\\"\"");
	assert_string_equal(JSON(&tb, "a\tb\nc\rd"), "\"a\\\\011b\\\\012c\\\\015d\"");
	assert_string_equal(JSON(&tb, "back\\slash"), "\"back\\\\134slash\"");
	assert_string_equal(JSON(&tb, "nul\0x\x7f"), "\"nul\\\\000x\\\\177\"");
	/* Valid UTF-8 stays: 2, 3 and 4 bytes, the edges of each range. */
	assert_string_equal(JSON(&tb, "\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80"),
			    "\"\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80\"");
	assert_string_equal(JSON(&tb, "\xc2\x80\xdf\xbf\xe0\xa0\x80\xed\x9f\xbf\xee\x80\x80"
				      "\xf0\x90\x80\x80\xf4\x8f\xbf\xbf"),
			    "\"\xc2\x80\xdf\xbf\xe0\xa0\x80\xed\x9f\xbf\xee\x80\x80"
			    "\xf0\x90\x80\x80\xf4\x8f\xbf\xbf\"");
	/* Stray continuation bytes and bytes no sequence starts with. */
	assert_string_equal(JSON(&tb, "\x80x\xbf\xfe\xff"), "\"\\\\200x\\\\277\\\\376\\\\377\"");
	/* Overlong forms: of '/', of U+07FF, of U+FFFF. */
	assert_string_equal(JSON(&tb, "\xc0\xaf"), "\"\\\\300\\\\257\"");
	assert_string_equal(JSON(&tb, "\xc1\xbf"), "\"\\\\301\\\\277\"");
	assert_string_equal(JSON(&tb, "\xe0\x9f\xbf"), "\"\\\\340\\\\237\\\\277\"");
	assert_string_equal(JSON(&tb, "\xf0\x8f\xbf\xbf"), "\"\\\\360\\\\217\\\\277\\\\277\"");
	/* Surrogates U+D800 and U+DFFF; past U+10FFFF; F5 and up. */
	assert_string_equal(JSON(&tb, "\xed\xa0\x80"), "\"\\\\355\\\\240\\\\200\"");
	assert_string_equal(JSON(&tb, "\xed\xbf\xbf"), "\"\\\\355\\\\277\\\\277\"");
	assert_string_equal(JSON(&tb, "\xf4\x90\x80\x80"), "\"\\\\364\\\\220\\\\200\\\\200\"");
	assert_string_equal(JSON(&tb, "\xf5\x80\x80\x80"), "\"\\\\365\\\\200\\\\200\\\\200\"");
	/* Cut short, at the end and before another character: each byte
	 * escaped, what follows kept. */
	assert_string_equal(JSON(&tb, "\xe2\x82"), "\"\\\\342\\\\202\"");
	assert_string_equal(JSON(&tb, "\xe2\x82x\xf0\x9f\x98"), "\"\\\\342\\\\202x\\\\360\\\\237\\\\230\"");
	assert_string_equal(JSON(&tb, "\xe2\x82\xc3\xa9"), "\"\\\\342\\\\202\xc3\xa9\"");
	textbuf_free(&tb);
}

/* Decodes a JSON string as textbuf_json_string writes one (\\, \" and
 * no other JSON escape), then its \ooo escapes; the length, or -1. */
static long json_decode(const char *s, size_t n, char *out)
{
	size_t i;
	long o = 0;
	char *text = malloc(n + 1);
	size_t t = 0;

	assert_non_null(text);
	if (n < 2 || s[0] != '"' || s[n - 1] != '"')
		o = -1;
	for (i = 1; o >= 0 && i + 1 < n; i++) {
		if (s[i] == '"' || (unsigned char)s[i] < 0x20)
			o = -1;
		else if (s[i] != '\\')
			text[t++] = s[i];
		else if (i + 2 < n && (s[i + 1] == '\\' || s[i + 1] == '"'))
			text[t++] = s[++i];
		else
			o = -1;
	}
	for (i = 0; o >= 0 && i < t; i++) {
		if (text[i] != '\\') {
			out[o++] = text[i];
		} else if (i + 3 < t && text[i + 1] >= '0' &&
			   text[i + 1] <= '3' && text[i + 2] >= '0' && text[i + 2] <= '7' &&
			   text[i + 3] >= '0' && text[i + 3] <= '7') {
			out[o++] = (char)((text[i + 1] - '0') * 64 + (text[i + 2] - '0') * 8 +
					  (text[i + 3] - '0'));
			i += 3;
		} else {
			o = -1;
		}
	}
	free(text);
	return o;
}

static void round_trip(struct textbuf *tb, const unsigned char *in, size_t n)
{
	char out[4];

	json(tb, (const char *)in, n);
	assert_int_equal(json_decode(tb->data, tb->len, out), (long)n);
	assert_memory_equal(out, in, n);
}

/* Every string of two bytes, and of three after the lead bytes where
 * UTF-8's ranges change, decodes back to itself: no two render alike. */
static void test_json_string_round_trip(void **state)
{
	static const unsigned char leads[] = { 0xc1, 0xc2, 0xdf, 0xe0, 0xed, 0xef, 0xf0, 0xf4, 0xf5 };
	unsigned char in[3];
	struct textbuf tb;
	unsigned a, b, c;

	(void)state;
	textbuf_init(&tb);
	for (a = 0; a < 256; a++)
		for (b = 0; b < 256; b++) {
			in[0] = (unsigned char)a;
			in[1] = (unsigned char)b;
			round_trip(&tb, in, 2);
		}
	for (a = 0; a < sizeof(leads); a++)
		for (b = 0; b < 256; b++)
			for (c = 0; c < 256; c++) {
				in[0] = leads[a];
				in[1] = (unsigned char)b;
				in[2] = (unsigned char)c;
				round_trip(&tb, in, 3);
			}
	textbuf_free(&tb);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_proc_path),
		cmocka_unit_test(test_link_inode),
		cmocka_unit_test(test_array_reserve),
		cmocka_unit_test(test_textbuf_printf),
		cmocka_unit_test(test_json_string),
		cmocka_unit_test(test_json_string_round_trip),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
