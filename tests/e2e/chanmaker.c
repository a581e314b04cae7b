/* chanmaker — build real processes joined by real IPC channels, for the
 * ipcfs end-to-end tests.
 *
 *   chanmaker SCENARIO [ARGS]
 *
 * Scenarios:
 *   fanout      a pipe: write end held by one process, read end by three
 *               (the third also holds a dup of it on another fd)
 *   fifo PATH   mkfifo PATH; one process opens it O_RDWR, one O_RDONLY,
 *               one O_WRONLY
 *   selfpipe    one process holding both ends of a pipe
 *   memfd       a memfd held by fd in the parent (and mapped), by fd in a
 *               child (not mapped), and only through a mapping in a second
 *               child; plus an unrelated memfd in the parent
 *   eventfd     an eventfd shared across fork, plus an unrelated eventfd in
 *               each process on the same fd number
 *   oddcomm     one process named "odd x\ty\nz" holding a self-pipe
 *   idle        one process with no IPC endpoint at all
 *   threadself PATH
 *               not a scenario: readlink PATH (e.g. MNT/self) from a
 *               second thread, print "pid=P tid=T link=L" and exit
 *
 * Protocol: every process starts with only fds 0-2; fd 0, and after setup
 * fds 1-2, are /dev/null, so the scenario's fds are the only endpoints.
 * Once every process of the scenario is set up, the parent writes to
 * stdout one line per process and per endpoint, then "ready", then closes
 * stdout in every process: the reader's EOF means "everything is in place".
 *
 *   proc pid=P role=R comm=C
 *   ep kind=K pid=P role=R comm=C name=N fd=F access=A id=I obj=O [x_KEY=V]...
 *   ready
 *
 * Further " x_KEY=VALUE" fields are info keys the endpoint must show
 * (fifo path; memfd path, size, mapped).
 *
 * comm and x_ values are escaped the way ipcfs's channels table escapes
 * (bytes below 0x21, 0x7f and backslash as \ooo), so no value holds a
 * space.
 * obj labels the underlying object: endpoints with the same kind and obj
 * are on the same pipe / FIFO / memfd / eventfd.  Expected peers are
 * computed from these lines, never from ipcfs.
 *
 * Then every process waits until killed.  SIGTERM to the parent kills and
 * reaps the children before it exits; children also die with the parent
 * if it is SIGKILLed (PR_SET_PDEATHSIG), and the parent dies with its own
 * parent.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <pthread.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#define REPORT_R 200 /* parent's read end of the report pipe */
#define REPORT_W 201 /* everyone's write end of the report pipe */

static int nchildren;
static pid_t children[16];

static void die(const char *fmt, ...)
{
	va_list ap;
	fprintf(stderr, "chanmaker[%d]: ", (int)getpid());
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	if (errno)
		fprintf(stderr, ": %s", strerror(errno));
	fputc('\n', stderr);
	_exit(1);
}

static void escape(char *out, size_t outsz, const char *in)
{
	size_t o = 0;
	for (const unsigned char *p = (const unsigned char *)in; *p; p++) {
		if (o + 5 >= outsz)
			break;
		if (*p < 0x21 || *p == 0x7f || *p == '\\')
			o += (size_t)snprintf(out + o, outsz - o, "\\%03o", *p);
		else
			out[o++] = (char)*p;
	}
	out[o] = '\0';
}

static char role_name[32];
static char comm_esc[80];

static void set_identity(const char *role, const char *comm)
{
	snprintf(role_name, sizeof role_name, "%s", role);
	if (prctl(PR_SET_NAME, comm, 0, 0, 0) < 0)
		die("prctl(PR_SET_NAME)");
	/* report what the kernel really holds (it truncates to 15 bytes) */
	char buf[32] = "";
	if (prctl(PR_GET_NAME, buf, 0, 0, 0) < 0)
		die("prctl(PR_GET_NAME)");
	escape(comm_esc, sizeof comm_esc, buf);
}

/* One line to the report pipe: a single write() below PIPE_BUF is atomic. */
static char pending[4096];
static size_t npending;

static void report(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(pending + npending, sizeof pending - npending, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= sizeof pending - npending)
		die("report overflow");
	npending += (size_t)n;
}

static void report_proc(void)
{
	report("proc pid=%d role=%s comm=%s\n", (int)getpid(), role_name,
	       comm_esc);
}

static unsigned long long ino_of(int fd)
{
	struct stat st;
	if (fstat(fd, &st) < 0)
		die("fstat(%d)", fd);
	return (unsigned long long)st.st_ino;
}

static unsigned long long eventfd_id(int fd)
{
	char path[64], line[256];
	snprintf(path, sizeof path, "/proc/self/fdinfo/%d", fd);
	FILE *f = fopen(path, "re");
	if (!f)
		die("open %s", path);
	unsigned long long id = 0;
	int found = 0;
	while (fgets(line, sizeof line, f))
		if (sscanf(line, "eventfd-id: %llu", &id) == 1)
			found = 1;
	fclose(f);
	if (!found) {
		errno = 0;
		die("no eventfd-id in %s", path);
	}
	return id;
}

/* Extra info keys the endpoint must show: " x_KEY=VALUE" each, VALUE
 * escaped. */
static char extras[2048];

static void extra(const char *key, const char *value)
{
	char esc[1024];
	size_t n = strlen(extras);
	escape(esc, sizeof esc, value);
	snprintf(extras + n, sizeof extras - n, " x_%s=%s", key, esc);
}

static void report_ep(const char *kind, const char *name, int fd,
		      const char *access, unsigned long long id, const char *obj)
{
	char fdbuf[16];
	if (fd >= 0)
		snprintf(fdbuf, sizeof fdbuf, "%d", fd);
	else
		snprintf(fdbuf, sizeof fdbuf, "-");
	report("ep kind=%s pid=%d role=%s comm=%s name=%s fd=%s access=%s "
	       "id=%llu obj=%s%s\n",
	       kind, (int)getpid(), role_name, comm_esc, name, fdbuf, access,
	       id, obj, extras);
	extras[0] = '\0';
}

static void report_fd(const char *kind, int fd, const char *access,
		      unsigned long long id, const char *obj)
{
	char name[16];
	snprintf(name, sizeof name, "%d", fd);
	report_ep(kind, name, fd, access, id, obj);
}

static void link_text(int fd, char *out, size_t outsz)
{
	char path[64];
	snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
	ssize_t n = readlink(path, out, outsz - 1);
	if (n < 0)
		die("readlink %s", path);
	out[n] = '\0';
}

static void quiet_std(void)
{
	int n = open("/dev/null", O_RDWR | O_CLOEXEC);
	if (n < 0)
		die("open /dev/null");
	if (dup2(n, 1) < 0 || dup2(n, 2) < 0)
		die("dup2");
	close(n);
}

static void hang(void)
{
	for (;;)
		pause();
}

/* Move fd to exactly `to` (closing the old number). */
static void move_fd(int fd, int to)
{
	if (fd == to)
		return;
	if (dup2(fd, to) < 0)
		die("dup2(%d, %d)", fd, to);
	close(fd);
}

/* Fork a child that dies with us.  In the child, `fn` does its setup and
 * reporting, then the child hangs. */
static pid_t spawn(void (*fn)(void *), void *arg)
{
	pid_t parent = getpid();
	pid_t pid = fork();
	if (pid < 0)
		die("fork");
	if (pid == 0) {
		if (prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0) < 0)
			die("prctl(PR_SET_PDEATHSIG)");
		if (getppid() != parent)
			_exit(1);
		close(REPORT_R);
		npending = 0;
		fn(arg);
		/* final state reached: drop stdout/stderr, then report */
		quiet_std();
		if (write(REPORT_W, pending, npending) != (ssize_t)npending)
			_exit(1);
		close(REPORT_W);
		hang();
	}
	children[nchildren++] = pid;
	return pid;
}

/* ---- scenarios ---------------------------------------------------- */

static int pipe_r, pipe_w;

static void fan_reader(void *arg)
{
	int i = *(int *)arg;
	char role[16], comm[16];
	snprintf(role, sizeof role, "reader%d", i);
	snprintf(comm, sizeof comm, "cm-fan-r%d", i);
	set_identity(role, comm);
	close(pipe_w);
	int fd = pipe_r;
	if (i == 2) { /* a different fd number than the others */
		move_fd(pipe_r, 5);
		fd = 5;
	}
	report_proc();
	report_fd("pipes", fd, "r", ino_of(fd), "P");
	if (i == 3) { /* two endpoints of one process on the read end */
		if (dup2(fd, 7) < 0)
			die("dup2");
		report_fd("pipes", 7, "r", ino_of(7), "P");
	}
}

static void sc_fanout(void)
{
	int p[2];
	if (pipe(p) < 0)
		die("pipe");
	pipe_r = p[0];
	pipe_w = p[1];
	static int idx[3] = {1, 2, 3};
	for (int i = 0; i < 3; i++)
		spawn(fan_reader, &idx[i]);
	set_identity("writer", "cm-fan-w");
	close(pipe_r);
	report_proc();
	report_fd("pipes", pipe_w, "w", ino_of(pipe_w), "P");
}

static const char *fifo_path;

static void fifo_open(void *arg)
{
	const char *which = arg;
	int flags, want;
	const char *access;
	char comm[16], role[16];
	if (!strcmp(which, "r")) {
		flags = O_RDONLY;
		access = "r";
		want = 5;
	} else {
		flags = O_WRONLY;
		access = "w";
		want = 6;
	}
	snprintf(role, sizeof role, "fifo-%s", which);
	snprintf(comm, sizeof comm, "cm-fifo-%s", which);
	set_identity(role, comm);
	close(3); /* the parent's O_RDWR fd, inherited */
	/* the parent holds the FIFO O_RDWR, so neither open blocks */
	int fd = open(fifo_path, flags);
	if (fd < 0)
		die("open %s", fifo_path);
	move_fd(fd, want);
	report_proc();
	extra("path", fifo_path);
	report_fd("fifos", want, access, ino_of(want), "F");
}

static void sc_fifo(const char *path)
{
	fifo_path = path;
	if (mkfifo(path, 0600) < 0)
		die("mkfifo %s", path);
	int fd = open(path, O_RDWR);
	if (fd < 0)
		die("open %s", path);
	move_fd(fd, 3);
	spawn(fifo_open, "r");
	spawn(fifo_open, "w");
	set_identity("fifo-rw", "cm-fifo-rw");
	report_proc();
	extra("path", path);
	report_fd("fifos", 3, "rw", ino_of(3), "F");
}

static void selfpipe(void)
{
	int p[2];
	if (pipe(p) < 0)
		die("pipe");
	report_proc();
	report_fd("pipes", p[0], "r", ino_of(p[0]), "S");
	report_fd("pipes", p[1], "w", ino_of(p[1]), "S");
}

static void sc_selfpipe(void)
{
	set_identity("self", "cm-self");
	selfpipe();
}

static void sc_oddcomm(void)
{
	set_identity("odd", "odd x\ty\nz");
	selfpipe();
}

static void sc_idle(void)
{
	set_identity("idle", "cm-idle");
	report_proc();
}

#define MEMFD_SIZE 8192
static void *memfd_map;
static unsigned long long memfd_ino;
static char memfd_path[512]; /* the fd link's text, e.g. "/memfd:x (deleted)" */

static void memfd_child(void *arg)
{
	const char *which = arg;
	if (!strcmp(which, "fd")) {
		/* keeps the fd, drops the inherited mapping */
		set_identity("memfd-fd", "cm-memfd-fd");
		if (munmap(memfd_map, MEMFD_SIZE) < 0)
			die("munmap");
		report_proc();
		extra("path", memfd_path);
		extra("size", "8192");
		extra("mapped", "no");
		report_fd("memfd", 3, "rw", memfd_ino, "M");
	} else {
		/* keeps the inherited mapping, drops the fd */
		set_identity("memfd-map", "cm-memfd-map");
		close(3);
		char name[64];
		snprintf(name, sizeof name, "map-%lx",
			 (unsigned long)memfd_map);
		report_proc();
		extra("path", memfd_path);
		extra("size", "8192");
		report_ep("memfd", name, -1, "rw", memfd_ino, "M");
	}
}

static void sc_memfd(void)
{
	int fd = memfd_create("cm-shared", MFD_CLOEXEC);
	if (fd < 0)
		die("memfd_create");
	move_fd(fd, 3);
	if (ftruncate(3, MEMFD_SIZE) < 0)
		die("ftruncate");
	memfd_map = mmap(NULL, MEMFD_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED,
			 3, 0);
	if (memfd_map == MAP_FAILED)
		die("mmap");
	memset(memfd_map, 'x', MEMFD_SIZE);
	memfd_ino = ino_of(3);
	link_text(3, memfd_path, sizeof memfd_path);
	spawn(memfd_child, "fd");
	spawn(memfd_child, "map");
	/* unrelated memfd, parent only: no peers */
	int lone = memfd_create("cm-lonely", MFD_CLOEXEC);
	if (lone < 0)
		die("memfd_create");
	move_fd(lone, 4);
	char lone_path[512];
	link_text(4, lone_path, sizeof lone_path);
	set_identity("memfd-parent", "cm-memfd-p");
	report_proc();
	extra("path", memfd_path);
	extra("size", "8192");
	extra("mapped", "yes");
	report_fd("memfd", 3, "rw", memfd_ino, "M");
	extra("path", lone_path);
	extra("size", "0");
	extra("mapped", "no");
	report_fd("memfd", 4, "rw", ino_of(4), "L");
}

static void efd_child(void *arg)
{
	(void)arg;
	set_identity("efd-child", "cm-efd-c");
	int e = eventfd(0, EFD_CLOEXEC);
	if (e < 0)
		die("eventfd");
	move_fd(e, 4);
	report_proc();
	report_fd("eventfd", 3, "rw", eventfd_id(3), "E");
	report_fd("eventfd", 4, "rw", eventfd_id(4), "C");
}

static void sc_eventfd(void)
{
	int e = eventfd(0, EFD_CLOEXEC);
	if (e < 0)
		die("eventfd");
	move_fd(e, 3);
	spawn(efd_child, NULL);
	int lone = eventfd(0, EFD_CLOEXEC);
	if (lone < 0)
		die("eventfd");
	move_fd(lone, 4);
	set_identity("efd-parent", "cm-efd-p");
	report_proc();
	report_fd("eventfd", 3, "rw", eventfd_id(3), "E");
	report_fd("eventfd", 4, "rw", eventfd_id(4), "P");
}

/* threadself PATH: readlink PATH from a second thread (FUSE sees that
 * thread's tid), print "pid=P tid=T link=L" and exit. */
static const char *ts_path;
static char ts_out[512];

static void *ts_thread(void *arg)
{
	(void)arg;
	char link[256];
	ssize_t n = readlink(ts_path, link, sizeof link - 1);
	if (n < 0)
		snprintf(link, sizeof link, "error:%s", strerror(errno));
	else
		link[n] = '\0';
	snprintf(ts_out, sizeof ts_out, "pid=%d tid=%d link=%s\n",
		 (int)getpid(), (int)gettid(), link);
	return NULL;
}

static int threadself(const char *path)
{
	pthread_t t;
	ts_path = path;
	int err = pthread_create(&t, NULL, ts_thread, NULL);
	if (err) {
		errno = err;
		die("pthread_create");
	}
	pthread_join(t, NULL);
	fputs(ts_out, stdout);
	return fflush(stdout) != 0;
}

static void usage(void)
{
	fprintf(stderr,
		"usage: chanmaker fanout|fifo PATH|selfpipe|memfd|eventfd|"
		"oddcomm|idle|threadself PATH\n");
	exit(2);
}

int main(int argc, char **argv)
{
	if (argc < 2)
		usage();
	if (!strcmp(argv[1], "threadself") && argc == 3)
		return threadself(argv[2]);

	/* die with whoever started us (the test shell) */
	pid_t pp = getppid();
	if (prctl(PR_SET_PDEATHSIG, SIGTERM, 0, 0, 0) < 0)
		die("prctl(PR_SET_PDEATHSIG)");
	if (getppid() != pp)
		return 1;

	/* hermetic fd table: only what the scenario creates */
	if (close_range(3, ~0U, 0) < 0)
		die("close_range");
	int n = open("/dev/null", O_RDONLY);
	if (n < 0)
		die("open /dev/null");
	move_fd(n, 0);

	int rp[2];
	if (pipe2(rp, O_CLOEXEC) < 0)
		die("pipe2");
	if (dup3(rp[0], REPORT_R, O_CLOEXEC) < 0 ||
	    dup3(rp[1], REPORT_W, O_CLOEXEC) < 0)
		die("dup3");
	close(rp[0]);
	close(rp[1]);

	const char *sc = argv[1];
	if (!strcmp(sc, "fanout"))
		sc_fanout();
	else if (!strcmp(sc, "fifo") && argc == 3)
		sc_fifo(argv[2]);
	else if (!strcmp(sc, "selfpipe"))
		sc_selfpipe();
	else if (!strcmp(sc, "oddcomm"))
		sc_oddcomm();
	else if (!strcmp(sc, "idle"))
		sc_idle();
	else if (!strcmp(sc, "memfd"))
		sc_memfd();
	else if (!strcmp(sc, "eventfd"))
		sc_eventfd();
	else
		usage();

	/* collect the children's reports: EOF once all of them are set up */
	close(REPORT_W);
	char buf[8192];
	size_t len = 0;
	ssize_t r;
	while ((r = read(REPORT_R, buf + len, sizeof buf - 1 - len)) != 0) {
		if (r < 0) {
			if (errno == EINTR)
				continue;
			die("read report pipe");
		}
		len += (size_t)r;
		if (len >= sizeof buf - 1)
			die("report pipe overflow");
	}
	close(REPORT_R);
	buf[len] = '\0';

	/* every child must have reported (a "proc" line each) */
	int procs = 0;
	for (const char *p = buf; (p = strstr(p, "proc ")); p++)
		if (p == buf || p[-1] == '\n')
			procs++;
	for (int i = 0; i < nchildren; i++) {
		int st;
		if (waitpid(children[i], &st, WNOHANG) == children[i]) {
			errno = 0;
			die("child %d died during setup", (int)children[i]);
		}
	}
	if (procs != nchildren) {
		errno = 0;
		die("%d of %d children reported", procs, nchildren);
	}

	/* From here on SIGTERM/SIGINT/SIGHUP end the scenario cleanly: the
	 * children are killed and reaped before the parent exits, so once the
	 * parent is reaped no process of the scenario is left, not even a
	 * zombie.  A child killed alone is reaped at once. */
	sigset_t set;
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGHUP);
	sigaddset(&set, SIGCHLD);
	if (sigprocmask(SIG_BLOCK, &set, NULL) < 0)
		die("sigprocmask");

	fputs(pending, stdout);
	fputs(buf, stdout);
	fputs("ready\n", stdout);
	if (fflush(stdout) != 0)
		die("write stdout");
	quiet_std();

	for (;;) {
		int sig;
		if (sigwait(&set, &sig) != 0)
			continue;
		if (sig == SIGCHLD) {
			while (waitpid(-1, NULL, WNOHANG) > 0)
				;
			continue;
		}
		for (int i = 0; i < nchildren; i++)
			kill(children[i], SIGKILL);
		while (wait(NULL) > 0 || errno == EINTR)
			;
		_exit(0);
	}
}
