/* maker.c — what the end-to-end channel makers share; see maker.h. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include "maker.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>
#include <linux/sched.h>

void (*maker_on_die)(void);

void die(const char *fmt, ...)
{
	int e = errno;
	va_list ap;

	fprintf(stderr, "%s[%d]: ", maker_name, (int)getpid());
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	if (e)
		fprintf(stderr, ": %s", strerror(e));
	fputc('\n', stderr);
	if (maker_on_die)
		maker_on_die();
	_exit(1);
}

void maker_escape(char *out, size_t outsz, const char *in)
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

unsigned long long ino_of(int fd)
{
	struct stat st;

	if (fstat(fd, &st) < 0)
		die("fstat(%d)", fd);
	return (unsigned long long)st.st_ino;
}

void link_text(int fd, char *out, size_t outsz)
{
	char path[64];
	ssize_t n;

	snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
	n = readlink(path, out, outsz - 1);
	if (n < 0)
		die("readlink %s", path);
	out[n] = '\0';
}

void move_fd(int fd, int to)
{
	if (fd == to)
		return;
	if (dup2(fd, to) < 0)
		die("dup2(%d, %d)", fd, to);
	close(fd);
}

void quiet_std(void)
{
	int n = open("/dev/null", O_RDWR | O_CLOEXEC);

	if (n < 0)
		die("open /dev/null");
	if (dup2(n, 1) < 0 || dup2(n, 2) < 0)
		die("dup2");
	if (n > 2)
		close(n);
}

void hang(void)
{
	for (;;)
		pause();
}

/* ---- processes ---------------------------------------------------------- */

static pid_t children[64];
static int nchildren;
static char pending[16384]; /* this process's report */
static size_t npending;

void maker_start(void)
{
	pid_t pp = getppid();
	int n, rp[2];

	/* die with whoever started us (the test shell) */
	if (prctl(PR_SET_PDEATHSIG, SIGTERM, 0, 0, 0) < 0)
		die("prctl(PR_SET_PDEATHSIG)");
	if (getppid() != pp)
		exit(1);

	/* hermetic fd table: only what the scenario creates */
	if (close_range(3, ~0U, 0) < 0)
		die("close_range");
	n = open("/dev/null", O_RDONLY);
	if (n < 0)
		die("open /dev/null");
	move_fd(n, 0);

	if (pipe2(rp, O_CLOEXEC) < 0)
		die("pipe2");
	if (dup3(rp[0], REPORT_R, O_CLOEXEC) < 0 || dup3(rp[1], REPORT_W, O_CLOEXEC) < 0)
		die("dup3");
	close(rp[0]);
	close(rp[1]);
}

pid_t maker_fork(pid_t want)
{
	pid_t parent = getpid(), pid;

	if (nchildren == (int)(sizeof children / sizeof children[0])) {
		errno = 0;
		die("too many children");
	}
	if (want > 0) {
		/* fork, with the pid chosen */
		struct clone_args ca = {
			.exit_signal = SIGCHLD,
			.set_tid = (uint64_t)(uintptr_t)&want,
			.set_tid_size = 1,
		};
		pid = (pid_t)syscall(SYS_clone3, &ca, sizeof ca);
		if (pid < 0 && errno == EEXIST)
			return -1;
		if (pid < 0)
			die("clone3(set_tid=%d)", (int)want);
	} else {
		pid = fork();
		if (pid < 0)
			die("fork");
	}
	if (pid == 0) {
		if (prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0) < 0)
			die("prctl(PR_SET_PDEATHSIG)");
		if (getppid() != parent)
			_exit(1);
		close(REPORT_R);
		npending = 0;
		nchildren = 0;
		return 0;
	}
	children[nchildren++] = pid;
	return pid;
}

int maker_children(void)
{
	return nchildren;
}

void maker_check_children(void)
{
	for (int i = 0; i < nchildren; i++) {
		if (waitpid(children[i], NULL, WNOHANG) != 0) {
			errno = 0;
			die("child %d died during setup", (int)children[i]);
		}
	}
}

void maker_kill_children(void)
{
	for (int i = 0; i < nchildren; i++)
		kill(children[i], SIGKILL);
	while (wait(NULL) > 0 || errno == EINTR)
		;
	nchildren = 0;
}

void maker_block_signals(sigset_t *set)
{
	sigemptyset(set);
	sigaddset(set, SIGTERM);
	sigaddset(set, SIGINT);
	sigaddset(set, SIGHUP);
	sigaddset(set, SIGCHLD);
	if (sigprocmask(SIG_BLOCK, set, NULL) < 0)
		die("sigprocmask");
}

void maker_wait(const sigset_t *set, void (*stop)(void))
{
	for (;;) {
		int sig;

		if (sigwait(set, &sig) != 0)
			continue;
		if (sig == SIGCHLD) {
			while (waitpid(-1, NULL, WNOHANG) > 0)
				;
			continue;
		}
		stop();
		_exit(0);
	}
}

/* ---- report ------------------------------------------------------------- */

static char role_name[32], comm_esc[80];
static char extras[2048]; /* " x_KEY=VALUE" each, for the next ep line */

void report(const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(pending + npending, sizeof pending - npending, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= sizeof pending - npending) {
		errno = 0;
		die("report overflow");
	}
	npending += (size_t)n;
}

void set_identity(const char *role, const char *comm)
{
	char buf[32] = "";

	snprintf(role_name, sizeof role_name, "%s", role);
	if (prctl(PR_SET_NAME, comm, 0, 0, 0) < 0)
		die("prctl(PR_SET_NAME)");
	/* report what the kernel really holds (it truncates to 15 bytes) */
	if (prctl(PR_GET_NAME, buf, 0, 0, 0) < 0)
		die("prctl(PR_GET_NAME)");
	maker_escape(comm_esc, sizeof comm_esc, buf);
	report("proc pid=%d role=%s comm=%s\n", (int)getpid(), role_name, comm_esc);
}

void extra(const char *key, const char *value)
{
	char esc[1024];
	size_t n = strlen(extras);

	maker_escape(esc, sizeof esc, value);
	snprintf(extras + n, sizeof extras - n, " x_%s=%s", key, esc);
}

void report_ep(const char *kind, const char *name, int fd, const char *access,
	       unsigned long long id, const char *obj)
{
	char fdtext[16];

	if (fd >= 0)
		snprintf(fdtext, sizeof fdtext, "%d", fd);
	else
		snprintf(fdtext, sizeof fdtext, "-");
	report("ep kind=%s pid=%d role=%s comm=%s name=%s fd=%s access=%s id=%llu obj=%s%s\n",
	       kind, (int)getpid(), role_name, comm_esc, name, fdtext, access, id, obj, extras);
	extras[0] = '\0';
}

void report_fd(const char *kind, int fd, const char *access, unsigned long long id,
	       const char *obj)
{
	char name[16];

	snprintf(name, sizeof name, "%d", fd);
	report_ep(kind, name, fd, access, id, obj);
}

void maker_child_report(void)
{
	/* one write() of at most PIPE_BUF bytes: not mixed with another's */
	if (npending > PIPE_BUF) {
		errno = 0;
		die("report too long for the pipe (%zu bytes)", npending);
	}
	quiet_std();
	if (write(REPORT_W, pending, npending) != (ssize_t)npending)
		_exit(1);
	close(REPORT_W);
}

void maker_collect(char *buf, size_t size)
{
	size_t len = 0;
	ssize_t r;

	close(REPORT_W);
	while ((r = read(REPORT_R, buf + len, size - 1 - len)) != 0) {
		if (r < 0) {
			if (errno == EINTR)
				continue;
			die("read report pipe");
		}
		len += (size_t)r;
		if (len >= size - 1) {
			errno = 0;
			die("report pipe overflow");
		}
	}
	close(REPORT_R);
	buf[len] = '\0';
}

void maker_ready(const char *children_report)
{
	fputs(pending, stdout);
	fputs(children_report, stdout);
	fputs("ready\n", stdout);
	if (fflush(stdout) != 0)
		die("write stdout");
	quiet_std();
}
