/* The resolver's small helpers: /proc paths, inodes in link texts,
 * growable arrays, printing into a text buffer. */
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

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_proc_path),
		cmocka_unit_test(test_link_inode),
		cmocka_unit_test(test_array_reserve),
		cmocka_unit_test(test_textbuf_printf),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
