/* libFuzzer target: /proc/<pid>/stat, /proc/<pid>/status and the fdinfo
 * of an eventfd, read by a whole snapshot build of a scratch procfs tree
 * (process 1, fd 3 -> anon_inode:[eventfd]).  The input is the three
 * files' texts separated by NUL bytes; each endpoint is then rendered. */
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "builder.h"

static char tree[] = "/tmp/ipcfs-fuzz-proc.XXXXXX";

static void remove_tree(void)
{
	static const char *const paths[] = { "1/fd/3", "1/fdinfo/3", "1/stat", "1/status",
					     "1/fd", "1/fdinfo", "1" };
	char path[sizeof(tree) + 16];

	for (size_t i = 0; i < sizeof(paths) / sizeof(paths[0]); i++) {
		snprintf(path, sizeof(path), "%s/%s", tree, paths[i]);
		if (unlink(path) < 0)
			rmdir(path);
	}
	rmdir(tree);
}

static void make_tree(void)
{
	char path[sizeof(tree) + 16];

	if (!mkdtemp(tree))
		abort();
	atexit(remove_tree);
	snprintf(path, sizeof(path), "%s/1", tree);
	if (mkdir(path, 0755) < 0)
		abort();
	snprintf(path, sizeof(path), "%s/1/fd", tree);
	if (mkdir(path, 0755) < 0)
		abort();
	snprintf(path, sizeof(path), "%s/1/fdinfo", tree);
	if (mkdir(path, 0755) < 0)
		abort();
	snprintf(path, sizeof(path), "%s/1/fd/3", tree);
	if (symlink("anon_inode:[eventfd]", path) < 0)
		abort();
}

/* The next NUL-separated part of the input into tree/name. */
static void put(const char *name, const uint8_t **data, const uint8_t *end)
{
	const uint8_t *nul = memchr(*data, '\0', (size_t)(end - *data));
	size_t n = (size_t)((nul ? nul : end) - *data);
	char path[sizeof(tree) + 16];
	int fd;

	snprintf(path, sizeof(path), "%s/%s", tree, name);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0 || write(fd, *data, n) != (ssize_t)n || close(fd) < 0)
		abort();
	*data = nul ? nul + 1 : end;
}

/* Links in a scratch tree are no fds: the facts of an fd are made up. */
static int fake_facts(const struct proc_root *root, int fd_dir, pid_t pid, int fd, unsigned what,
		      struct fd_facts *out)
{
	(void)root, (void)fd_dir, (void)pid, (void)fd, (void)what;
	memset(out, 0, sizeof(*out));
	out->access = IPC_ACCESS_R | IPC_ACCESS_W;
	return 0;
}

static int no_sockets(const struct sock_source *source, const struct proc_root *root,
		      const struct ns_ref *refs, size_t n, struct sock_list *lists)
{
	(void)source, (void)root, (void)refs, (void)n, (void)lists;
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const struct sock_source source = { .dump = no_sockets };
	static const struct ipc_build_options options = { .sockets = &source };
	const uint8_t *end = data + size;
	struct ipc_snapshot *snap = NULL;
	struct proc_root root;
	struct textbuf tb;

	static bool made;

	if (!made) {
		make_tree();
		made = true;
	}
	put("1/stat", &data, end);
	put("1/status", &data, end);
	put("1/fdinfo/3", &data, end);
	if (proc_root_open(&root, tree) < 0)
		abort();
	root.fd_facts = fake_facts;
	if (ipc_snapshot_build(&root, &options, 1, &snap) == 0) {
		textbuf_init(&tb);
		for (size_t i = 0; i < snap->n_endpoints; i++) {
			const struct ipc_endpoint *ep = &snap->endpoints[i];
			const char *comm = ipc_endpoint_process(snap, ep)->comm;

			textbuf_escaped(&tb, comm, strlen(comm), 0x21);
			ipc_endpoint_info_lines(snap, ep, IPC_FIELDS_ALL, NULL, &tb);
			ipc_endpoint_detail(snap, ep, &tb);
			ipc_endpoint_json(snap, ep, NULL, &tb);
		}
		textbuf_free(&tb);
		ipc_snapshot_free(snap);
	}
	proc_root_close(&root);
	return 0;
}
