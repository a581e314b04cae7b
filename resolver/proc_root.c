/* Reading the procfs: the only place that touches fd links. */
#include "proc_root.h"

#include <errno.h>
#include <limits.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/sem.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/vfs.h>
#include <unistd.h>
#include <linux/magic.h>

#include "builder.h"
#include "sem_pids.h"

/* Numbers written without printf: paths are made for every process and
 * many fds. */
static char *put_decimal(char *p, unsigned v)
{
	char digits[16], *d = digits + sizeof(digits);

	do
		*--d = (char)('0' + v % 10);
	while ((v /= 10));
	memcpy(p, d, (size_t)(digits + sizeof(digits) - d));
	return p + (digits + sizeof(digits) - d);
}

const char *proc_path(char path[PROC_PATH_MAX], pid_t id, const char *file, int n)
{
	char *p = put_decimal(path, (unsigned)id);
	size_t len;

	if (file) {
		len = strnlen(file, 32);
		*p++ = '/';
		memcpy(p, file, len);
		p += len;
	}
	if (n >= 0) {
		*p++ = '/';
		p = put_decimal(p, (unsigned)n);
	}
	*p = '\0';
	return path;
}

static int fd_facts_syscalls(const struct proc_root *root, int fd_dir, pid_t pid, int fd,
			     unsigned what, struct fd_facts *out)
{
	char name[PROC_PATH_MAX];
	struct statx stx;
	struct stat st;

	(void)root;
	(void)pid;
	proc_path(name, fd, NULL, -1);
	/* The link's own mode carries the file's f_mode (user r/w bits). */
	if (what & FD_FACT_ACCESS) {
		if (fstatat(fd_dir, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
			return -errno;
		out->access = ((st.st_mode & S_IRUSR) ? IPC_ACCESS_R : 0) |
			      ((st.st_mode & S_IWUSR) ? IPC_ACCESS_W : 0);
	}
	if (!(what & FD_FACT_STAT))
		return 0;
	/* Following a /proc fd link resolves the open file without opening
	 * it; DONT_SYNC makes FUSE and network filesystems (our own mount
	 * included) answer from cache instead of asking a server. */
	if (statx(fd_dir, name, AT_STATX_DONT_SYNC, STATX_TYPE | STATX_INO | STATX_SIZE,
		  &stx) < 0)
		return -errno;
	out->type = stx.stx_mode & S_IFMT;
	out->dev = makedev(stx.stx_dev_major, stx.stx_dev_minor);
	out->ino = stx.stx_ino;
	out->size = stx.stx_size;
	return 0;
}

static int sem_pid_syscall(const struct proc_root *root, uint64_t ipcns, int semid, int semnum)
{
	int pid;

	(void)root;
	(void)ipcns;	/* the calling thread is in it */
	pid = semctl(semid, semnum, GETPID);
	return pid < 0 ? -errno : pid;
}

/* Takes hidepid= and gid= from a mountinfo line's super options. */
static void parse_hidepid(struct proc_root *root, char *line)
{
	char *opts = strstr(line, " - "), *opt, *save;
	int field;

	/* " - FSTYPE SOURCE OPTIONS" */
	for (field = 0; opts && field < 3; field++)
		opts = strchr(opts + 1, ' ');
	if (!opts)
		return;
	opts[strcspn(opts, "\n")] = '\0';
	for (opt = strtok_r(opts + 1, ",", &save); opt; opt = strtok_r(NULL, ",", &save)) {
		if (strcmp(opt, "hidepid=invisible") == 0 || strcmp(opt, "hidepid=2") == 0 ||
		    strcmp(opt, "hidepid=ptraceable") == 0 || strcmp(opt, "hidepid=4") == 0) {
			root->hidepid.hides = true;
		} else if (strncmp(opt, "gid=", 4) == 0) {
			root->hidepid.gid = (gid_t)strtoul(opt + 4, NULL, 10);
			root->hidepid.has_gid = true;
		}
	}
}

/* The hidepid= option of the procfs at root->dirfd: its mount is found in
 * mountinfo by mount id.  A procfs that cannot tell hides nothing more
 * than the kernel does on its own. */
static void read_hidepid(struct proc_root *root)
{
	char line[4096];
	struct statx stx;
	bool whole = true;
	FILE *f;
	int fd;

	if (statx(root->dirfd, "", AT_EMPTY_PATH, STATX_MNT_ID, &stx) < 0 ||
	    !(stx.stx_mask & STATX_MNT_ID))
		return;
	fd = openat(root->dirfd, "self/mountinfo", O_RDONLY | O_CLOEXEC);
	f = fd >= 0 ? fdopen(fd, "r") : NULL;
	if (!f) {
		if (fd >= 0)
			close(fd);
		return;
	}
	while (fgets(line, sizeof(line), f)) {
		/* the start of a line, not the rest of one too long */
		bool starts = whole;

		whole = strchr(line, '\n') != NULL;
		if (starts && strtoull(line, NULL, 10) == stx.stx_mnt_id) {
			parse_hidepid(root, line);
			break;
		}
	}
	fclose(f);
}

dev_t mount_dev(const char *path, long magic)
{
	struct statfs fs;
	struct statx stx;

	/* A directory of the filesystem above is no mount of its own (a
	 * /dev/shm on /dev's devtmpfs, which says it is a tmpfs too). */
	if (statx(AT_FDCWD, path, AT_SYMLINK_NOFOLLOW | AT_NO_AUTOMOUNT, STATX_TYPE, &stx) < 0 ||
	    !(stx.stx_attributes_mask & STATX_ATTR_MOUNT_ROOT) ||
	    !(stx.stx_attributes & STATX_ATTR_MOUNT_ROOT) || !S_ISDIR(stx.stx_mode) ||
	    statfs(path, &fs) < 0 || fs.f_type != magic)
		return 0;
	return makedev(stx.stx_dev_major, stx.stx_dev_minor);
}

int proc_root_open(struct proc_root *root, const char *root_path)
{
	int fd = open(root_path, O_PATH | O_DIRECTORY | O_CLOEXEC);

	if (fd < 0)
		return -errno;
	root->dirfd = fd;
	root->fd_facts = fd_facts_syscalls;
	root->mqueue_dev = 0;
	root->shm_dev = mount_dev("/dev/shm", TMPFS_MAGIC);
	root->ipc_namespaces = ipc_namespaces_kernel;
	root->sem_pid = sem_pid_syscall;
	root->hidepid.hides = root->hidepid.has_gid = false;
	read_hidepid(root);
	root->sem_pids = (struct sem_pid_cache){0};
	return 0;
}

void proc_root_close(struct proc_root *root)
{
	if (root->dirfd >= 0)
		close(root->dirfd);
	root->dirfd = -1;
	sem_pid_cache_free(&root->sem_pids);
}

ssize_t proc_read_file(const struct proc_root *root, const char *path, char *buf, size_t size)
{
	ssize_t n;
	int fd;

	if (size == 0)
		return -EINVAL;
	fd = openat(root->dirfd, path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	do
		n = read(fd, buf, size - 1);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		n = -errno;
	else
		buf[n] = '\0';
	close(fd);
	return n;
}

int text_field(const char *text, const char *key, char *out, size_t size)
{
	size_t key_len = strlen(key), n;
	const char *line = text, *value, *end;

	while (line && *line) {
		if (strncmp(line, key, key_len) == 0 && line[key_len] == ':') {
			value = line + key_len + 1;
			value += strspn(value, " \t");
			end = strchrnul(value, '\n');
			while (end > value && (end[-1] == ' ' || end[-1] == '\t'))
				end--;
			n = (size_t)(end - value);
			if (n >= size)
				return -ENAMETOOLONG;
			memcpy(out, value, n);
			out[n] = '\0';
			return 0;
		}
		line = strchr(line, '\n');
		if (line)
			line++;
	}
	return -ENOENT;
}

int fd_probe_facts(struct fd_probe *probe, unsigned what)
{
	unsigned missing = what & ~probe->facts_have;
	int r;

	if (probe->facts_error)
		return probe->facts_error;
	if (!missing)
		return 0;
	r = probe->root->fd_facts(probe->root, probe->fd_dir, probe->pid, probe->fd, missing,
				  &probe->facts);
	if (r < 0)
		probe->facts_error = r;
	else
		probe->facts_have |= missing;
	return r;
}

ssize_t fd_probe_fdinfo(const struct fd_probe *probe, char *text, size_t size)
{
	char path[PROC_PATH_MAX];

	return proc_read_file(probe->root, proc_path(path, probe->pid, "fdinfo", probe->fd), text,
			      size);
}

unsigned fdinfo_access(const char *text)
{
	char value[32];

	if (text_field(text, "flags", value, sizeof(value)) < 0)
		return 0;
	switch (strtoul(value, NULL, 8) & O_ACCMODE) {
	case O_RDONLY: return IPC_ACCESS_R;
	case O_WRONLY: return IPC_ACCESS_W;
	default: return IPC_ACCESS_R | IPC_ACCESS_W;
	}
}

bool ipc_process_alive(const struct proc_root *root, const char *name)
{
	char *end;
	long pid;

	if (name[0] < '1' || name[0] > '9')
		return false;
	errno = 0;
	pid = strtol(name, &end, 10);
	/* /proc/<tid> answers for threads too: only a group leader counts. */
	return !errno && !*end && pid <= INT_MAX && ipc_thread_group(root, (pid_t)pid) == pid;
}

pid_t ipc_thread_group(const struct proc_root *root, pid_t tid)
{
	char path[PROC_PATH_MAX], text[4096], value[32];
	ssize_t n;
	int r;

	if (tid <= 0)
		return -ENOENT;
	n = proc_read_file(root, proc_path(path, tid, "status", -1), text, sizeof(text));
	if (n < 0)
		return (pid_t)n;
	r = text_field(text, "Tgid", value, sizeof(value));
	if (r < 0)
		return r;
	return (pid_t)strtol(value, NULL, 10);
}

int read_lines(int fd, char *buf, size_t size, size_t *dropped,
	       int (*line)(void *context, char *text, size_t len), void *context)
{
	size_t have = 0, len, pos;
	bool skipping = false;
	char *newline;
	ssize_t n;
	int r;

	if (size < 2)
		return -EINVAL;
	for (;;) {
		n = read(fd, buf + have, size - 1 - have);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		if (n == 0)
			break;
		len = have + (size_t)n;
		pos = 0;
		while ((newline = memchr(buf + pos, '\n', len - pos))) {
			if (skipping) {
				skipping = false;
			} else {
				*newline = '\0';
				r = line(context, buf + pos, (size_t)(newline - buf) - pos);
				if (r)
					return r;
			}
			pos = (size_t)(newline - buf) + 1;
		}
		have = len - pos;
		if (skipping) {
			have = 0;
		} else if (have == size - 1) {
			/* No newline in a full buffer: drop up to the next one. */
			skipping = true;
			have = 0;
			if (dropped)
				(*dropped)++;
		} else {
			memmove(buf, buf + pos, have);
		}
	}
	if (have && !skipping) {
		buf[have] = '\0';
		return line(context, buf, have);
	}
	return 0;
}

/* "pipe:[N]", "socket:[N]": the inode in the link text, or 0. */
uint64_t link_inode(const char *link, const char *prefix)
{
	size_t n = strlen(prefix);
	unsigned long long ino;
	char *end;

	if (strncmp(link, prefix, n) != 0 || link[n] < '0' || link[n] > '9')
		return 0;
	ino = strtoull(link + n, &end, 10);
	return strcmp(end, "]") == 0 ? ino : 0;
}

int ns_ref_order(const void *a, const void *b)
{
	const struct ns_ref *x = a, *y = b;

	return (x->ino > y->ino) - (x->ino < y->ino);
}

uint64_t proc_ns_inode(int dirfd, const char *path, const char *prefix)
{
	char link[64];
	ssize_t n = readlinkat(dirfd, path, link, sizeof(link) - 1);

	if (n <= 0)
		return 0;
	link[n] = '\0';
	return link_inode(link, prefix);
}

int proc_ns_enter(const struct proc_root *root, const struct ns_ref *ref, const char *file,
		  int nstype)
{
	char path[PROC_PATH_MAX];
	struct stat st;
	int fd, r;

	fd = openat(root->dirfd, proc_path(path, ref->pid, file, -1), O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	/* The process may have moved: enter only the namespace asked for. */
	if (fstat(fd, &st) < 0)
		r = -errno;
	else if (st.st_ino != ref->ino)
		r = -ESTALE;
	else
		r = setns(fd, nstype) < 0 ? -errno : 0;
	close(fd);
	return r;
}
