/* A build whose allocation fails returns -ENOMEM and nothing else: no
 * crash, no leak (run under -fsanitize=address for the leaks).
 *
 * malloc, calloc and realloc are wrapped (link with -Wl,--wrap=malloc,
 * --wrap=calloc,--wrap=realloc), so every allocation the resolver makes
 * goes through here; libc's and cmocka's own do not.  Each build of a
 * fixture tree fails its Nth allocation, for N = 1, 2, ... until a build
 * makes fewer than N.  Run from tests/. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <cmocka.h>

#include "fixture_root.h"
#include "ipcfs/sockdiag.h"

void *__real_malloc(size_t size);
void *__real_calloc(size_t n, size_t size);
void *__real_realloc(void *p, size_t size);
void *__wrap_malloc(size_t size);
void *__wrap_calloc(size_t n, size_t size);
void *__wrap_realloc(void *p, size_t size);

/* Counted only while armed: maps readers run on threads of their own. */
static atomic_bool armed;
static atomic_ulong calls, fail_at;

static bool fail_now(void)
{
	return atomic_load(&armed) && atomic_fetch_add(&calls, 1) + 1 == atomic_load(&fail_at);
}

void *__wrap_malloc(size_t size)
{
	return fail_now() ? NULL : __real_malloc(size);
}

void *__wrap_calloc(size_t n, size_t size)
{
	return fail_now() ? NULL : __real_calloc(n, size);
}

void *__wrap_realloc(void *p, size_t size)
{
	return fail_now() ? NULL : __real_realloc(p, size);
}

/* Every namespace's unix sockets from the recorded dump, through the
 * parser (whose allocations fail too). */
static int replay_unix(const struct sock_source *source, const struct proc_root *root,
		       const struct ns_ref *refs, size_t n, struct sock_list *lists)
{
	static _Alignas(8) unsigned char buf[16384];
	uint32_t len;
	int r = 0;

	(void)source;
	(void)root;
	(void)refs;
	for (size_t i = 0; i < n && r >= 0; i++) {
		FILE *f = fopen("fixtures/netlink/unix.bin", "rb");

		assert_non_null(f);
		r = SOCKDIAG_MORE;
		while (r == SOCKDIAG_MORE && fread(&len, sizeof(len), 1, f) == 1) {
			assert_true(len <= sizeof(buf));
			assert_int_equal(fread(buf, 1, len, f), len);
			r = sockdiag_parse(buf, len, 0, &lists[i]);
		}
		fclose(f);
	}
	return r < 0 ? r : 0;
}

/* Fails the Nth allocation of a build of tree for every N the build
 * reaches; returns how many builds failed. */
static unsigned long exhaust(const char *tree, bool shm_tree,
			     const struct ipc_build_options *options)
{
	unsigned long n, failed = 0;

	for (n = 1;; n++) {
		struct ipc_snapshot *snap = NULL;
		int r;

		atomic_store(&calls, 0);
		atomic_store(&fail_at, n);
		atomic_store(&armed, true);
		r = fixture_build(tree, shm_tree, options, &snap);
		atomic_store(&armed, false);
		/* The first allocation is the build's own: it must fail. */
		if (n == 1)
			assert_int_equal(r, -ENOMEM);
		if (r == 0) {
			/* An allocation on the maps readers' side may fail
			 * without failing the build: maps: unavailable. */
			assert_non_null(snap);
			ipc_snapshot_free(snap);
			if (atomic_load(&calls) < n)
				break;
			continue;
		}
		if (r != -ENOMEM)
			fail_msg("%s, allocation %lu failed: build returned %d", tree, n, r);
		assert_null(snap);
		failed++;
		assert_true(n < 1000000);
	}
	print_message("# %s: %lu allocations, %lu builds failed with -ENOMEM\n", tree, n - 1,
		      failed);
	return failed;
}

static void test_shm_tree(void **state)
{
	(void)state;
	assert_true(exhaust(FIXTURE_SHM_TREE, true, NULL) > 10);
}

static void test_socket_tree(void **state)
{
	struct sock_source source = { .dump = replay_unix };
	struct ipc_build_options options = { .sockets = &source };

	(void)state;
	assert_true(exhaust("fixtures/proc-sockets", false, &options) > 10);
	assert_true(exhaust("fixtures/proc-core", false, &options) > 5);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_shm_tree),
		cmocka_unit_test(test_socket_tree),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
