/* Walks /proc: one pass over processes and their fd links. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "builder.h"

static int compare_pid(const void *a, const void *b)
{
	pid_t x = *(const pid_t *)a, y = *(const pid_t *)b;

	return (x > y) - (x < y);
}

static bool parse_number(const char *s, long *out)
{
	char *end;

	if (*s < '0' || *s > '9')
		return false;
	errno = 0;
	*out = strtol(s, &end, 10);
	return !errno && !*end;
}

/* Lists the numeric entries of the root, sorted, so processes get their
 * final index as they are scanned. */
static int list_pids(const struct proc_root *root, pid_t **pids, size_t *count)
{
	size_t n = 0, cap = 0;
	pid_t *list = NULL, *grown;
	struct dirent *de;
	DIR *dir;
	long pid;
	int fd;

	fd = openat(root->dirfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	dir = fdopendir(fd);
	if (!dir) {
		close(fd);
		return -errno;
	}
	while ((de = readdir(dir))) {
		if (!parse_number(de->d_name, &pid) || pid <= 0 || pid > INT_MAX)
			continue;
		if (n == cap) {
			cap = cap ? cap * 2 : 512;
			grown = realloc(list, cap * sizeof(*list));
			if (!grown) {
				free(list);
				closedir(dir);
				return -ENOMEM;
			}
			list = grown;
		}
		list[n++] = (pid_t)pid;
	}
	closedir(dir);
	if (n)	/* list is NULL when there are none */
		qsort(list, n, sizeof(*list), compare_pid);
	*pids = list;
	*count = n;
	return 0;
}

/* comm is between the first '(' and the last ')': it may hold either. */
static int read_stat(struct builder *b, struct ipc_process *proc)
{
	char path[32], text[1024];
	const char *open_paren, *close_paren, *p;
	unsigned long long start;
	ssize_t n;
	int field;

	snprintf(path, sizeof(path), "%d/stat", proc->pid);
	n = proc_read_file(b->root, path, text, sizeof(text));
	if (n < 0)
		return (int)n;
	open_paren = strchr(text, '(');
	close_paren = strrchr(text, ')');
	if (!open_paren || !close_paren || close_paren < open_paren)
		return -EBADMSG;
	proc->comm = arena_strndup(b->arena, open_paren + 1,
				   (size_t)(close_paren - open_paren - 1));
	if (!proc->comm)
		return -ENOMEM;
	/* After ") " come fields 3 (state) onwards; starttime is field 22. */
	p = close_paren + 1;
	for (field = 3; field <= 22; field++) {
		p += strspn(p, " ");
		if (!*p)
			return -EBADMSG;
		if (field == 22)
			break;
		p += strcspn(p, " ");
	}
	if (sscanf(p, "%llu", &start) != 1)
		return -EBADMSG;
	proc->start_time = start;
	return 0;
}

static int read_status(struct builder *b, struct ipc_process *proc)
{
	char path[32], text[4096], value[256];
	unsigned long a, e;
	const char *last;
	ssize_t n;

	snprintf(path, sizeof(path), "%d/status", proc->pid);
	n = proc_read_file(b->root, path, text, sizeof(text));
	if (n < 0)
		return (int)n;
	if (text_field(text, "Uid", value, sizeof(value)) == 0 &&
	    sscanf(value, "%lu %lu", &a, &e) == 2) {
		proc->uid = (uid_t)a;
		proc->euid = (uid_t)e;
	}
	if (text_field(text, "Gid", value, sizeof(value)) == 0 &&
	    sscanf(value, "%lu %lu", &a, &e) == 2) {
		proc->gid = (gid_t)a;
		proc->egid = (gid_t)e;
	}
	/* NSpid lists the pid from the outermost namespace inwards. */
	if (text_field(text, "NSpid", value, sizeof(value)) == 0) {
		last = strrchr(value, '\t');
		if (!last)
			last = strrchr(value, ' ');
		if (last && strtol(last + 1, NULL, 10) != proc->pid)
			proc->nspid = (pid_t)strtol(last + 1, NULL, 10);
	}
	return 0;
}

static int scan_fds(struct builder *b, uint32_t index, int fd_dir)
{
	char link[PATH_MAX + 1];
	pid_t pid = b->processes[index].pid;
	struct dirent *de;
	DIR *dir;
	ssize_t n;
	size_t m;
	long fd;
	int r;

	dir = fdopendir(fd_dir);
	if (!dir) {
		close(fd_dir);
		return -errno;
	}
	while ((de = readdir(dir))) {
		if (!parse_number(de->d_name, &fd) || fd > INT_MAX)
			continue;
		n = readlinkat(dirfd(dir), de->d_name, link, sizeof(link) - 1);
		if (n < 0 && (errno == EACCES || errno == EPERM)) {
			/* Listed but not readable: no ptrace access. */
			b->processes[index].fds_unreadable = true;
			break;
		}
		if (n < 0)
			continue;	/* closed meanwhile */
		link[n] = '\0';
		struct fd_probe probe = {
			.root = b->root,
			.process = index,
			.pid = pid,
			.fd = (int)fd,
			.link = link,
			.link_len = (size_t)n,
			.fd_dir = dirfd(dir),
		};
		for (m = 0; m < n_kind_modules; m++) {
			if (!kind_modules[m]->claim_fd)
				continue;
			r = kind_modules[m]->claim_fd(b, &probe);
			if (r == -ENOMEM) {
				closedir(dir);
				return r;
			}
			if (r != 0)
				break;	/* taken, or gone: skip the fd */
		}
	}
	closedir(dir);
	return 0;
}

/* Adds one process; a process that vanished meanwhile is left out. */
static int scan_process(struct builder *b, pid_t pid)
{
	struct ipc_process *proc;
	char path[32];
	struct stat st;
	uint32_t index;
	int r, fd_dir;

	if (b->n_processes == b->cap_processes) {
		size_t cap = b->cap_processes ? b->cap_processes * 2 : 512;
		struct ipc_process *grown = realloc(b->processes, cap * sizeof(*grown));

		if (!grown)
			return -ENOMEM;
		b->processes = grown;
		b->cap_processes = cap;
	}
	index = (uint32_t)b->n_processes;
	proc = &b->processes[index];
	*proc = (struct ipc_process){ .pid = pid, .first_endpoint = (uint32_t)b->n_endpoints };
	r = read_stat(b, proc);
	if (r == -ENOMEM)
		return r;
	if (r < 0)
		return 0;
	r = read_status(b, proc);
	if (r < 0)
		return 0;
	snprintf(path, sizeof(path), "%d/fd", pid);
	if (fstatat(b->root->dirfd, path, &st, 0) < 0)
		return 0;
	proc->fd_owner = st.st_uid;
	proc->fd_group = st.st_gid;
	proc->fd_mode = st.st_mode & 07777;
	b->n_processes++;
	fd_dir = openat(b->root->dirfd, path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd_dir < 0) {
		if (errno == ENOENT || errno == ESRCH) {
			b->n_processes--;	/* exited between the two calls */
			return 0;
		}
		b->processes[index].fds_unreadable = true;
		return 0;
	}
	return scan_fds(b, index, fd_dir);
}

int procscan_run(struct builder *b)
{
	pid_t *pids = NULL;
	size_t n = 0, i;
	int r;

	r = list_pids(b->root, &pids, &n);
	if (r < 0)
		return r;
	for (i = 0; i < n && r == 0; i++) {
		size_t before = b->n_processes, m;

		r = scan_process(b, pids[i]);
		for (m = 0; m < n_kind_modules && r == 0 && b->n_processes > before; m++)
			if (kind_modules[m]->process_scanned)
				r = kind_modules[m]->process_scanned(b, (uint32_t)before);
	}
	free(pids);
	return r < 0 ? r : 0;
}
