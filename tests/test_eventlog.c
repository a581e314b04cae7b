/* The per-reader backlog of MNT/events: lines in order, reads of any
 * size, and a reader that falls behind losing its oldest lines with a
 * "lost N" line where they were. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "../fs/eventlog.h"

static struct eventlog log_;

static int setup(void **state)
{
	(void)state;
	return eventlog_init(&log_);
}

static int teardown(void **state)
{
	(void)state;
	eventlog_free(&log_);
	return 0;
}

static void push(const char *text)
{
	eventlog_push(&log_, text, strlen(text));
}

/* Line number i, padded to len bytes with its '\n'. */
static void push_numbered(unsigned i, size_t len)
{
	char line[2048];

	assert_true(len < sizeof(line) && len > 8);
	memset(line, 'x', len);
	snprintf(line, sizeof(line), "%u ", i);
	line[strlen(line)] = 'x';
	line[len - 1] = '\n';
	eventlog_push(&log_, line, len);
}

/* Everything waiting, read chunk bytes at a time. */
static char *drain(size_t chunk)
{
	static char all[EVENTLOG_MAX_BYTES * 2];
	size_t len = 0, n;

	while ((n = eventlog_read(&log_, all + len, chunk)) > 0) {
		len += n;
		assert_true(len + chunk < sizeof(all));
	}
	all[len] = '\0';
	assert_false(eventlog_ready(&log_));
	return all;
}

static void test_in_order(void **state)
{
	char buf[16];

	(void)state;
	assert_false(eventlog_ready(&log_));
	assert_int_equal(eventlog_read(&log_, buf, sizeof(buf)), 0);
	push("a\n");
	assert_true(eventlog_ready(&log_));
	push("bb\n");
	push("ccc\n");
	assert_string_equal(drain(4096), "a\nbb\nccc\n");
	push("d\n");
	assert_string_equal(drain(4096), "d\n");
}

/* Reads of 1, 2 and 3 bytes split lines anywhere and lose nothing. */
static void test_small_reads(void **state)
{
	size_t chunk;

	(void)state;
	for (chunk = 1; chunk <= 3; chunk++) {
		push("first line\n");
		push("second\n");
		assert_string_equal(drain(chunk), "first line\nsecond\n");
	}
}

static void test_lost_by_lines(void **state)
{
	char want[64], *got;
	unsigned i;

	(void)state;
	for (i = 0; i < EVENTLOG_MAX_LINES + 10; i++)
		push_numbered(i, 16);
	got = drain(65536);
	assert_string_equal(strtok(got, "\n"), "lost 10");
	snprintf(want, sizeof(want), "10 xxxxxxxxxxxx");
	assert_string_equal(strtok(NULL, "\n"), want);
	for (i = 11; i < EVENTLOG_MAX_LINES + 10; i++) {
		snprintf(want, sizeof(want), "%u ", i);
		assert_memory_equal(strtok(NULL, "\n"), want, strlen(want));
	}
	assert_null(strtok(NULL, "\n"));
}

static void test_lost_by_bytes(void **state)
{
	size_t fit = EVENTLOG_MAX_BYTES / 1000;
	char want[64], *got;

	(void)state;
	assert_true(fit < EVENTLOG_MAX_LINES);
	for (unsigned i = 0; i < fit + 5; i++)
		push_numbered(i, 1000);
	got = drain(100000);
	/* the marker, then the fit newest lines whole */
	assert_int_equal(strlen(got), 7 + fit * 1000);
	assert_string_equal(strtok(got, "\n"), "lost 5");
	snprintf(want, sizeof(want), "5 ");
	assert_memory_equal(strtok(NULL, "\n"), want, 2);
}

/* Two overflows before the reader reads: one "lost N" with their sum. */
static void test_losses_add_up(void **state)
{
	unsigned i;

	(void)state;
	for (i = 0; i < EVENTLOG_MAX_LINES + 3; i++)
		push_numbered(i, 12);
	for (i = 0; i < 4; i++)
		push_numbered(i, 12);
	assert_memory_equal(drain(65536), "lost 7\n7 xxxxxxxxx\n", 19);
}

/* A line partly read is finished before the loss that follows it. */
static void test_partly_read_line_kept(void **state)
{
	char buf[4], *got;
	unsigned i;

	(void)state;
	push("begun line\n");
	assert_int_equal(eventlog_read(&log_, buf, 3), 3);
	assert_memory_equal(buf, "beg", 3);
	for (i = 0; i < EVENTLOG_MAX_LINES; i++)
		push_numbered(i, 12);
	got = drain(4096);
	assert_memory_equal(got, "un line\nlost 1\n1 xxxxxxxxx\n", 27);
}

/* A "lost N" line partly read is finished before a later loss is said. */
static void test_partly_read_marker(void **state)
{
	char buf[4];
	unsigned i;

	(void)state;
	for (i = 0; i < EVENTLOG_MAX_LINES + 2; i++)
		push_numbered(i, 12);
	assert_int_equal(eventlog_read(&log_, buf, 2), 2);
	assert_memory_equal(buf, "lo", 2);
	for (i = 0; i < 5; i++)
		push_numbered(i, 12);
	assert_memory_equal(drain(4096), "st 2\nlost 5\n7 xxxxxxxxx\n", 24);
}

/* A line longer than the whole backlog is lost where it stood. */
static void test_too_long_line(void **state)
{
	char *huge = malloc(EVENTLOG_MAX_BYTES + 2);

	(void)state;
	assert_non_null(huge);
	memset(huge, 'y', EVENTLOG_MAX_BYTES + 1);
	huge[EVENTLOG_MAX_BYTES] = '\n';
	push("a\n");
	eventlog_push(&log_, huge, EVENTLOG_MAX_BYTES + 1);
	assert_string_equal(drain(4096), "a\nlost 1\n");
	push("a\n");
	eventlog_push(&log_, huge, EVENTLOG_MAX_BYTES + 1);
	push("b\n");
	assert_string_equal(drain(4096), "a\nlost 1\nb\n");
	free(huge);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_in_order, setup, teardown),
		cmocka_unit_test_setup_teardown(test_small_reads, setup, teardown),
		cmocka_unit_test_setup_teardown(test_lost_by_lines, setup, teardown),
		cmocka_unit_test_setup_teardown(test_lost_by_bytes, setup, teardown),
		cmocka_unit_test_setup_teardown(test_losses_add_up, setup, teardown),
		cmocka_unit_test_setup_teardown(test_partly_read_line_kept, setup, teardown),
		cmocka_unit_test_setup_teardown(test_partly_read_marker, setup, teardown),
		cmocka_unit_test_setup_teardown(test_too_long_line, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
