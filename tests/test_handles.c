/* Rendered files per open (fs/handles.c): a RELEASE may come while a
 * READ of the same file is being answered, so the text lives until the
 * last reference goes. */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "../fs/handles.h"

static uint64_t add_text(struct handle_table *t, const char *text)
{
	char *data = strdup(text);

	assert_non_null(data);
	return handles_add(t, data, strlen(text));
}

static void test_open_read_release(void **state)
{
	struct handle_table t;
	struct rendered *file;
	uint64_t a, b;

	(void)state;
	handles_init(&t);
	a = add_text(&t, "alpha");
	b = add_text(&t, "beta");
	assert_true(a != 0 && b != 0 && a != b);
	file = handles_get(&t, b);
	assert_non_null(file);
	assert_int_equal(file->len, 4);
	assert_memory_equal(file->data, "beta", 4);
	handles_put(&t, file);
	handles_release(&t, b);
	assert_null(handles_get(&t, b));
	handles_release(&t, b);	/* twice: nothing */
	handles_release(&t, 777);
	assert_null(handles_get(&t, 0));
	/* a is still open; destroy frees it (no leak under ASan). */
	handles_destroy(&t);
}

/* The reader's reference keeps the text after the release. */
static void test_release_during_read(void **state)
{
	struct handle_table t;
	struct rendered *file;
	uint64_t id;

	(void)state;
	handles_init(&t);
	id = add_text(&t, "channels");
	file = handles_get(&t, id);
	handles_release(&t, id);
	assert_null(handles_get(&t, id));
	assert_memory_equal(file->data, "channels", 8);
	handles_put(&t, file);
	handles_destroy(&t);
}

/* More open files than buckets, ids over several rounds of the table. */
static void test_many(void **state)
{
	static uint64_t ids[2000];
	struct handle_table t;
	struct rendered *file;
	char text[16];
	int i;

	(void)state;
	handles_init(&t);
	for (i = 0; i < 2000; i++) {
		snprintf(text, sizeof(text), "%d", i);
		ids[i] = add_text(&t, text);
	}
	for (i = 0; i < 2000; i += 3)
		handles_release(&t, ids[i]);
	for (i = 0; i < 2000; i++) {
		file = handles_get(&t, ids[i]);
		if (i % 3 == 0) {
			assert_null(file);
			continue;
		}
		snprintf(text, sizeof(text), "%d", i);
		assert_non_null(file);
		assert_int_equal(file->len, strlen(text));
		assert_memory_equal(file->data, text, file->len);
		handles_put(&t, file);
	}
	handles_destroy(&t);
}

struct reader {
	struct handle_table *t;
	uint64_t id;
};

static void *read_until_gone(void *arg)
{
	struct reader *r = arg;
	struct rendered *file;

	while ((file = handles_get(r->t, r->id))) {
		assert_memory_equal(file->data, "shared", 6);
		handles_put(r->t, file);
	}
	return NULL;
}

/* Readers on other threads while the file is released (the sanitizers
 * see any use after free). */
static void test_threads(void **state)
{
	struct handle_table t;
	pthread_t threads[4];
	struct reader r = { &t, 0 };
	int i;

	(void)state;
	handles_init(&t);
	r.id = add_text(&t, "shared");
	for (i = 0; i < 4; i++)
		assert_int_equal(pthread_create(&threads[i], NULL, read_until_gone, &r), 0);
	handles_release(&t, r.id);
	for (i = 0; i < 4; i++)
		pthread_join(threads[i], NULL);
	handles_destroy(&t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_open_read_release),
		cmocka_unit_test(test_release_during_read),
		cmocka_unit_test(test_many),
		cmocka_unit_test(test_threads),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
