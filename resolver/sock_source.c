/* The kernel as the source of socket facts: one sock_diag dump per family
 * and protocol per network namespace, taken from a helper thread that
 * enters each namespace in turn, so no FUSE thread ever moves.  Raw
 * sockets come from /proc/PID/net/raw and raw6 of a process in the
 * namespace: kernels without raw_diag (this one) have nothing else. */
#include <errno.h>
#include <fcntl.h>
#include <linux/netlink.h>
#include <netinet/in.h>
#include <pthread.h>
#include <sched.h>
#include <sys/socket.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "builder.h"
#include "ipcfs/sockdiag.h"

struct dump_job {
	const struct proc_root *root;
	const struct netns_ref *refs;
	size_t n;
	struct sock_list *lists;
	int error;
};

static const struct {
	int family, protocol;
} dumps[] = {
	{ AF_UNIX, 0 },
	{ AF_INET, IPPROTO_TCP },
	{ AF_INET6, IPPROTO_TCP },
	{ AF_INET, IPPROTO_UDP },
	{ AF_INET6, IPPROTO_UDP },
	{ AF_NETLINK, 0 },	/* every netlink protocol in one request */
	{ AF_PACKET, 0 },	/* likewise every packet socket */
};

/* /proc/net/raw of a large host: a line is 128 bytes */
#define RAW_FILE_MAX (4u << 20)

/* Appends the raw sockets of pid's namespace (file "net/raw" or
 * "net/raw6"); a file that cannot be read (no IPv6, the process gone)
 * adds none. */
static void read_raw(const struct proc_root *root, pid_t pid, const char *file, int family,
		     struct sock_list *list, int *error)
{
	char path[PROC_PATH_MAX], *text = NULL, *grown;
	size_t len = 0, cap = 0;
	ssize_t n;
	int fd;

	fd = openat(root->dirfd, proc_path(path, pid, file, -1), O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return;
	do {
		if (len == cap) {
			cap = cap ? 2 * cap : 16384;
			if (cap > RAW_FILE_MAX || !(grown = realloc(text, cap))) {
				*error = cap > RAW_FILE_MAX ? *error : -ENOMEM;
				goto out;
			}
			text = grown;
		}
		n = read(fd, text + len, cap - len);
		if (n > 0)
			len += (size_t)n;
	} while (n > 0 || (n < 0 && errno == EINTR));
	if (n == 0 && procnet_raw_parse(text, len, family, list) == -ENOMEM)
		*error = -ENOMEM;
out:
	free(text);
	close(fd);
}

static void dump_current(const struct dump_job *job, size_t i, int *error)
{
	struct sock_list *list = &job->lists[i];
	size_t d;

	for (d = 0; d < sizeof(dumps) / sizeof(dumps[0]); d++)
		if (sockdiag_dump(dumps[d].family, dumps[d].protocol, list) == -ENOMEM)
			*error = -ENOMEM;
	read_raw(job->root, job->refs[i].pid, "net/raw", AF_INET, list, error);
	read_raw(job->root, job->refs[i].pid, "net/raw6", AF_INET6, list, error);
}

static void *dump_thread(void *arg)
{
	struct dump_job *job = arg;
	char path[PROC_PATH_MAX];
	struct stat own, st;
	size_t i;
	int fd;

	if (fstatat(job->root->dirfd, "thread-self/ns/net", &own, 0) < 0)
		own.st_ino = 0;
	for (i = 0; i < job->n && !job->error; i++) {
		if (job->refs[i].ino == own.st_ino) {
			dump_current(job, i, &job->error);
			continue;
		}
		fd = openat(job->root->dirfd, proc_path(path, job->refs[i].pid, "ns/net", -1),
			    O_RDONLY | O_CLOEXEC);
		if (fd < 0)
			continue;
		/* The process may have moved: enter only the namespace asked for. */
		if (fstat(fd, &st) == 0 && st.st_ino == job->refs[i].ino &&
		    setns(fd, CLONE_NEWNET) == 0) {
			own.st_ino = st.st_ino;
			dump_current(job, i, &job->error);
		}
		close(fd);
	}
	return NULL;
}

static int kernel_dump(const struct sock_source *source, const struct proc_root *root,
		       const struct netns_ref *refs, size_t n, struct sock_list *lists)
{
	struct dump_job job = { .root = root, .refs = refs, .n = n, .lists = lists };
	pthread_t thread;
	int r;

	(void)source;
	r = pthread_create(&thread, NULL, dump_thread, &job);
	if (r)
		return -r;
	pthread_join(thread, NULL);
	return job.error;
}

const struct sock_source sock_source_kernel = {
	.dump = kernel_dump,
	.real = true,
};
