/* maker.h — what the end-to-end channel makers (chanmaker, sockmaker,
 * shmmaker) share: dying, the processes' life cycle and the readiness
 * protocol.
 *
 * Life cycle: maker_start() makes the process die with whoever started it
 * (the test shell), leaves it only fds 0-2 (0 on /dev/null) and opens the
 * report pipe (REPORT_R/REPORT_W).  maker_fork() starts a child that dies
 * with its parent.  Each child, once in its final state, calls
 * maker_child_report(): stdout and stderr go to /dev/null and its report
 * text goes down the pipe.  The parent's maker_collect() reads the pipe to
 * EOF (= every child is set up); maker_ready() prints the parent's report,
 * the children's, "ready", and closes stdout: the reader's EOF means
 * "everything is in place".  maker_wait() then waits for SIGTERM, SIGINT or
 * SIGHUP (reaping children killed alone meanwhile), runs `stop` and exits 0.
 *
 * Report lines ("proc", "ep") follow chanmaker's protocol (see
 * chanmaker.c); values are escaped the way ipcfs's channels table escapes
 * (bytes below 0x21, 0x7f and backslash as \ooo).
 */
#pragma once
#include <signal.h>
#include <stddef.h>
#include <sys/types.h>

#define REPORT_R 200 /* parent's read end of the report pipe */
#define REPORT_W 201 /* everyone's write end of the report pipe */

/* The maker's name, for die()'s messages (defined by each maker). */
extern const char maker_name[];
/* Run by die() before it exits, when set. */
extern void (*maker_on_die)(void);

/* "NAME[pid]: message: strerror(errno)" (no strerror when errno is 0), then
 * _exit(1). */
void die(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));

unsigned long long ino_of(int fd);
/* The text of fd's /proc/self/fd link. */
void link_text(int fd, char *out, size_t outsz);
/* Move fd to exactly `to` (closing the old number). */
void move_fd(int fd, int to);
/* fds 1 and 2 onto /dev/null. */
void quiet_std(void);
void hang(void) __attribute__((noreturn));

/* ---- processes ---------------------------------------------------------- */

void maker_start(void);
/* Fork a child that dies with us (SIGKILL when we die); with want > 0, one
 * with that pid (clone3 set_tid), or -1 when the pid is taken.  In the
 * child: returns 0, with the report pipe's read end closed, no report text
 * and no children of its own. */
pid_t maker_fork(pid_t want);
int maker_children(void);
/* die() if a child has died. */
void maker_check_children(void);
void maker_kill_children(void);
/* Blocks SIGTERM, SIGINT, SIGHUP and SIGCHLD (kept in *set for
 * maker_wait): from then on they wait for maker_wait. */
void maker_block_signals(sigset_t *set);
void maker_wait(const sigset_t *set, void (*stop)(void)) __attribute__((noreturn));

/* ---- report ------------------------------------------------------------- */

/* in as report values are written (see above), cut short to fit outsz. */
void maker_escape(char *out, size_t outsz, const char *in);
/* Text added to this process's report. */
void report(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Sets the process's role and comm, reports "proc pid=P role=R comm=C". */
void set_identity(const char *role, const char *comm);
/* An info key the next ep line must show: " x_KEY=VALUE", VALUE escaped. */
void extra(const char *key, const char *value);
/* "ep kind=K pid=P role=R comm=C name=N fd=F access=A id=I obj=O" with the
 * extras given since the last one; fd < 0 is written "-". */
void report_ep(const char *kind, const char *name, int fd, const char *access,
	       unsigned long long id, const char *obj);
/* report_ep with the fd number as the name. */
void report_fd(const char *kind, int fd, const char *access, unsigned long long id,
	       const char *obj);
/* In a child, once set up: quiet_std(), then the report down the pipe. */
void maker_child_report(void);
/* In the parent: the children's reports into buf, to EOF. */
void maker_collect(char *buf, size_t size);
/* In the parent: its report, then children's, "ready"; then quiet_std(). */
void maker_ready(const char *children_report);
