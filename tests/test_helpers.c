/* The resolver's small helpers: /proc paths, inodes in link texts,
 * growable arrays. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <cmocka.h>

#include "../resolver/array.h"
#include "../resolver/proc_root.h"

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
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
