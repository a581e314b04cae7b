/* The kernel as the source of socket facts: one sock_diag dump per family
 * and protocol per network namespace, taken from a helper thread that
 * enters each namespace in turn, so no FUSE thread ever moves.  Raw
 * sockets come from /proc/PID/net/raw and raw6 of a process in the
 * namespace: kernels without raw_diag (this one) have nothing else.
 * vsock sockets come from vsock_diag, which many kernels lack (this one):
 * its absence is remembered for a while. */
#include <errno.h>
#include <fcntl.h>
#include <linux/netlink.h>
#include <netinet/in.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <sys/socket.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "builder.h"
#include "ipcfs/sockdiag.h"

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
	{ AF_VSOCK, 0 },	/* the namespace's own: the kernel filters by it */
};

/* A kernel without vsock_diag answers ENOENT, after asking for the module
 * (a modprobe run on a modular kernel): not asked again for this many
 * seconds, so most builds cost no request at all and none costs more than
 * one. */
#define VSOCK_RETRY_SECONDS 60
static _Atomic long long vsock_retry_at;

static long long monotonic_seconds(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec;
}

/* /proc/net/raw of a large host: a line is 128 bytes */
#define RAW_FILE_MAX (4u << 20)

/* Appends the raw sockets of the namespace whose file ("<dir>/net/raw" or
 * "net/raw6") path is; false when it cannot be read (no IPv6, the process
 * gone), which adds none. */
static bool read_raw(const struct proc_root *root, const char *path, int family,
		     struct sock_list *list, int *error)
{
	char *text = NULL, *grown;
	size_t len = 0, cap = 0;
	ssize_t n;
	int fd;

	fd = openat(root->dirfd, path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return false;
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
	return true;
}

static void dump_sockdiag(struct sock_list *list, int *error)
{
	size_t d;
	int r;

	for (d = 0; d < sizeof(dumps) / sizeof(dumps[0]); d++) {
		bool vsock = dumps[d].family == AF_VSOCK;

		if (vsock && monotonic_seconds() < vsock_retry_at)
			continue;
		r = sockdiag_dump(dumps[d].family, dumps[d].protocol, list);
		if (r == -ENOMEM)
			*error = -ENOMEM;
		else if (vsock && r == -ENOENT)
			vsock_retry_at = monotonic_seconds() + VSOCK_RETRY_SECONDS;
	}
}

/* The raw sockets of the namespace of dir ("<pid>", "thread-self");
 * false when its IPv4 file cannot be read. */
static bool read_raws(const struct proc_root *root, const char *dir, struct sock_list *list,
		      int *error)
{
	char path[PROC_PATH_MAX];
	bool read;

	snprintf(path, sizeof(path), "%s/net/raw", dir);
	read = read_raw(root, path, AF_INET, list, error);
	snprintf(path, sizeof(path), "%s/net/raw6", dir);
	read_raw(root, path, AF_INET6, list, error);
	return read;
}

static bool read_raws_of(const struct proc_root *root, pid_t pid, struct sock_list *list,
			 int *error)
{
	char dir[PROC_PATH_MAX];

	return read_raws(root, proc_path(dir, pid, NULL, -1), list, error);
}

/* The inode of the calling thread's network namespace, 0 unknown. */
static uint64_t own_netns(const struct proc_root *root)
{
	struct stat st;

	return fstatat(root->dirfd, "thread-self/ns/net", &st, 0) == 0 ? st.st_ino : 0;
}

struct sock_ahead {
	const struct proc_root *root;
	pthread_t thread;
	uint64_t ino;		/* the namespace dumped, 0 unknown */
	struct sock_list list;	/* its records */
	bool raws;		/* the raw ones among them */
	int error;
	bool joined;
};

static void *ahead_thread(void *arg)
{
	struct sock_ahead *ahead = arg;

	ahead->ino = own_netns(ahead->root);
	if (!ahead->ino)
		return NULL;
	dump_sockdiag(&ahead->list, &ahead->error);
	/* Where thread-self is not ours (a procfs of another pid namespace),
	 * the taker reads them through a process of the namespace. */
	ahead->raws = read_raws(ahead->root, "thread-self", &ahead->list, &ahead->error);
	return NULL;
}

struct sock_ahead *sock_ahead_start(const struct proc_root *root)
{
	struct sock_ahead *ahead = calloc(1, sizeof(*ahead));

	if (!ahead)
		return NULL;
	ahead->root = root;
	if (pthread_create(&ahead->thread, NULL, ahead_thread, ahead) != 0) {
		free(ahead);
		return NULL;
	}
	return ahead;
}

static void ahead_join(struct sock_ahead *ahead)
{
	if (!ahead->joined)
		pthread_join(ahead->thread, NULL);
	ahead->joined = true;
}

void sock_ahead_free(struct sock_ahead *ahead)
{
	if (!ahead)
		return;
	ahead_join(ahead);
	sock_list_free(&ahead->list);
	free(ahead);
}

struct dump_job {
	const struct proc_root *root;
	const struct ns_ref *refs;
	size_t n, taken;	/* taken: the ref served ahead, or n */
	struct sock_list *lists;
	int error;
};

static void *dump_thread(void *arg)
{
	struct dump_job *job = arg;
	uint64_t own = own_netns(job->root);
	size_t i;

	for (i = 0; i < job->n && !job->error; i++) {
		if (i == job->taken)
			continue;
		if (job->refs[i].ino == own) {
			dump_sockdiag(&job->lists[i], &job->error);
			read_raws_of(job->root, job->refs[i].pid, &job->lists[i], &job->error);
			continue;
		}
		if (proc_ns_enter(job->root, &job->refs[i], "ns/net", CLONE_NEWNET) == 0) {
			own = job->refs[i].ino;
			dump_sockdiag(&job->lists[i], &job->error);
			read_raws_of(job->root, job->refs[i].pid, &job->lists[i], &job->error);
		}
	}
	return NULL;
}

/* The ref in ahead's namespace takes its records (once: they move);
 * returns its index, or n. */
static size_t take_ahead(const struct proc_root *root, struct sock_ahead *ahead,
			 const struct ns_ref *refs, size_t n, struct sock_list *lists, int *error)
{
	size_t i;

	ahead_join(ahead);
	for (i = 0; i < n && ahead->ino && !ahead->error; i++) {
		if (refs[i].ino != ahead->ino)
			continue;
		lists[i] = ahead->list;
		ahead->list = (struct sock_list){0};
		ahead->ino = 0;
		if (!ahead->raws)
			read_raws_of(root, refs[i].pid, &lists[i], error);
		return i;
	}
	return n;
}

int sock_kernel_dump(const struct proc_root *root, struct sock_ahead *ahead,
		     const struct ns_ref *refs, size_t n, struct sock_list *lists)
{
	struct dump_job job = { .root = root, .refs = refs, .n = n, .taken = n, .lists = lists };
	pthread_t thread;
	size_t left = n;
	int r;

	if (ahead)
		job.taken = take_ahead(root, ahead, refs, n, lists, &job.error);
	if (job.taken < n)
		left--;
	/* Only namespaces the dumps ahead did not serve need the thread. */
	if (job.error || left == 0)
		return job.error;
	r = pthread_create(&thread, NULL, dump_thread, &job);
	if (r)
		return -r;
	pthread_join(thread, NULL);
	return job.error;
}

static int kernel_dump(const struct sock_source *source, const struct proc_root *root,
		       const struct ns_ref *refs, size_t n, struct sock_list *lists)
{
	(void)source;
	return sock_kernel_dump(root, NULL, refs, n, lists);
}

const struct sock_source sock_source_kernel = {
	.dump = kernel_dump,
	.real = true,
};
