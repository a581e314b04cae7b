/* Rendered files per open (fs/handles.c): a RELEASE may come while a
 * READ of the same file is being answered, so the text lives until the
 * last reference goes. */
#include <errno.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "../fs/handles.h"

/* Opens text as a file of its own (a key no other call uses). */
static uint64_t add_text(struct handle_table *t, const char *text)
{
	static uint64_t node;
	struct render_key key = { .generation = 1, .node = ++node };
	char *data = strdup(text);
	int64_t id;

	assert_non_null(data);
	id = handles_add(t, &key, 1000, data, strlen(text));
	assert_true(id > 0);
	return (uint64_t)id;
}

static int64_t add_keyed(struct handle_table *t, uint64_t node, uint64_t view, uid_t uid,
			 const char *text)
{
	struct render_key key = { .generation = 7, .node = node, .view = view };
	char *data = strdup(text);

	assert_non_null(data);
	return handles_add(t, &key, uid, data, strlen(text));
}

/* Opens of one file for one view share one rendering: the same id, one
 * open each; it goes with the last release.  Another view is another. */
static void test_shared_rendering(void **state)
{
	struct render_key key = { .generation = 7, .node = 3, .view = 0 };
	struct handle_table t;
	struct rendered *file;
	int64_t a, b, other;

	(void)state;
	handles_init(&t, 0);
	assert_int_equal(handles_share(&t, &key), 0);
	a = add_keyed(&t, 3, 0, 1000, "rows");
	assert_true(a > 0);
	assert_int_equal(handles_share(&t, &key), (uint64_t)a);
	/* rendered twice at once: the second text is dropped, the first shared */
	b = add_keyed(&t, 3, 0, 1000, "rows");
	assert_int_equal(b, a);
	other = add_keyed(&t, 3, 42, 1000, "mine");
	assert_true(other > 0 && other != a);
	handles_release(&t, (uint64_t)a);
	handles_release(&t, (uint64_t)a);
	file = handles_get(&t, (uint64_t)a);	/* one open left */
	assert_non_null(file);
	handles_put(&t, file);
	handles_release(&t, (uint64_t)a);
	assert_null(handles_get(&t, (uint64_t)a));
	assert_int_equal(handles_share(&t, &key), 0);
	handles_release(&t, (uint64_t)other);
	handles_destroy(&t);
}

/* A uid other than root holds at most the limit in renderings it made;
 * sharing costs nothing; releases give the bytes back. */
static void test_user_limit(void **state)
{
	struct handle_table t;
	int64_t a, b, c, s, r;

	(void)state;
	handles_init(&t, 10);
	a = add_keyed(&t, 1, 0, 1000, "123456");
	assert_true(a > 0);
	assert_int_equal(handles_charged(&t, 1000), 6);
	b = add_keyed(&t, 2, 0, 1000, "123456");
	assert_int_equal(b, -EMFILE);
	assert_int_equal(handles_charged(&t, 1000), 6);
	c = add_keyed(&t, 2, 0, 1001, "123456");	/* another user has its own */
	assert_true(c > 0);
	s = add_keyed(&t, 1, 0, 1001, "123456");	/* a share: no charge */
	assert_int_equal(s, a);
	assert_int_equal(handles_charged(&t, 1001), 6);
	assert_int_equal(add_keyed(&t, 9, 0, 1000, "12345678901"), -EMFILE);
	r = add_keyed(&t, 3, 0, 0, "a text far longer than the limit");	/* root */
	assert_true(r > 0);
	handles_release(&t, (uint64_t)a);
	assert_int_equal(handles_charged(&t, 1000), 6);	/* 1001 still shares it */
	handles_release(&t, (uint64_t)a);
	assert_int_equal(handles_charged(&t, 1000), 0);
	b = add_keyed(&t, 2, 1, 1000, "123456");
	assert_true(b > 0);
	handles_release(&t, (uint64_t)b);
	handles_release(&t, (uint64_t)c);
	handles_release(&t, (uint64_t)r);
	assert_int_equal(handles_charged(&t, 1000) + handles_charged(&t, 1001) +
			 handles_charged(&t, 0), 0);
	handles_destroy(&t);
}

static void test_open_read_release(void **state)
{
	struct handle_table t;
	struct rendered *file;
	uint64_t a, b;

	(void)state;
	handles_init(&t, 0);
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
	handles_init(&t, 0);
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
	handles_init(&t, 0);
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
	handles_init(&t, 0);
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
		cmocka_unit_test(test_shared_rendering),
		cmocka_unit_test(test_user_limit),
		cmocka_unit_test(test_release_during_read),
		cmocka_unit_test(test_many),
		cmocka_unit_test(test_threads),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
