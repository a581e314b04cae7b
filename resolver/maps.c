/* /proc/<pid>/maps: a parser over text, and the reading of every scanned
 * process's maps by a few detached worker threads.  A read can wait on the
 * process's mm lock for as long as it likes (a process in exec, or faulting
 * on a hung mount), so the build waits for the readers at most
 * MAPS_DEADLINE_MS past the point where it needs their results, marks the
 * processes whose read did not finish maps_unavailable, and never joins a
 * worker: workers share only a refcounted job holding its own dup of the
 * root and hand results over in buffers they own until taken. */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/sysmacros.h>
#include <time.h>
#include <unistd.h>

#include "array.h"
#include "maps.h"

#define MAPS_WORKERS 4
#define MAPS_DEADLINE_MS 200
#define MAPS_BATCH 16	/* processes queued per wake-up of a worker */
/* Workers still stuck on a read after their build gave up.  Past
 * MAPS_STUCK_LIMIT a build reads no maps at all, so a system full of hung
 * processes costs a bounded number of threads. */
#define MAPS_STUCK_LIMIT 32
#define MAPS_STUCK_SLOTS (MAPS_STUCK_LIMIT + MAPS_WORKERS)
#define WORKER_STACK ((size_t)128 << 10)

/* Hex or decimal digits at *p (before end), at most 64 bits. */
static bool take_number(const char **p, const char *end, unsigned base, uint64_t *out)
{
	uint64_t value = 0;
	const char *s = *p;
	unsigned digit;

	for (; s < end; s++) {
		if (*s >= '0' && *s <= '9')
			digit = (unsigned)(*s - '0');
		else if (base == 16 && *s >= 'a' && *s <= 'f')
			digit = (unsigned)(*s - 'a' + 10);
		else
			break;
		/* Builtins, not a division per digit: every maps line has six
		 * numbers. */
		if (__builtin_mul_overflow(value, base, &value) ||
		    __builtin_add_overflow(value, digit, &value))
			return false;
	}
	if (s == *p)
		return false;
	*p = s;
	*out = value;
	return true;
}

static bool take_char(const char **p, const char *end, char c)
{
	if (*p >= end || **p != c)
		return false;
	(*p)++;
	return true;
}

#define DELETED " (deleted)"

bool maps_path_deleted(const char *path, size_t len)
{
	size_t n = strlen(DELETED);

	return len >= n && memcmp(path + len - n, DELETED, n) == 0;
}

static bool starts_with(const char *path, size_t len, const char *prefix)
{
	size_t n = strlen(prefix);

	return len > n && memcmp(path, prefix, n) == 0;
}

/* What the kernel names the shmem object behind a shared anonymous
 * mapping (shmem_zero_setup). */
#define ANON_SHARED "/dev/zero" DELETED

/* "/SYSV%08x (deleted)" exactly. */
static bool sysv_name(const char *path, size_t len, uint32_t *key)
{
	const char *p = path + 5;
	uint64_t value;

	if (len != 5 + 8 + strlen(DELETED) || memcmp(path, "/SYSV", 5) != 0 ||
	    !maps_path_deleted(path, len) || !take_number(&p, path + 13, 16, &value) || p != path + 13)
		return false;
	*key = (uint32_t)value;
	return true;
}

int maps_class(const char *path, size_t len, bool shared, uint32_t *sysv_key)
{
	/* SysV inodes are shmids, 0 included. */
	if (len == 0)
		return MAPS_NONE;
	if (starts_with(path, len, "/memfd:") && maps_path_deleted(path, len))
		return MAPS_MEMFD;
	if (sysv_name(path, len, sysv_key))
		return MAPS_SYSV;
	if (starts_with(path, len, "/dev/shm/"))
		return MAPS_SHM;
	/* A private mapping of it is copy-on-write memory, shared with no one. */
	if (shared && len == strlen(ANON_SHARED) && memcmp(path, ANON_SHARED, len) == 0)
		return MAPS_ANONSHM;
	return MAPS_NONE;
}

int maps_parse_line(const char *text, size_t len, struct maps_line *out)
{
	const char *p = text, *end = text + len;
	uint64_t offset, major, minor;
	bool shared;

	*out = (struct maps_line){ .path = "" };
	if (!take_number(&p, end, 16, &out->start) || !take_char(&p, end, '-') ||
	    !take_number(&p, end, 16, &out->end) || !take_char(&p, end, ' ') || end - p < 5 ||
	    p[4] != ' ')
		return -EBADMSG;
	out->access = (p[0] == 'r' ? IPC_ACCESS_R : 0) | (p[1] == 'w' ? IPC_ACCESS_W : 0);
	shared = p[3] == 's';
	p += 5;
	if (!take_number(&p, end, 16, &offset) || !take_char(&p, end, ' ') ||
	    !take_number(&p, end, 16, &major) || !take_char(&p, end, ':') ||
	    !take_number(&p, end, 16, &minor) || !take_char(&p, end, ' ') ||
	    !take_number(&p, end, 10, &out->ino) || major > 0xfff || minor > 0xfffff)
		return -EBADMSG;
	out->dev = makedev((unsigned)major, (unsigned)minor);
	/* The kernel pads with spaces to a column before the path; an
	 * anonymous mapping ends after one space, or a truncated line at
	 * the inode. */
	if (p < end && !take_char(&p, end, ' '))
		return -EBADMSG;
	while (p < end && *p == ' ')
		p++;
	out->path = p;
	out->path_len = (size_t)(end - p);
	return maps_class(p, out->path_len, shared, &out->sysv_key);
}

/* Lines of interest while parsing: objects before folding, paths kept as
 * offsets into one growing buffer. */
struct parse {
	struct maps_object *objects;
	size_t n, cap;
	char *paths;
	size_t paths_len, paths_cap;
	size_t dropped;
	dev_t shm_dev;			/* see proc_root.shm_dev; 0: none */
	char shm_dev_text[24];		/* " MM:mm " as maps text writes it */
	size_t shm_dev_text_len;
};

static void parse_init(struct parse *parse, dev_t shm_dev)
{
	*parse = (struct parse){ .shm_dev = shm_dev };
	if (shm_dev)
		parse->shm_dev_text_len = (size_t)snprintf(parse->shm_dev_text,
							   sizeof(parse->shm_dev_text), " %02x:%02x ",
							   major(shm_dev), minor(shm_dev));
}

/* A file on ipcfs's own /dev/shm is POSIX shared memory under any name
 * (a chroot's view of it, a bind mount), as kind_shm.c takes its fds. */
static int class_on_shm_dev(const struct parse *parse, const struct maps_line *line, int class)
{
	if (class == MAPS_NONE && parse->shm_dev && line->dev == parse->shm_dev &&
	    line->path_len && line->path[0] == '/')
		return MAPS_SHM;
	return class;
}

/* Copies a maps path into out as its fd link reads: the kernel's
 * seq_path() escapes a newline in a name as "\012" and nothing else (not
 * even a backslash, so a name holding those four bytes reads the same).
 * Returns the length copied, at most n. */
static size_t unescape_path(char *out, const char *path, size_t n)
{
	size_t i, len = 0;

	for (i = 0; i < n; i++) {
		if (path[i] == '\\' && n - i >= 4 && memcmp(path + i + 1, "012", 3) == 0) {
			out[len++] = '\n';
			i += 3;
		} else {
			out[len++] = path[i];
		}
	}
	return len;
}

/* Whether text holds a path maps_parse_line could class as ours: most
 * lines map libraries or nothing, and are passed over without parsing. */
static bool may_be_ours(const char *text, size_t len)
{
	const char *p = text, *end = text + len;

	while ((p = memchr(p, '/', (size_t)(end - p)))) {
		p++;
		if (starts_with(p, (size_t)(end - p), "memfd:") ||
		    starts_with(p, (size_t)(end - p), "SYSV") ||
		    starts_with(p, (size_t)(end - p), "dev/shm/") ||
		    starts_with(p, (size_t)(end - p), "dev/zero"))
			return true;
	}
	return false;
}

/* Keeps one mapping of ours; its path as the kernel wrote it in maps
 * text (escaped) or as d_path made it. */
static int add_object(struct parse *parse, int class, const struct maps_line *line, bool escaped)
{
	size_t path_len;

	if (array_reserve(parse->objects, parse->cap, parse->n + 1) < 0 ||
	    array_reserve(parse->paths, parse->paths_cap, parse->paths_len + line->path_len + 1) < 0)
		return -ENOMEM;
	if (escaped) {
		path_len = unescape_path(parse->paths + parse->paths_len, line->path, line->path_len);
	} else {
		memcpy(parse->paths + parse->paths_len, line->path, line->path_len);
		path_len = line->path_len;
	}
	parse->paths[parse->paths_len + path_len] = '\0';
	parse->objects[parse->n++] = (struct maps_object){
		.class = (uint8_t)class,
		.access = (uint8_t)line->access,
		.dev = line->dev,
		.ino = line->ino,
		.start = line->start,
		.length = line->end - line->start,
		.sysv_key = line->sysv_key,
		/* An offset until the buffer stops moving. */
		.path = (const char *)(uintptr_t)parse->paths_len,
	};
	parse->paths_len += path_len + 1;
	return 0;
}

static int parse_line(void *context, char *text, size_t len)
{
	struct parse *parse = context;
	struct maps_line line;
	int class = MAPS_NONE;

	if (may_be_ours(text, len) ||
	    (parse->shm_dev && memmem(text, len, parse->shm_dev_text, parse->shm_dev_text_len))) {
		class = maps_parse_line(text, len, &line);
		class = class_on_shm_dev(parse, &line, class);
	}
	if (class <= MAPS_NONE)
		return 0;	/* nothing of ours, or a line cut short */
	return add_object(parse, class, &line, true);
}

static int compare_object(const void *x, const void *y)
{
	const struct maps_object *a = x, *b = y;

	if (a->class != b->class)
		return a->class < b->class ? -1 : 1;
	if (a->dev != b->dev)
		return a->dev < b->dev ? -1 : 1;
	if (a->ino != b->ino)
		return a->ino < b->ino ? -1 : 1;
	return (a->start > b->start) - (a->start < b->start);
}

/* Folds what parse holds into a new result (NULL when it holds nothing)
 * and takes its buffers. */
static int parse_finish(struct parse *parse, struct maps_result **out)
{
	struct maps_result *result;
	size_t i, kept = 0;

	if (parse->n == 0) {
		free(parse->objects);
		free(parse->paths);
		return 0;
	}
	/* Sorted, each object's first line has its lowest start. */
	qsort(parse->objects, parse->n, sizeof(*parse->objects), compare_object);
	for (i = 0; i < parse->n; i++) {
		struct maps_object *o = &parse->objects[i];

		o->path = parse->paths + (uintptr_t)o->path;
		if (kept && parse->objects[kept - 1].class == o->class &&
		    parse->objects[kept - 1].dev == o->dev && parse->objects[kept - 1].ino == o->ino) {
			parse->objects[kept - 1].access |= o->access;
			parse->objects[kept - 1].length += o->length;
			continue;
		}
		parse->objects[kept++] = *o;
	}
	result = calloc(1, sizeof(*result));
	if (!result) {
		free(parse->objects);
		free(parse->paths);
		return -ENOMEM;
	}
	result->objects = parse->objects;
	result->n_objects = kept;
	result->paths = parse->paths;
	result->dropped_lines = parse->dropped;
	*out = result;
	return 0;
}

int maps_parse_fd(int fd, char *buf, size_t size, dev_t shm_dev, struct maps_result **out)
{
	struct parse parse;
	int r;

	parse_init(&parse, shm_dev);
	*out = NULL;
	r = read_lines(fd, buf, size, &parse.dropped, parse_line, &parse);
	if (r < 0) {
		free(parse.objects);
		free(parse.paths);
		return r;
	}
	return parse_finish(&parse, out);
}

/* PROCMAP_QUERY (linux/fs.h, kernel 6.11): the ABI spelled out here, as
 * Debian 12's headers predate it. */
struct procmap_query_abi {
	uint64_t size;
	uint64_t query_flags;
	uint64_t query_addr;
	uint64_t vma_start, vma_end;
	uint64_t vma_flags;
	uint64_t vma_page_size;
	uint64_t vma_offset;
	uint64_t inode;
	uint32_t dev_major, dev_minor;
	uint32_t vma_name_size, build_id_size;
	uint64_t vma_name_addr, build_id_addr;
};
#define PROCMAP_QUERY_IOCTL _IOWR('f', 17, struct procmap_query_abi)
#define QUERY_VMA_READABLE 0x01
#define QUERY_VMA_WRITABLE 0x02
#define QUERY_VMA_SHARED 0x08
#define QUERY_COVERING_OR_NEXT_VMA 0x10
#define QUERY_FILE_BACKED_VMA 0x20

/* Every object of ours is a file's mapping on a filesystem with no device
 * (the kernel's shmem mount of memfds, System V and shared anonymous
 * memory; the tmpfs of /dev/shm; hugetlbfs), so only those and shared
 * mappings are named: a name costs a d_path, and most mappings are
 * libraries. */
static bool query_needs_name(const struct procmap_query_abi *q)
{
	return q->dev_major == 0 || (q->vma_flags & QUERY_VMA_SHARED);
}

int maps_query_fd(int fd, char *buf, size_t size, dev_t shm_dev, struct maps_result **out)
{
	struct parse parse;
	struct procmap_query_abi q, named;
	uint64_t addr = 0;
	int class, r = 0;

	parse_init(&parse, shm_dev);
	*out = NULL;
	for (;;) {
		q = (struct procmap_query_abi){
			.size = sizeof(q),
			.query_flags = QUERY_COVERING_OR_NEXT_VMA | QUERY_FILE_BACKED_VMA,
			.query_addr = addr,
		};
		if (ioctl(fd, PROCMAP_QUERY_IOCTL, &q) < 0) {
			/* ENOENT: no mapping past addr; ESRCH: no memory at
			 * all (a kernel thread, or one that exited) */
			r = errno == ENOENT || errno == ESRCH ? 0 : -errno;
			break;
		}
		addr = q.vma_end;
		if (!query_needs_name(&q))
			continue;
		/* The mapping at its start again, now with its name. */
		named = (struct procmap_query_abi){
			.size = sizeof(named),
			.query_addr = q.vma_start,
			.vma_name_size = (uint32_t)size,
			.vma_name_addr = (uintptr_t)buf,
		};
		if (ioctl(fd, PROCMAP_QUERY_IOCTL, &named) < 0) {
			if (errno == ENAMETOOLONG) {
				parse.dropped++;	/* as a maps line too long */
				continue;
			}
			if (errno == ENOENT)
				continue;	/* unmapped meanwhile */
			r = errno == ESRCH ? 0 : -errno;
			break;
		}
		addr = named.vma_end;
		struct maps_line line = {
			.start = named.vma_start,
			.end = named.vma_end,
			.access = (named.vma_flags & QUERY_VMA_READABLE ? IPC_ACCESS_R : 0) |
				  (named.vma_flags & QUERY_VMA_WRITABLE ? IPC_ACCESS_W : 0),
			.dev = makedev(named.dev_major, named.dev_minor),
			.ino = named.inode,
			.path = buf,
			/* the size counts the NUL; an anonymous mapping has none */
			.path_len = named.vma_name_size ? named.vma_name_size - 1 : 0,
		};
		class = maps_class(line.path, line.path_len, named.vma_flags & QUERY_VMA_SHARED,
				   &line.sysv_key);
		class = class_on_shm_dev(&parse, &line, class);
		if (class > MAPS_NONE && (r = add_object(&parse, class, &line, false)) < 0)
			break;
	}
	if (r < 0) {
		free(parse.objects);
		free(parse.paths);
		return r;
	}
	return parse_finish(&parse, out);
}

void maps_result_free(struct maps_result *result)
{
	if (!result)
		return;
	free(result->objects);
	free(result->paths);
	free(result);
}

static int read_process(int dirfd, pid_t pid, dev_t shm_dev, char *buf, size_t size,
			struct maps_result **out)
{
	char path[PROC_PATH_MAX];
	int fd, r;

	fd = openat(dirfd, proc_path(path, pid, "maps", -1), O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	/* The query names only the mappings that may be ours; procfs
	 * without it (before 6.11), and fixture files, are read as text. */
	r = maps_query_fd(fd, buf, size, shm_dev, out);
	if (r == -ENOTTY || r == -EINVAL)
		r = maps_parse_fd(fd, buf, size, shm_dev, out);
	close(fd);
	return r;
}

/* Pids read by workers whose build has given up on them. */
static pthread_mutex_t stuck_lock = PTHREAD_MUTEX_INITIALIZER;
static pid_t stuck[MAPS_STUCK_SLOTS];
static size_t n_stuck;

static void stuck_add(pid_t pid)
{
	pthread_mutex_lock(&stuck_lock);
	if (n_stuck < MAPS_STUCK_SLOTS)
		stuck[n_stuck++] = pid;
	pthread_mutex_unlock(&stuck_lock);
}

static void stuck_remove(pid_t pid)
{
	size_t i;

	pthread_mutex_lock(&stuck_lock);
	for (i = 0; i < n_stuck; i++) {
		if (stuck[i] == pid) {
			stuck[i] = stuck[--n_stuck];
			break;
		}
	}
	pthread_mutex_unlock(&stuck_lock);
}

static bool stuck_has(pid_t pid)
{
	bool found = false;
	size_t i;

	pthread_mutex_lock(&stuck_lock);
	for (i = 0; i < n_stuck && !found; i++)
		found = stuck[i] == pid;
	pthread_mutex_unlock(&stuck_lock);
	return found;
}

/* The daemon forks (to daemonize) after its first build: no worker lives
 * on in the child, so nothing there is stuck. */
static void stuck_lock_for_fork(void)
{
	pthread_mutex_lock(&stuck_lock);
}

static void stuck_unlock_in_parent(void)
{
	pthread_mutex_unlock(&stuck_lock);
}

static void stuck_reset_in_child(void)
{
	n_stuck = 0;
	pthread_mutex_unlock(&stuck_lock);
}

static pthread_once_t atfork_once = PTHREAD_ONCE_INIT;

static void register_atfork(void)
{
	pthread_atfork(stuck_lock_for_fork, stuck_unlock_in_parent, stuck_reset_in_child);
}

size_t maps_stuck_readers(void)
{
	size_t n;

	pthread_mutex_lock(&stuck_lock);
	n = n_stuck;
	pthread_mutex_unlock(&stuck_lock);
	return n;
}

enum { TASK_QUEUED, TASK_READING, TASK_DONE };

struct maps_task {
	uint32_t process;	/* index in the builder: a number, never a pointer */
	pid_t pid;
	uint8_t state;
	int error;
	struct maps_result *result;	/* the job's until the builder takes it */
};

/* Shared by the builder and the workers; freed by whoever drops the last
 * reference, so a worker returning late touches only this. */
struct maps_job {
	pthread_mutex_t lock;
	pthread_cond_t wake;	/* workers: a task was queued, or the end */
	pthread_cond_t done;	/* the builder: a task finished */
	unsigned refs;
	int dirfd;
	dev_t shm_dev;		/* the root's */
	struct maps_task *tasks;
	size_t n_tasks, cap_tasks, next, n_done;
	unsigned n_workers, n_idle;
	bool closed;		/* no more tasks will come */
	bool cancelled;		/* the builder has gone */
};

/* Drops a reference; called with the lock held, returns with it released. */
static void job_release(struct maps_job *job)
{
	bool last = --job->refs == 0;
	size_t i;

	pthread_mutex_unlock(&job->lock);
	if (!last)
		return;
	for (i = 0; i < job->n_tasks; i++)
		maps_result_free(job->tasks[i].result);
	free(job->tasks);
	close(job->dirfd);
	pthread_cond_destroy(&job->wake);
	pthread_cond_destroy(&job->done);
	pthread_mutex_destroy(&job->lock);
	free(job);
}

static void *worker_main(void *arg)
{
	struct maps_job *job = arg;
	struct maps_result *result;
	char *buf = malloc(READ_LINES_BUF);
	size_t i;
	pid_t pid;
	int r;

	pthread_mutex_lock(&job->lock);
	while (buf) {
		while (job->next == job->n_tasks && !job->closed && !job->cancelled) {
			job->n_idle++;
			pthread_cond_wait(&job->wake, &job->lock);
			job->n_idle--;
		}
		if (job->cancelled || job->next == job->n_tasks)
			break;
		i = job->next++;
		pid = job->tasks[i].pid;
		job->tasks[i].state = TASK_READING;
		pthread_mutex_unlock(&job->lock);

		result = NULL;
		r = read_process(job->dirfd, pid, job->shm_dev, buf, READ_LINES_BUF, &result);

		pthread_mutex_lock(&job->lock);
		if (job->cancelled) {
			/* The build gave up on this read and listed it stuck. */
			maps_result_free(result);
			stuck_remove(pid);
			break;
		}
		job->tasks[i].result = result;
		job->tasks[i].error = r;
		job->tasks[i].state = TASK_DONE;
		job->n_done++;
		if (job->closed)	/* only then is the builder waiting */
			pthread_cond_signal(&job->done);
	}
	job->n_workers--;
	pthread_cond_signal(&job->done);
	free(buf);
	job_release(job);
	return NULL;
}

/* Starts a detached worker holding a reference; lock held. */
static void job_spawn(struct maps_job *job)
{
	sigset_t all, old;
	pthread_attr_t attr;
	pthread_t thread;

	if (pthread_attr_init(&attr) != 0)
		return;
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	pthread_attr_setstacksize(&attr, WORKER_STACK);
	/* Signals stay with the daemon's own threads. */
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	if (pthread_create(&thread, &attr, worker_main, job) == 0) {
		job->refs++;
		job->n_workers++;
	}
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	pthread_attr_destroy(&attr);
}

static struct maps_job *job_new(const struct proc_root *root)
{
	struct maps_job *job = calloc(1, sizeof(*job));
	pthread_condattr_t attr;

	if (!job)
		return NULL;
	pthread_once(&atfork_once, register_atfork);
	job->dirfd = fcntl(root->dirfd, F_DUPFD_CLOEXEC, 0);
	job->shm_dev = root->shm_dev;
	if (job->dirfd < 0) {
		free(job);
		return NULL;
	}
	pthread_condattr_init(&attr);
	pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
	pthread_mutex_init(&job->lock, NULL);
	pthread_cond_init(&job->wake, NULL);
	pthread_cond_init(&job->done, &attr);
	pthread_condattr_destroy(&attr);
	job->refs = 1;
	return job;
}

struct maps_state {
	struct maps_job *job;
	struct maps_result **results;	/* per process, once collected */
	bool collected;
};

static int maps_process_scanned(struct builder *b, uint32_t process)
{
	struct maps_state *state = builder_state(b, &maps_module);
	struct ipc_process *proc = &b->processes[process];
	struct maps_job *job;

	/* maps needs the same ptrace access as the fd directory. */
	if (proc->fds_unreadable)
		return 0;
	if (stuck_has(proc->pid)) {
		proc->maps_unavailable = true;
		return 0;
	}
	if (!state->job) {
		if (maps_stuck_readers() >= MAPS_STUCK_LIMIT) {
			proc->maps_unavailable = true;
			return 0;
		}
		state->job = job_new(b->root);
		if (!state->job)
			return -ENOMEM;
	}
	job = state->job;
	pthread_mutex_lock(&job->lock);
	if (array_reserve(job->tasks, job->cap_tasks, job->n_tasks + 1) < 0) {
		pthread_mutex_unlock(&job->lock);
		return -ENOMEM;
	}
	job->tasks[job->n_tasks++] = (struct maps_task){ .process = process, .pid = proc->pid };
	/* Wake an idle worker per batch, not per process: a wake-up costs
	 * more than a read. */
	if (job->n_idle && job->n_tasks - job->next >= MAPS_BATCH)
		pthread_cond_signal(&job->wake);
	else if (!job->n_idle && job->n_workers < MAPS_WORKERS)
		job_spawn(job);
	pthread_mutex_unlock(&job->lock);
	return 0;
}

/* Gives up on the reads not done: those still reading are listed stuck
 * until their worker returns.  Lock held. */
static void job_cancel(struct maps_job *job)
{
	size_t i;

	job->cancelled = true;
	for (i = 0; i < job->n_tasks; i++)
		if (job->tasks[i].state == TASK_READING)
			stuck_add(job->tasks[i].pid);
	pthread_cond_broadcast(&job->wake);
}

struct maps_result *const *maps_collect(struct builder *b)
{
	struct maps_state *state = builder_state(b, &maps_module);
	struct maps_job *job = state->job;
	struct timespec deadline;
	size_t i, done;

	if (state->collected)
		return state->results;
	state->collected = true;
	state->results = calloc(b->n_processes + 1, sizeof(*state->results));
	if (!job)
		return state->results;
	pthread_mutex_lock(&job->lock);
	job->closed = true;
	pthread_cond_broadcast(&job->wake);
	/* The deadline is for each read, not for the backlog: it moves on
	 * whenever a read finishes, so only reads that hang run it out. */
	for (done = SIZE_MAX; job->n_done < job->n_tasks && job->n_workers > 0;) {
		if (job->n_done != done) {
			done = job->n_done;
			clock_gettime(CLOCK_MONOTONIC, &deadline);
			deadline.tv_nsec += MAPS_DEADLINE_MS * 1000000L;
			deadline.tv_sec += deadline.tv_nsec / 1000000000L;
			deadline.tv_nsec %= 1000000000L;
		}
		if (pthread_cond_timedwait(&job->done, &job->lock, &deadline) == ETIMEDOUT)
			break;
	}
	for (i = 0; i < job->n_tasks; i++) {
		struct maps_task *task = &job->tasks[i];
		int error = task->error;

		if (task->state != TASK_DONE ||
		    (error < 0 && error != -ENOENT && error != -ESRCH) || !state->results) {
			/* Not read in time, unreadable, or nowhere to put it. */
			b->processes[task->process].maps_unavailable = true;
			continue;
		}
		state->results[task->process] = task->result;
		task->result = NULL;
	}
	if (job->n_done < job->n_tasks)
		job_cancel(job);
	state->job = NULL;
	job_release(job);
	return state->results;
}

static void maps_finish(struct builder *b)
{
	struct maps_state *state = builder_state(b, &maps_module);
	size_t i;

	/* A build that failed before collecting leaves its workers behind. */
	if (state->job) {
		pthread_mutex_lock(&state->job->lock);
		job_cancel(state->job);
		job_release(state->job);
		state->job = NULL;
	}
	for (i = 0; state->results && i < b->n_processes; i++)
		maps_result_free(state->results[i]);
	free(state->results);
	state->results = NULL;
}

const struct kind_module maps_module = {
	.process_scanned = maps_process_scanned,
	.finish = maps_finish,
	.state_size = sizeof(struct maps_state),
};
