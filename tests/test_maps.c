/* The maps parser on fixture files (tests/fixtures/maps), memfd, POSIX shm
 * and mqueue on a fixture /proc tree (tests/fixtures/maps/proc-shm), and
 * the deadline on maps reads that hang. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/shm.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <cmocka.h>

#include "../resolver/maps.h"
#include "fixture_root.h"

static struct maps_result *parse_file_on(const char *path, size_t buf_size, dev_t shm_dev)
{
	struct maps_result *result = NULL;
	char *buf = malloc(buf_size);
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	assert_non_null(buf);
	assert_true(fd >= 0);
	assert_int_equal(maps_parse_fd(fd, buf, buf_size, shm_dev, &result), 0);
	close(fd);
	free(buf);
	return result;
}

static struct maps_result *parse_file(const char *path, size_t buf_size)
{
	return parse_file_on(path, buf_size, 0);
}

static void test_parse_line(void **state)
{
	struct maps_line line;
	const char *text;

	(void)state;
	text = "7f0000001000-7f0000003000 rw-s 00001000 00:01 1024                       "
	       "/memfd:wayland-shm (deleted)";
	assert_int_equal(maps_parse_line(text, strlen(text), &line), MAPS_MEMFD);
	assert_int_equal(line.start, 0x7f0000001000);
	assert_int_equal(line.end, 0x7f0000003000);
	assert_int_equal(line.access, IPC_ACCESS_R | IPC_ACCESS_W);
	assert_int_equal(line.dev, makedev(0, 1));
	assert_int_equal(line.ino, 1024);
	assert_int_equal(line.path_len, strlen("/memfd:wayland-shm (deleted)"));

	/* Anonymous: one space after the inode, or none when cut there. */
	text = "7f0000020000-7f0000021000 rw-p 00000000 00:00 0 ";
	assert_int_equal(maps_parse_line(text, strlen(text), &line), MAPS_NONE);
	assert_int_equal(line.path_len, 0);
	text = "7f0000020000-7f0000021000 rw-s 00000000 00:01 10";
	assert_int_equal(maps_parse_line(text, strlen(text), &line), MAPS_NONE);

	text = "7f0000050000-7f0000060000 r--s 00000000 00:01 7                          "
	       "/SYSVdeadbeef (deleted)";
	assert_int_equal(maps_parse_line(text, strlen(text), &line), MAPS_SYSV);
	assert_int_equal(line.sysv_key, 0xdeadbeef);
	assert_int_equal(line.access, IPC_ACCESS_R);
	/* The first segment has shmid (inode) 0. */
	text = "7f0000050000-7f0000060000 rw-s 00000000 00:01 0                          "
	       "/SYSV00000000 (deleted)";
	assert_int_equal(maps_parse_line(text, strlen(text), &line), MAPS_SYSV);
	assert_int_equal(line.ino, 0);

	text = "7f00000e0000-7f00000e1000 -w-s 00000000 fff:fffff 18446744073709551615 /dev/shm/x y";
	assert_int_equal(maps_parse_line(text, strlen(text), &line), MAPS_SHM);
	assert_int_equal(line.dev, makedev(0xfff, 0xfffff));
	assert_int_equal(line.ino, UINT64_MAX);
	assert_int_equal(line.access, IPC_ACCESS_W);
	assert_memory_equal(line.path, "/dev/shm/x y", line.path_len);

	/* Shared anonymous memory; a private /dev/zero mapping is no one's. */
	text = "7f0000080000-7f0000082000 rw-s 00000000 00:01 5                          "
	       "/dev/zero (deleted)";
	assert_int_equal(maps_parse_line(text, strlen(text), &line), MAPS_ANONSHM);
	assert_int_equal(line.end - line.start, 0x2000);
	text = "7f0000080000-7f0000082000 rw-p 00000000 00:01 5 /dev/zero (deleted)";
	assert_int_equal(maps_parse_line(text, strlen(text), &line), MAPS_NONE);
	text = "7f0000080000-7f0000082000 rw-s 00000000 00:06 5 /dev/zero";
	assert_int_equal(maps_parse_line(text, strlen(text), &line), MAPS_NONE);

	/* Only the length given counts, not a NUL further on. */
	text = "7f0000050000-7f0000060000 rw-s 00000000 00:01 7 /SYSV0000002a (deleted)XYZ";
	assert_int_equal(maps_parse_line(text, strlen(text) - 3, &line), MAPS_SYSV);

	/* Not ours, or garbled. */
	text = "7f0000090000-7f0000091000 r--p 00000000 08:01 77 /memfd:not-really";
	assert_int_equal(maps_parse_line(text, strlen(text), &line), MAPS_NONE);
	text = "7f00000c0000-7f00000c1000 r--s 00000000 00:01 10 /dev/shm/";
	assert_int_equal(maps_parse_line(text, strlen(text), &line), MAPS_NONE);
	text = "7f00000a0000-7f00000a1000 r--s 00000000 00:01 8 /SYSV0000002 (deleted)";
	assert_int_equal(maps_parse_line(text, strlen(text), &line), MAPS_NONE);
	text = "7f00000d0000-7f00000d1000 rw-s 00000000 00:01";
	assert_int_equal(maps_parse_line(text, strlen(text), &line), -EBADMSG);
	text = "7f00000d0000-7f00000d1000 rw-s 00000000 00:01 12x /memfd:a (deleted)";
	assert_int_equal(maps_parse_line(text, strlen(text), &line), -EBADMSG);
	text = "1ffffffffffffffff-2 rw-s 00000000 00:01 1 /memfd:a (deleted)";
	assert_int_equal(maps_parse_line(text, strlen(text), &line), -EBADMSG);
	assert_int_equal(maps_parse_line("", 0, &line), -EBADMSG);
}

/* basic.maps: every object once, folded, sorted by class, dev, ino. */
static void check_basic(const struct maps_result *r)
{
	const struct maps_object *o = r->objects;

	assert_non_null(r);
	assert_int_equal(r->n_objects, 8);
	assert_int_equal(o[0].class, MAPS_MEMFD);
	assert_int_equal(o[0].ino, 1024);
	assert_int_equal(o[0].start, 0x7f0000000000);
	assert_int_equal(o[0].access, IPC_ACCESS_R | IPC_ACCESS_W);
	assert_string_equal(o[0].path, "/memfd:wayland-shm (deleted)");
	assert_int_equal(o[1].class, MAPS_MEMFD);
	assert_int_equal(o[1].ino, 1025);
	assert_string_equal(o[1].path, "/memfd:a (deleted) b (deleted)");
	assert_int_equal(o[2].class, MAPS_SHM);
	assert_int_equal(o[2].dev, makedev(0, 0x19));
	assert_string_equal(o[2].path, "/dev/shm/my shm");
	assert_int_equal(o[3].ino, 601);
	assert_int_equal(o[3].access, IPC_ACCESS_R);
	assert_string_equal(o[3].path, "/dev/shm/gone (deleted)");
	assert_int_equal(o[4].ino, UINT64_MAX);
	assert_string_equal(o[4].path, "/dev/shm/huge");
	assert_int_equal(o[5].class, MAPS_SYSV);
	assert_int_equal(o[5].ino, 7);
	assert_int_equal(o[5].sysv_key, 0x2a);
	assert_int_equal(o[6].ino, 32769);
	assert_int_equal(o[6].sysv_key, 0);
	assert_int_equal(o[7].class, MAPS_ANONSHM);
	assert_int_equal(o[7].ino, 5);
	assert_int_equal(o[7].length, 0x1000);
	assert_int_equal(o[0].length, 0x3000);	/* its two mappings */
	assert_int_equal(r->dropped_lines, 0);
}

static void test_parse_file(void **state)
{
	static const size_t sizes[] = { 128, 200, 333, 4096, READ_LINES_BUF };
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		struct maps_result *r = parse_file("fixtures/maps/basic.maps", sizes[i]);

		check_basic(r);
		maps_result_free(r);
	}
}

/* Several mappings of one object: the lowest start, all accesses. */
static void test_fold_unsorted(void **state)
{
	struct maps_result *r = parse_file("fixtures/maps/unsorted.maps", READ_LINES_BUF);

	(void)state;
	assert_int_equal(r->n_objects, 1);
	assert_int_equal(r->objects[0].start, 0x7f0000001000);
	assert_int_equal(r->objects[0].access, IPC_ACCESS_R | IPC_ACCESS_W);
	maps_result_free(r);
	assert_null(parse_file("fixtures/maps/empty.maps", READ_LINES_BUF));
}

/* A file on the shm device is POSIX shared memory under any path (a
 * chroot's view of /dev/shm), a file elsewhere only under /dev/shm/; the
 * device as maps text writes it, minors past 0xff too. */
static void test_shm_by_device(void **state)
{
	const dev_t elsewhere[] = { 0, makedev(7, 7) };	/* none; one with no file here */
	struct maps_result *r;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(elsewhere) / sizeof(elsewhere[0]); i++) {
		r = parse_file_on("fixtures/maps/shm-views.maps", READ_LINES_BUF, elsewhere[i]);
		assert_non_null(r);
		assert_int_equal(r->n_objects, 1);
		assert_string_equal(r->objects[0].path, "/dev/shm/a");
		maps_result_free(r);
	}
	/* 00:19: /srv/root/dev/shm/own and /srv/root/tmp/x are on it */
	r = parse_file_on("fixtures/maps/shm-views.maps", READ_LINES_BUF, makedev(0, 0x19));
	assert_non_null(r);
	assert_int_equal(r->n_objects, 3);
	for (i = 0; i < r->n_objects; i++)
		assert_int_equal(r->objects[i].class, MAPS_SHM);
	assert_string_equal(r->objects[0].path, "/dev/shm/a");
	assert_string_equal(r->objects[1].path, "/srv/root/dev/shm/own");
	assert_string_equal(r->objects[2].path, "/srv/root/tmp/x");
	maps_result_free(r);
	/* 00:123 (minor 0x123): the library on 08:01 and the private file
	 * on 00:1a stay out */
	r = parse_file_on("fixtures/maps/shm-views.maps", READ_LINES_BUF, makedev(0, 0x123));
	assert_non_null(r);
	assert_int_equal(r->n_objects, 2);
	assert_string_equal(r->objects[1].path, "/big/minor");
	maps_result_free(r);
}

/* Paths as their fd links read: the kernel writes a newline in a name as
 * "\012" and leaves every other byte, a backslash included, as it is. */
static void test_kernel_escapes(void **state)
{
	struct maps_result *r = parse_file("fixtures/maps/escaped.maps", READ_LINES_BUF);

	(void)state;
	assert_int_equal(r->n_objects, 2);
	assert_int_equal(r->objects[0].class, MAPS_MEMFD);
	assert_string_equal(r->objects[0].path, "/memfd:a\nb\\c d (deleted)");
	assert_int_equal(r->objects[1].class, MAPS_SHM);
	assert_string_equal(r->objects[1].path, "/dev/shm/x\n3\\01 y\\");
	maps_result_free(r);
}

/* A line longer than the buffer is dropped whole, the next one read. */
static void test_long_line(void **state)
{
	char path[] = "/tmp/ipcfs-maps-XXXXXX";
	struct maps_result *r;
	size_t i;
	FILE *f;
	int fd = mkstemp(path);

	(void)state;
	assert_true(fd >= 0);
	f = fdopen(fd, "w");
	assert_non_null(f);
	fputs("7f0000000000-7f0000001000 rw-s 00000000 00:01 1 /memfd:first (deleted)\n", f);
	fputs("7f0000001000-7f0000002000 rw-s 00000000 00:19 2 /dev/shm/", f);
	for (i = 0; i < 3 * READ_LINES_BUF; i++)
		fputc('a' + (int)(i % 26), f);
	fputs(" /memfd:fake (deleted)\n", f);
	fputs("7f0000002000-7f0000003000 rw-s 00000000 00:01 3 /memfd:last (deleted)\n", f);
	fclose(f);
	r = parse_file(path, READ_LINES_BUF);
	unlink(path);
	assert_int_equal(r->n_objects, 2);
	assert_string_equal(r->objects[0].path, "/memfd:first (deleted)");
	assert_string_equal(r->objects[1].path, "/memfd:last (deleted)");
	assert_int_equal(r->dropped_lines, 1);
	maps_result_free(r);
}

/* The object of class and path in r, or NULL. */
static const struct maps_object *find_object(const struct maps_result *r, int class,
					     const char *path)
{
	size_t i;

	for (i = 0; r && i < r->n_objects; i++)
		if (r->objects[i].class == class && strcmp(r->objects[i].path, path) == 0)
			return &r->objects[i];
	return NULL;
}

static struct maps_result *self_maps(bool query)
{
	struct maps_result *r = NULL;
	char *buf = malloc(READ_LINES_BUF);
	int fd = open("/proc/self/maps", O_RDONLY | O_CLOEXEC);

	assert_non_null(buf);
	assert_true(fd >= 0);
	assert_int_equal(query ? maps_query_fd(fd, buf, READ_LINES_BUF, 0, &r)
			       : maps_parse_fd(fd, buf, READ_LINES_BUF, 0, &r), 0);
	close(fd);
	free(buf);
	return r;
}

static void *map_fd(int fd, size_t size, int flags)
{
	void *p = mmap(NULL, size, PROT_READ | PROT_WRITE, flags, fd, 0);

	assert_true(p != MAP_FAILED);
	return p;
}

/* PROCMAP_QUERY on this process's own mappings finds what its maps text
 * does, object for object; names come as their fd links read them. */
static void test_query_matches_text(void **state)
{
	static const char odd_name[] = "a\nb\\c";	/* a, newline, b, backslash, c */
	char link[PATH_MAX], path[128], shm_name[64];
	struct maps_result *text, *query;
	void *maps[7];
	int memfd, private_fd, literal_fd, shm_fd, zero_fd, shmid;
	ssize_t n;
	size_t i;

	(void)state;
	memfd = memfd_create(odd_name, MFD_CLOEXEC);
	private_fd = memfd_create("private", MFD_CLOEXEC);
	/* a name holding the four bytes maps text writes for a newline */
	literal_fd = memfd_create("x\\012y", MFD_CLOEXEC);
	snprintf(shm_name, sizeof(shm_name), "/ipcfs-test-maps-%d", (int)getpid());
	shm_fd = shm_open(shm_name, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	zero_fd = open("/dev/zero", O_RDWR | O_CLOEXEC);
	shmid = shmget(IPC_PRIVATE, 4096, IPC_CREAT | 0600);
	assert_true(memfd >= 0 && private_fd >= 0 && literal_fd >= 0 && shm_fd >= 0 &&
		    zero_fd >= 0 && shmid >= 0);
	assert_int_equal(ftruncate(memfd, 8192), 0);
	assert_int_equal(ftruncate(private_fd, 4096), 0);
	assert_int_equal(ftruncate(literal_fd, 4096), 0);
	assert_int_equal(ftruncate(shm_fd, 4096), 0);
	maps[0] = map_fd(memfd, 8192, MAP_SHARED);
	maps[1] = map_fd(memfd, 4096, MAP_SHARED);	/* folded with the first */
	maps[2] = map_fd(private_fd, 4096, MAP_PRIVATE);
	maps[3] = map_fd(literal_fd, 4096, MAP_SHARED);
	maps[4] = map_fd(shm_fd, 4096, MAP_PRIVATE);
	maps[5] = map_fd(-1, 4096, MAP_SHARED | MAP_ANONYMOUS);
	maps[6] = map_fd(zero_fd, 4096, MAP_PRIVATE);	/* no one's */
	assert_true(shmat(shmid, NULL, 0) != (void *)-1);
	assert_int_equal(shmctl(shmid, IPC_RMID, NULL), 0);
	shm_unlink(shm_name);

	query = self_maps(true);
	text = self_maps(false);
	assert_non_null(query);
	assert_non_null(text);
	/* The one name whose text reads otherwise: maps writes its "\012"
	 * as it writes a newline. */
	snprintf(path, sizeof(path), "/proc/self/fd/%d", literal_fd);
	n = readlink(path, link, sizeof(link) - 1);
	assert_true(n > 0);
	link[n] = '\0';
	assert_non_null(find_object(query, MAPS_MEMFD, link));
	assert_non_null(find_object(text, MAPS_MEMFD, "/memfd:x\ny (deleted)"));
	assert_int_equal(query->n_objects, text->n_objects);
	for (i = 0; i < query->n_objects; i++) {
		const struct maps_object *q = &query->objects[i], *t = &text->objects[i];

		assert_int_equal(q->class, t->class);
		assert_int_equal(q->access, t->access);
		assert_int_equal(q->dev, t->dev);
		assert_int_equal(q->ino, t->ino);
		assert_int_equal(q->start, t->start);
		assert_int_equal(q->length, t->length);
		assert_int_equal(q->sysv_key, t->sysv_key);
		if (strcmp(q->path, link) != 0)
			assert_string_equal(q->path, t->path);
	}
	/* Each kind of mapping is there, as its fd link reads. */
	snprintf(path, sizeof(path), "/proc/self/fd/%d", memfd);
	n = readlink(path, link, sizeof(link) - 1);
	assert_true(n > 0);
	link[n] = '\0';
	assert_string_equal(link, "/memfd:a\nb\\c (deleted)");
	assert_int_equal(find_object(query, MAPS_MEMFD, link)->length, 8192 + 4096);
	assert_int_equal(find_object(query, MAPS_MEMFD, link)->access,
			 IPC_ACCESS_R | IPC_ACCESS_W);
	assert_non_null(find_object(query, MAPS_MEMFD, "/memfd:private (deleted)"));
	snprintf(path, sizeof(path), "/dev/shm%s (deleted)", shm_name);
	assert_non_null(find_object(query, MAPS_SHM, path));
	assert_non_null(find_object(query, MAPS_SYSV, "/SYSV00000000 (deleted)"));
	assert_int_equal(find_object(query, MAPS_ANONSHM, "/dev/zero (deleted)")->start,
			 (uintptr_t)maps[5]);

	maps_result_free(query);
	maps_result_free(text);
	munmap(maps[0], 8192);
	for (i = 1; i < 7; i++)
		munmap(maps[i], 4096);
	close(memfd);
	close(private_fd);
	close(literal_fd);
	close(shm_fd);
	close(zero_fd);
}

/* A plain file has no query: the caller reads it as text. */
static void test_query_plain_file(void **state)
{
	struct maps_result *r = NULL;
	char buf[256];
	int fd = open("fixtures/maps/basic.maps", O_RDONLY | O_CLOEXEC);

	(void)state;
	assert_true(fd >= 0);
	assert_int_equal(maps_query_fd(fd, buf, sizeof(buf), 0, &r), -ENOTTY);
	assert_null(r);
	close(fd);
}

static const char *info(const struct ipc_snapshot *snap, pid_t pid, enum ipc_kind kind,
			const char *name)
{
	static char text[1024];
	const struct ipc_endpoint *ep = fixture_endpoint(snap, pid, kind, name);
	struct textbuf tb;

	assert_non_null(ep);
	textbuf_init(&tb);
	ipc_endpoint_info_lines(snap, ep, IPC_FIELDS_KIND, NULL, &tb);
	assert_int_equal(tb.error, 0);
	snprintf(text, sizeof(text), "%s", tb.data);
	textbuf_free(&tb);
	return text;
}

static const char *detail(const struct ipc_snapshot *snap, pid_t pid, enum ipc_kind kind,
			  const char *name)
{
	static char text[1024];
	struct textbuf tb;

	textbuf_init(&tb);
	ipc_endpoint_detail(snap, fixture_endpoint(snap, pid, kind, name), &tb);
	snprintf(text, sizeof(text), "%s", tb.data);
	textbuf_free(&tb);
	return text;
}

/* An fd on a mapped memfd keeps only its fd entry; a memfd reached only by
 * mapping is one map-<lowest start> entry per process. */
static void test_memfd_mappings(void **state)
{
	const struct ipc_snapshot *snap = *state;
	const struct ipc_endpoint *ep;

	assert_string_equal(info(snap, 300, IPC_MEMFD, "3"),
			    "path: /memfd:wayland-shm (deleted)\nsize: 8192\nmapped: yes\n");
	assert_string_equal(fixture_peers(snap, 300, IPC_MEMFD, "3"), "-");
	assert_null(fixture_endpoint(snap, 300, IPC_MEMFD, "map-7f0000000000"));

	ep = fixture_endpoint(snap, 300, IPC_MEMFD, "map-7f0000010000");
	assert_non_null(ep);
	assert_int_equal(ep->fd, -1);
	assert_int_equal(ep->id, 1025);
	assert_int_equal(ep->access, IPC_ACCESS_R | IPC_ACCESS_W);
	assert_null(fixture_endpoint(snap, 300, IPC_MEMFD, "map-7f0000020000"));
	/* No fd anywhere tells the size of this one. */
	assert_string_equal(info(snap, 300, IPC_MEMFD, "map-7f0000010000"),
			    "path: /memfd:a (deleted) b (deleted)\nsize: -\nmapped: yes\n");
	assert_string_equal(fixture_peers(snap, 300, IPC_MEMFD, "map-7f0000010000"),
			    "301:map-7f1000030000");
	assert_string_equal(fixture_peers(snap, 301, IPC_MEMFD, "map-7f1000030000"),
			    "300:map-7f0000010000");
	assert_string_equal(detail(snap, 300, IPC_MEMFD, "3"),
			    "/memfd:wayland-shm (deleted) size=8192 mapped");
}

/* POSIX shm: the mapping's size comes from another process's fd. */
static void test_shm(void **state)
{
	const struct ipc_snapshot *snap = *state;

	assert_string_equal(info(snap, 301, IPC_SHM, "4"),
			    "path: /dev/shm/my shm\nsize: 8192\nmapped: no\n");
	assert_int_equal(fixture_endpoint(snap, 301, IPC_SHM, "4")->access, IPC_ACCESS_R);
	assert_string_equal(fixture_peers(snap, 301, IPC_SHM, "4"), "300:map-7f0000030000");
	assert_string_equal(fixture_peers(snap, 300, IPC_SHM, "map-7f0000030000"), "301:4");
	assert_string_equal(info(snap, 300, IPC_SHM, "map-7f0000030000"),
			    "path: /dev/shm/my shm\nsize: 8192\nmapped: yes\n");
	assert_true(ipc_snapshot_process(snap, 300)->kinds & (1u << IPC_SHM));
	/* Through a chroot's view of the shm device: the fd and a mapping of
	 * the same object, the device's other file mapped, another
	 * device's not. */
	assert_string_equal(info(snap, 310, IPC_SHM, "3"),
			    "path: /srv/root/dev/shm/own\nsize: 4096\nmapped: yes\n");
	assert_string_equal(fixture_peers(snap, 310, IPC_SHM, "3"), "311:map-7f2100000000");
	assert_string_equal(fixture_peers(snap, 311, IPC_SHM, "map-7f2100000000"), "310:3");
	assert_int_equal(ipc_snapshot_process(snap, 311)->n_endpoints, 1);
}

static void test_mqueue(void **state)
{
	const struct ipc_snapshot *snap = *state;

	assert_string_equal(fixture_peers(snap, 303, IPC_MQUEUE, "5"), "304:6");
	assert_string_equal(fixture_peers(snap, 304, IPC_MQUEUE, "6"), "303:5");
	assert_string_equal(fixture_peers(snap, 304, IPC_MQUEUE, "7"), "-");
	assert_int_equal(fixture_endpoint(snap, 303, IPC_MQUEUE, "5")->access, IPC_ACCESS_W);
	assert_int_equal(fixture_endpoint(snap, 303, IPC_MQUEUE, "5")->id, 700);
	assert_string_equal(info(snap, 303, IPC_MQUEUE, "5"), "path: /queue one\n");
	/* A file on another device is no queue. */
	assert_null(fixture_endpoint(snap, 303, IPC_MQUEUE, "8"));
	assert_int_equal(ipc_snapshot_process(snap, 303)->n_endpoints, 1);
}

/* A maps that cannot be read marks its process; a missing one does not
 * (the process is gone, or a fixture has none). */
static void test_unavailable(void **state)
{
	const struct ipc_snapshot *snap = *state;

	assert_true(ipc_snapshot_process(snap, 309)->maps_unavailable);
	assert_false(ipc_snapshot_process(snap, 303)->maps_unavailable);
	assert_false(ipc_snapshot_process(snap, 300)->maps_unavailable);
}

static void write_file(const char *dir, const char *name, const char *text)
{
	char path[PATH_MAX];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static void make_process(const char *dir, pid_t pid)
{
	char path[PATH_MAX], text[256];

	snprintf(path, sizeof(path), "%s/%d", dir, pid);
	assert_int_equal(mkdir(path, 0755), 0);
	snprintf(path, sizeof(path), "%s/%d/fd", dir, pid);
	assert_int_equal(mkdir(path, 0755), 0);
	snprintf(path, sizeof(path), "%d/stat", pid);
	snprintf(text, sizeof(text),
		 "%d (p) S 1 1 1 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0 100 0 0\n", pid);
	write_file(dir, path, text);
	snprintf(path, sizeof(path), "%d/status", pid);
	write_file(dir, path, "Uid:\t0\t0\t0\t0\nGid:\t0\t0\t0\t0\n");
}

static double seconds_since(const struct timespec *t0)
{
	struct timespec t1;

	clock_gettime(CLOCK_MONOTONIC, &t1);
	return (double)(t1.tv_sec - t0->tv_sec) + (double)(t1.tv_nsec - t0->tv_nsec) / 1e9;
}

/* A maps read that hangs (here a FIFO nobody writes) costs one build the
 * deadline, marks its process unavailable, is not retried while stuck, and
 * its worker exits cleanly once the read returns, long after the build. */
static void test_deadline(void **state)
{
	char dir[] = "/tmp/ipcfs-deadline-XXXXXX", fifo[PATH_MAX], maps[PATH_MAX];
	struct ipc_snapshot *snap;
	struct timespec t0;
	int i, writer, status;
	pid_t child;

	(void)state;
	assert_non_null(mkdtemp(dir));
	make_process(dir, 400);
	make_process(dir, 401);
	snprintf(fifo, sizeof(fifo), "%s/400/maps", dir);
	assert_int_equal(mkfifo(fifo, 0600), 0);
	write_file(dir, "401/maps",
		   "7f0000000000-7f0000001000 rw-s 00000000 00:01 1 /memfd:m (deleted)\n");

	clock_gettime(CLOCK_MONOTONIC, &t0);
	snap = fixture_shm_snapshot(dir);
	assert_true(seconds_since(&t0) >= 0.15);
	assert_true(seconds_since(&t0) < 2);
	assert_true(ipc_snapshot_process(snap, 400)->maps_unavailable);
	assert_false(ipc_snapshot_process(snap, 401)->maps_unavailable);
	assert_non_null(fixture_endpoint(snap, 401, IPC_MEMFD, "map-7f0000000000"));
	ipc_snapshot_free(snap);
	assert_int_equal(maps_stuck_readers(), 1);
	/* A child of the fork that daemonizes has no stuck worker. */
	child = fork();
	assert_true(child >= 0);
	if (child == 0)
		_exit(maps_stuck_readers() == 0 ? 0 : 1);
	assert_int_equal(waitpid(child, &status, 0), child);
	assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);

	/* Still stuck: not read again, so no wait. */
	clock_gettime(CLOCK_MONOTONIC, &t0);
	snap = fixture_shm_snapshot(dir);
	assert_true(seconds_since(&t0) < 0.15);
	assert_true(ipc_snapshot_process(snap, 400)->maps_unavailable);
	ipc_snapshot_free(snap);

	/* Let the stuck read finish: its worker leaves on its own. */
	writer = open(fifo, O_WRONLY | O_NONBLOCK | O_CLOEXEC);
	assert_true(writer >= 0);
	close(writer);
	for (i = 0; i < 200 && maps_stuck_readers(); i++)
		usleep(10000);
	assert_int_equal(maps_stuck_readers(), 0);

	unlink(fifo);
	write_file(dir, "400/maps", "");
	snap = fixture_shm_snapshot(dir);
	assert_false(ipc_snapshot_process(snap, 400)->maps_unavailable);
	ipc_snapshot_free(snap);

	snprintf(maps, sizeof(maps), "rm -rf '%s'", dir);
	assert_int_equal(system(maps), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_line),
		cmocka_unit_test(test_parse_file),
		cmocka_unit_test(test_fold_unsorted),
		cmocka_unit_test(test_kernel_escapes),
		cmocka_unit_test(test_shm_by_device),
		cmocka_unit_test(test_long_line),
		cmocka_unit_test(test_query_matches_text),
		cmocka_unit_test(test_query_plain_file),
		fixture_shm_test(test_memfd_mappings),
		fixture_shm_test(test_shm),
		fixture_shm_test(test_mqueue),
		fixture_shm_test(test_unavailable),
		cmocka_unit_test(test_deadline),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
