/* Walks /proc: one pass over processes and their fd links.
 *
 * The walk is system calls end to end, so it runs on every CPU: scan
 * threads take chunks of processes and fill plain records (process facts,
 * the fds some module took, with what it fetched), and the builder adds
 * them chunk by chunk in pid order, so the snapshot is the same whatever
 * thread scanned what. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "array.h"
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
	pid_t *list = NULL;
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
		if (array_reserve(list, cap, n + 1) < 0) {
			free(list);
			closedir(dir);
			return -ENOMEM;
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

#define CHUNK_PROCESSES 32

/* One process as a scan thread found it. */
struct scanned_process {
	struct ipc_process proc;	/* comm in the chunk's arena */
	bool present;			/* still there when scanned */
	uint64_t netns;			/* see fd_probe.netns */
	struct fd_probe *probes;	/* the fds a module took */
	size_t n_probes, cap_probes;
};

enum chunk_state { CHUNK_FREE, CHUNK_TAKEN, CHUNK_DONE };

struct scan_chunk {
	const pid_t *pids;
	size_t count;
	struct scanned_process *procs;
	struct arena *arena;		/* comm and link texts */
	enum chunk_state state;
	int error;			/* -ENOMEM */
};

struct scan_run {
	const struct proc_root *root;
	struct scan_chunk *chunks;
	size_t n_chunks, next;		/* next: the first chunk not yet handed out */
	bool stop;
	pthread_mutex_t lock;
	pthread_cond_t done;
};

/* comm is between the first '(' and the last ')': it may hold either. */
static int read_stat(const struct proc_root *root, struct arena *arena, struct ipc_process *proc)
{
	char path[PROC_PATH_MAX], text[1024];
	const char *open_paren, *close_paren, *p;
	unsigned long long start;
	ssize_t n;
	int field;

	n = proc_read_file(root, proc_path(path, proc->pid, "stat", -1), text, sizeof(text));
	if (n < 0)
		return (int)n;
	open_paren = strchr(text, '(');
	close_paren = strrchr(text, ')');
	if (!open_paren || !close_paren || close_paren < open_paren)
		return -EBADMSG;
	proc->comm = arena_strndup(arena, open_paren + 1, (size_t)(close_paren - open_paren - 1));
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

/* What /proc/<pid>/status says of who may read the process's fds. */
struct status_creds {
	unsigned long uid[3], gid[3];	/* real, effective, saved */
	unsigned long long cap_permitted;
};

static int read_status(const struct proc_root *root, struct ipc_process *proc,
		       struct status_creds *creds)
{
	char path[PROC_PATH_MAX], text[4096], value[256];
	const char *last;
	ssize_t n;

	n = proc_read_file(root, proc_path(path, proc->pid, "status", -1), text, sizeof(text));
	if (n < 0)
		return (int)n;
	if (text_field(text, "Uid", value, sizeof(value)) == 0 &&
	    sscanf(value, "%lu %lu %lu", &creds->uid[0], &creds->uid[1], &creds->uid[2]) == 3) {
		proc->uid = (uid_t)creds->uid[0];
		proc->euid = (uid_t)creds->uid[1];
	}
	if (text_field(text, "Gid", value, sizeof(value)) == 0 &&
	    sscanf(value, "%lu %lu %lu", &creds->gid[0], &creds->gid[1], &creds->gid[2]) == 3) {
		proc->gid = (gid_t)creds->gid[0];
		proc->egid = (gid_t)creds->gid[1];
	}
	if (text_field(text, "CapPrm", value, sizeof(value)) == 0)
		creds->cap_permitted = strtoull(value, NULL, 16);
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

/* The cgroup v2 line "0::<path>" of /proc/<pid>/cgroup, after the v1
 * lines on a hybrid system, into the chunk's arena.  No such line (no v2
 * hierarchy), or one cut short, leaves the cgroup unknown. */
static int read_cgroup(const struct proc_root *root, struct arena *arena, struct ipc_process *proc)
{
	char path[PROC_PATH_MAX], text[4096];
	const char *line, *end;
	ssize_t n;

	n = proc_read_file(root, proc_path(path, proc->pid, "cgroup", -1), text, sizeof(text));
	for (line = n > 0 ? text : NULL; line; line = end ? end + 1 : NULL) {
		end = strchr(line, '\n');
		if (strncmp(line, "0::", 3) != 0 || !end)
			continue;
		proc->cgroup = arena_strndup(arena, line + 3, (size_t)(end - line - 3));
		return proc->cgroup ? 0 : -ENOMEM;
	}
	return 0;
}

/* /proc/<pid>/fd belongs to the process's euid, but reading its links
 * takes the ptrace check too: the reader must be its real, effective and
 * saved uid and gid alike, and hold every capability it holds.  Where that
 * owner could not pass, the directory is given to root, so the kernel
 * refuses what /proc would refuse. */
static bool owner_passes_ptrace(const struct status_creds *c, uid_t owner, gid_t group)
{
	int i;

	for (i = 0; i < 3; i++)
		if (c->uid[i] != owner || c->gid[i] != group)
			return false;
	return c->cap_permitted == 0;
}

/* Offers one fd to the modules; keeps it when one takes it.  -ENOMEM,
 * -EACCES when the links cannot be read, else 0. */
static int scan_fd(const struct proc_root *root, struct arena *arena, struct scanned_process *sp,
		   int fd_dir, const char *name)
{
	char link[PATH_MAX + 1];
	ssize_t n;
	size_t m;
	long fd;
	int r;

	if (!parse_number(name, &fd) || fd > INT_MAX)
		return 0;
	n = readlinkat(fd_dir, name, link, sizeof(link) - 1);
	if (n < 0 && (errno == EACCES || errno == EPERM))
		return -EACCES;	/* listed but not readable: no ptrace access */
	if (n < 0)
		return 0;	/* closed meanwhile */
	link[n] = '\0';
	struct fd_probe probe = {
		.root = root,
		.pid = sp->proc.pid,
		.fd = (int)fd,
		.link = link,
		.link_len = (size_t)n,
		.fd_dir = fd_dir,
		.netns = &sp->netns,
	};
	for (m = 0; m < n_kind_modules; m++) {
		if (!kind_modules[m]->probe_fd)
			continue;
		r = kind_modules[m]->probe_fd(&probe);
		if (r == -ENOMEM)
			return r;
		if (r < 0)
			return 0;	/* gone meanwhile: skip the fd */
		if (r > 0)
			break;
	}
	if (m == n_kind_modules)
		return 0;
	if (array_reserve(sp->probes, sp->cap_probes, sp->n_probes + 1) < 0)
		return -ENOMEM;
	probe.module = (uint8_t)m;
	probe.fd_dir = -1;
	probe.link = arena_strndup(arena, link, (size_t)n);
	if (!probe.link)
		return -ENOMEM;
	sp->probes[sp->n_probes++] = probe;
	return 0;
}

/* Reads the fd directory with getdents64: opendir's stdio-like set-up
 * costs three system calls per process, a third of a small process's. */
static int scan_fds(const struct proc_root *root, struct arena *arena, struct scanned_process *sp,
		    int fd_dir)
{
	_Alignas(struct dirent64) char entries[8192];
	const struct dirent64 *de;
	ssize_t n, pos;
	int r = 0;

	while (r == 0 && (n = getdents64(fd_dir, entries, sizeof(entries))) > 0)
		for (pos = 0; r == 0 && pos < n; pos += de->d_reclen) {
			de = (const struct dirent64 *)(entries + pos);
			r = scan_fd(root, arena, sp, fd_dir, de->d_name);
		}
	if (r == -EACCES) {
		sp->proc.fds_unreadable = true;
		r = 0;
	}
	return r;
}

/* Fills sp for pid; a process that vanished meanwhile stays not present.
 * Returns 0 or -ENOMEM. */
static int scan_process(const struct proc_root *root, struct arena *arena,
			struct scanned_process *sp, pid_t pid)
{
	struct ipc_process *proc = &sp->proc;
	struct status_creds creds = {0};
	char path[PROC_PATH_MAX];
	struct stat st;
	int r, fd_dir;

	proc->pid = pid;
	r = read_stat(root, arena, proc);
	if (r < 0)
		return r == -ENOMEM ? r : 0;
	if (read_status(root, proc, &creds) < 0)
		return 0;
	r = read_cgroup(root, arena, proc);
	if (r < 0)
		return r;
	/* Every process's: its System V objects are read in its namespace. */
	proc->ipcns = proc_ns_inode(root->dirfd, proc_path(path, pid, "ns/ipc", -1), "ipc:[");
	/* The owner and mode come from the open directory; where it cannot
	 * be opened (not ours), from the path. */
	proc_path(path, pid, "fd", -1);
	fd_dir = openat(root->dirfd, path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	r = fd_dir >= 0 ? fstat(fd_dir, &st) : fstatat(root->dirfd, path, &st, 0);
	if (r < 0) {
		if (fd_dir >= 0)
			close(fd_dir);
		return 0;	/* exited meanwhile */
	}
	proc->fd_owner = st.st_uid;
	proc->fd_group = st.st_gid;
	proc->fd_mode = st.st_mode & 07777;
	if (!owner_passes_ptrace(&creds, st.st_uid, st.st_gid))
		proc->fd_owner = proc->fd_group = 0;
	sp->present = true;
	if (fd_dir < 0) {
		proc->fds_unreadable = true;
		return 0;
	}
	r = scan_fds(root, arena, sp, fd_dir);
	close(fd_dir);
	return r;
}

static void scan_chunk(const struct proc_root *root, struct scan_chunk *chunk)
{
	size_t i;

	chunk->procs = calloc(chunk->count, sizeof(*chunk->procs));
	chunk->arena = arena_new();
	if (!chunk->procs || !chunk->arena) {
		chunk->error = -ENOMEM;
		return;
	}
	for (i = 0; i < chunk->count && !chunk->error; i++)
		chunk->error = scan_process(root, chunk->arena, &chunk->procs[i], chunk->pids[i]);
}

static void free_chunk(struct scan_chunk *chunk)
{
	size_t i;

	for (i = 0; chunk->procs && i < chunk->count; i++)
		free(chunk->procs[i].probes);
	free(chunk->procs);
	arena_free(chunk->arena);
	chunk->procs = NULL;
	chunk->arena = NULL;
}

/* Takes the first chunk nobody has for the calling thread, under the
 * lock; false when there is none left (or the run stopped). */
static bool take_chunk(struct scan_run *run, size_t *taken)
{
	while (run->next < run->n_chunks && run->chunks[run->next].state != CHUNK_FREE)
		run->next++;
	if (run->stop || run->next == run->n_chunks)
		return false;
	run->chunks[run->next].state = CHUNK_TAKEN;
	*taken = run->next;
	return true;
}

static void finish_chunk(struct scan_run *run, size_t i)
{
	pthread_mutex_lock(&run->lock);
	run->chunks[i].state = CHUNK_DONE;
	pthread_cond_broadcast(&run->done);
	pthread_mutex_unlock(&run->lock);
}

static void *scan_thread(void *arg)
{
	struct scan_run *run = arg;
	size_t i;
	bool mine;

	for (;;) {
		pthread_mutex_lock(&run->lock);
		mine = take_chunk(run, &i);
		pthread_mutex_unlock(&run->lock);
		if (!mine)
			return NULL;
		scan_chunk(run->root, &run->chunks[i]);
		finish_chunk(run, i);
	}
}

/* Adds a scanned process and the endpoints of its fds to the builder. */
static int add_process(struct builder *b, const struct scanned_process *sp)
{
	struct ipc_process *proc;
	uint32_t index;
	size_t i, m;
	int r;

	if (array_reserve(b->processes, b->cap_processes, b->n_processes + 1) < 0)
		return -ENOMEM;
	index = (uint32_t)b->n_processes;
	proc = &b->processes[index];
	*proc = sp->proc;
	proc->first_endpoint = (uint32_t)b->n_endpoints;
	proc->comm = arena_strndup(b->arena, sp->proc.comm, strlen(sp->proc.comm));
	if (!proc->comm)
		return -ENOMEM;
	if (sp->proc.cgroup &&
	    !(proc->cgroup = builder_intern(b, sp->proc.cgroup, strlen(sp->proc.cgroup))))
		return -ENOMEM;
	b->n_processes++;
	for (i = 0; i < sp->n_probes; i++) {
		struct fd_probe probe = sp->probes[i];

		probe.process = index;
		r = kind_modules[probe.module]->add_fd(b, &probe);
		if (r < 0)
			return r;
	}
	for (m = 0; m < n_kind_modules; m++)
		if (kind_modules[m]->process_scanned &&
		    (r = kind_modules[m]->process_scanned(b, index)) < 0)
			return r;
	return 0;
}

/* Adds chunk i once scanned.  Until then the builder's thread scans
 * chunks too (chunks are taken in order, so i itself when nobody has it)
 * and waits only when every chunk is taken. */
static int add_chunk(struct builder *b, struct scan_run *run, size_t i)
{
	struct scan_chunk *chunk = &run->chunks[i];
	size_t k, j;
	int r;

	pthread_mutex_lock(&run->lock);
	while (chunk->state != CHUNK_DONE) {
		if (!take_chunk(run, &j)) {
			pthread_cond_wait(&run->done, &run->lock);
			continue;
		}
		pthread_mutex_unlock(&run->lock);
		scan_chunk(run->root, &run->chunks[j]);
		pthread_mutex_lock(&run->lock);
		run->chunks[j].state = CHUNK_DONE;
	}
	pthread_mutex_unlock(&run->lock);
	r = chunk->error;
	for (k = 0; r == 0 && k < chunk->count; k++)
		if (chunk->procs[k].present)
			r = add_process(b, &chunk->procs[k]);
	free_chunk(chunk);
	return r;
}

size_t builder_threads(const struct builder *b)
{
	long cpus = sysconf(_SC_NPROCESSORS_ONLN);
	size_t n = b->options->scan_threads ? b->options->scan_threads
					    : cpus > 0 ? (size_t)cpus : 1;

	return n < BUILD_THREADS_MAX ? n : BUILD_THREADS_MAX;
}

int procscan_run(struct builder *b)
{
	struct scan_run run = {
		.root = b->root,
		.lock = PTHREAD_MUTEX_INITIALIZER,
		.done = PTHREAD_COND_INITIALIZER,
	};
	pthread_t threads[BUILD_THREADS_MAX];
	size_t per_chunk = b->options->scan_chunk ? b->options->scan_chunk : CHUNK_PROCESSES;
	size_t n_pids = 0, n_threads = 0, wanted, i;
	pid_t *pids = NULL;
	int r;

	r = list_pids(b->root, &pids, &n_pids);
	if (r < 0)
		return r;
	run.n_chunks = (n_pids + per_chunk - 1) / per_chunk;
	run.chunks = calloc(run.n_chunks ? run.n_chunks : 1, sizeof(*run.chunks));
	if (!run.chunks) {
		free(pids);
		return -ENOMEM;
	}
	for (i = 0; i < run.n_chunks; i++) {
		run.chunks[i].pids = pids + i * per_chunk;
		run.chunks[i].count = i + 1 < run.n_chunks ? per_chunk : n_pids - i * per_chunk;
	}
	/* The calling thread scans too; a thread that cannot start is
	 * only less help. */
	wanted = builder_threads(b);
	if (wanted > run.n_chunks)
		wanted = run.n_chunks;
	while (n_threads + 1 < wanted &&
	       pthread_create(&threads[n_threads], NULL, scan_thread, &run) == 0)
		n_threads++;
	for (i = 0; i < run.n_chunks && r == 0; i++)
		r = add_chunk(b, &run, i);
	pthread_mutex_lock(&run.lock);
	run.stop = true;
	pthread_mutex_unlock(&run.lock);
	for (i = 0; i < n_threads; i++)
		pthread_join(threads[i], NULL);
	for (i = 0; i < run.n_chunks; i++)
		free_chunk(&run.chunks[i]);
	free(run.chunks);
	free(pids);
	return r;
}
