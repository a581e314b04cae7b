/* shmmaker — real processes sharing memory and queues, for the ipcfs
 * end-to-end test tests/e2e/test_shared.sh.
 *
 *   shmmaker shared [SIZE [KEYPID]]
 *                            build the scenario below, report, wait; the
 *                            System V segment is SIZE bytes (10000), and
 *                            the System V keys are those of a run whose
 *                            parent was KEYPID (its own pid): a run in an
 *                            IPC namespace of its own can make the very
 *                            keys (and ids) of a run outside
 *   shmmaker names           a memfd named "a<newline>b\c d" (M3, 4096
 *                            bytes): fd in "nm-holder", only mapped in
 *                            "nm-mapper"; same protocol
 *   shmmaker reuse T PID...  once the clock reads T (seconds since the
 *                            epoch) or later, start one process with each
 *                            given pid (clone3 set_tid; the pids must be
 *                            free): "impostors" with no IPC object, for
 *                            the pid-reuse rule.  Same protocol; exits 3
 *                            with no output if a pid is taken
 *   shmmaker cleanup PID     remove what the run whose parent was PID may
 *                            have left (names and keys derive from PID);
 *                            prints one "left: ..." line per object removed
 *
 * The "shared" scenario (every process a child of the parent, which itself
 * holds no IPC object once set up):
 *
 *   memfd M1 (size 20000)   fd in "holder"; only mapped (twice, at two
 *                           addresses) in "mapper"; fd (O_RDONLY reopen)
 *                           and mapping in "both"
 *   memfd M2 (size 8192)    only mapped in "mapper", no fd anywhere
 *   /dev/shm A (12345)      fd (O_RDONLY) in "holder"; only mapped
 *                           (PROT_READ) in "mapper"; fd and mapping in "both"
 *   /dev/shm B (12288)      only mapped in "mapper", no fd anywhere
 *   POSIX mqueue Q          opened by the parent, inherited by fork into
 *                           "mq-a" and "mq-b" (then closed in the parent);
 *                           opened again O_WRONLY by name in "mq-c"
 *   SysV shm (10000 bytes)  created by "shm-c" (never attached), attached by
 *                           "shm-a1", "shm-a2", "shm-a3", then attached and
 *                           detached by "shm-d" (so lpid is shm-d)
 *   SysV msg queue          created by the parent; "msg-s" sends 3 messages
 *                           (10, 20, 30 bytes), then "msg-r" receives one
 *   SysV sem set (3 sems)   created by the parent; "sem-x" operates on
 *                           sem 0, then "sem-y" on sems 1 and 2
 *
 * Children are set up one after the other (each reports readiness on its
 * own pipe before the next is forked), so the kernel's lpid/lspid/lrpid and
 * semaphore pids are known.  Protocol (that of chanmaker, so lib.sh's
 * cm_load computes expected peers from it): every process has fd 0 and,
 * after setup, fds 1-2 on /dev/null, so the scenario's objects are its only
 * endpoints.  Once everything is set up the parent writes to stdout
 *
 *   proc pid=P role=R comm=C
 *   ep kind=K pid=P role=R comm=C name=N fd=F access=A id=I obj=O [x_KEY=V]...
 *   map pid=P obj=O starts=0xS1,0xS2 lowest=0xS  (every mapping of an object)
 *   memfd obj=O ino=I dev=MM:mm size=S / shm obj=O ino=I dev=MM:mm size=S path=...
 *   mqueue obj=Q ino=I name=/NAME
 *   sysv class=C id=N key=0xK          (one per System V object)
 *   ready
 *
 * and closes stdout everywhere: EOF means "everything is in place".  ep
 * lines follow chanmaker's conventions: name is the fd number or
 * map-<lowest start, hex>, or <class>-<id>; fd is "-" for mappings and
 * System V; obj labels the object (same kind and obj = peers); x_ values
 * are info keys to check, escaped like the channels table (\040 = space).
 *
 * Then every process waits.  SIGTERM, SIGINT or SIGHUP to the parent (also
 * sent when the parent's parent dies) kill and reap every child, remove the
 * System V objects, the /dev/shm names and the queue, and exit 0.  Children
 * die with the parent (PR_SET_PDEATHSIG).  A failure during setup cleans
 * up the same way and exits 1.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <fcntl.h>
#include <mqueue.h>
#include <poll.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ipc.h>
#include <sys/mman.h>
#include <sys/msg.h>
#include <sys/sem.h>
#include <sys/shm.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/types.h>
#include <time.h>
#include <unistd.h>

#include "maker.h"

#define M1_SIZE 20000
#define M2_SIZE 8192
#define SA_SIZE 12345
#define SB_SIZE 12288
#define NSEMS 3
#define SETUP_TIMEOUT_MS 10000

/* System V keys and POSIX names derive from the parent's pid, so that
 * "cleanup PID" finds them. */
#define KEY_SHM(p) ((key_t)(0x53000000u | ((unsigned)(p) & 0xffffffu)))
#define KEY_MSG(p) ((key_t)(0x4d000000u | ((unsigned)(p) & 0xffffffu)))
#define KEY_SEM(p) ((key_t)(0x73000000u | ((unsigned)(p) & 0xffffffu)))

union semun {
	int val;
	struct semid_ds *buf;
	unsigned short *array;
};

const char maker_name[] = "shmmaker";

static pid_t parent_pid;
static pid_t key_pid;	/* System V keys derive from it */
static size_t sysv_shm_size = 10000;
static bool own_keys; /* the parent made the names and keys of its pid */
static int sync_w = -1; /* a child's readiness pipe */

static char shm_a[64], shm_b[64], mq_name[64];
static int shm_id = -1, msg_id = -1, sem_id = -1;

static void cleanup(void);

/* ---- processes -------------------------------------------------------- */

static int cmp_int(const void *a, const void *b)
{
	return (*(const int *)a > *(const int *)b) - (*(const int *)a < *(const int *)b);
}

/* Close every fd from 3 up except those listed (and the report and
 * readiness pipes, closed after the report). */
static void keep_only(int n, const int *fds)
{
	int keep[16], k = 0, from = 3;

	for (int i = 0; i < n; i++)
		keep[k++] = fds[i];
	keep[k++] = REPORT_W;
	keep[k++] = sync_w;
	qsort(keep, (size_t)k, sizeof keep[0], cmp_int);
	for (int i = 0; i < k; i++) {
		if (keep[i] < from)
			continue;
		if (keep[i] > from && close_range((unsigned)from, (unsigned)keep[i] - 1, 0) < 0)
			die("close_range");
		from = keep[i] + 1;
	}
	if (close_range((unsigned)from, ~0U, 0) < 0)
		die("close_range");
}

static bool stop_requested(void)
{
	sigset_t set;

	if (sigpending(&set) < 0)
		return false;
	return sigismember(&set, SIGTERM) || sigismember(&set, SIGINT) ||
	       sigismember(&set, SIGHUP);
}

/* Fork a child that dies with us; `fn` sets it up and reports, may write a
 * message for the parent to the readiness pipe (sync_w), and the child
 * hangs.  Returns once the child is set up; its message in msg. */
static pid_t spawn_as(pid_t want, void (*fn)(void *), void *arg, char *msg, size_t msgsz)
{
	int sp[2];
	pid_t pid;
	size_t len = 0;
	struct timespec t0, t;

	if (pipe2(sp, O_CLOEXEC) < 0)
		die("pipe2");
	pid = maker_fork(want);
	if (pid < 0) { /* want is taken */
		cleanup();
		_exit(3);
	}
	if (pid == 0) {
		close(sp[0]);
		sync_w = sp[1];
		fn(arg);
		maker_child_report();
		/* "ok" last: the parent takes a missing one for a failure */
		if (write(sync_w, "ok\n", 3) != 3)
			_exit(1);
		close(sync_w);
		hang();
	}
	close(sp[1]);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (;;) {
		struct pollfd p = { .fd = sp[0], .events = POLLIN };
		ssize_t r;

		if (stop_requested()) {
			cleanup();
			_exit(0);
		}
		clock_gettime(CLOCK_MONOTONIC, &t);
		if ((t.tv_sec - t0.tv_sec) * 1000 + (t.tv_nsec - t0.tv_nsec) / 1000000 >
		    SETUP_TIMEOUT_MS) {
			errno = 0;
			die("child %d not set up within %d ms", (int)pid, SETUP_TIMEOUT_MS);
		}
		if (poll(&p, 1, 100) <= 0)
			continue;
		r = read(sp[0], msg + len, msgsz - 1 - len);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			die("read readiness pipe");
		if (r == 0)
			break;
		len += (size_t)r;
		if (len >= msgsz - 1) {
			errno = 0;
			die("readiness message too long");
		}
	}
	close(sp[0]);
	msg[len] = '\0';
	if (len < 3 || strcmp(msg + len - 3, "ok\n") != 0) {
		errno = 0;
		die("child %d failed during setup", (int)pid);
	}
	msg[len - 3] = '\0';
	return pid;
}

static pid_t spawn(void (*fn)(void *), void *arg, char *msg, size_t msgsz)
{
	return spawn_as(0, fn, arg, msg, msgsz);
}

static void child_message(const char *fmt, ...)
{
	char buf[256];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, sizeof buf, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= sizeof buf || write(sync_w, buf, (size_t)n) != n)
		die("write readiness pipe");
}

/* ---- the objects, as the parent made them ------------------------------ */

struct shmem {
	const char *obj;
	int fd;
	unsigned long long ino;
	char dev[16];   /* as maps writes it: hex major:minor */
	char path[256]; /* the fd link's text */
	size_t size;
};

static struct shmem m1 = { .obj = "M1" }, m2 = { .obj = "M2" };
static struct shmem sa = { .obj = "SA" }, sb = { .obj = "SB" };
static int mq_fd = -1;
static unsigned long long mq_ino;

/* The info keys of an endpoint on o: path, size ("-" unless size_known),
 * mapped. */
static void shmem_extras(const struct shmem *o, bool size_known, const char *mapped)
{
	char size[32] = "-";

	if (size_known)
		snprintf(size, sizeof size, "%zu", o->size);
	extra("path", o->path);
	extra("size", size);
	extra("mapped", mapped);
}

static void *map_or_die(int fd, size_t len, int prot, off_t off)
{
	void *p = mmap(NULL, len, prot, MAP_SHARED, fd, off);

	if (p == MAP_FAILED)
		die("mmap(fd %d, %zu, offset %lld)", fd, len, (long long)off);
	return p;
}

/* ep line of fd on o, with o's path and size */
static void report_shmem_fd(const char *kind, int fd, const char *access, const struct shmem *o,
			    const char *mapped)
{
	shmem_extras(o, true, mapped);
	report_fd(kind, fd, access, o->ino, o->obj);
}

/* map line, and the ep line map-<lowest start> of n mappings of o */
static void report_map(const char *kind, const struct shmem *o, const char *access, int n,
		       void *const *starts, bool size_known)
{
	uintptr_t lowest = UINTPTR_MAX;
	char name[32], starts_text[128] = "";
	size_t off = 0;

	for (int i = 0; i < n; i++) {
		uintptr_t s = (uintptr_t)starts[i];

		if (s < lowest)
			lowest = s;
		off += (size_t)snprintf(starts_text + off, sizeof starts_text - off, "%s0x%lx",
					i ? "," : "", (unsigned long)s);
	}
	snprintf(name, sizeof name, "map-%lx", (unsigned long)lowest);
	report("map pid=%d obj=%s starts=%s lowest=0x%lx\n", (int)getpid(), o->obj, starts_text,
	       (unsigned long)lowest);
	shmem_extras(o, size_known, "yes");
	report_ep(kind, name, -1, access, o->ino, o->obj);
}

/* holder: M1 by fd (rw), A by an O_RDONLY fd; nothing mapped */
static void holder(void *arg)
{
	int fd;

	(void)arg;
	set_identity("holder", "sm-holder");
	fd = shm_open(shm_a, O_RDONLY | O_CLOEXEC, 0);
	if (fd < 0)
		die("shm_open(%s)", shm_a);
	move_fd(m1.fd, 3);
	move_fd(fd, 4);
	keep_only(2, (int[]){ 3, 4 });
	report_shmem_fd("memfd", 3, "rw", &m1, "no");
	report_shmem_fd("shm", 4, "r", &sa, "no");
}

/* mapper: only mappings.  M1 twice (offsets 0 and 8192: two VMAs that
 * cannot merge), M2, A read-only, B. */
static void mapper(void *arg)
{
	void *s[2];

	(void)arg;
	set_identity("mapper", "sm-mapper");
	s[0] = map_or_die(m1.fd, 4096, PROT_READ | PROT_WRITE, 0);
	s[1] = map_or_die(m1.fd, 4096, PROT_READ | PROT_WRITE, 8192);
	report_map("memfd", &m1, "rw", 2, s, true); /* holder's fd shows the size */
	s[0] = map_or_die(m2.fd, M2_SIZE, PROT_READ, 0);
	report_map("memfd", &m2, "r", 1, s, false); /* no fd anywhere: unknown */
	s[0] = map_or_die(sa.fd, 4096, PROT_READ, 0);
	report_map("shm", &sa, "r", 1, s, true);
	s[0] = map_or_die(sb.fd, SB_SIZE, PROT_READ | PROT_WRITE, 0);
	report_map("shm", &sb, "rw", 1, s, true); /* size from its /dev/shm name */
	keep_only(0, NULL);
}

/* both: an O_RDONLY reopen of M1, mapped read-only; A by fd, mapped rw */
static void both(void *arg)
{
	char path[64];
	int fd;

	(void)arg;
	set_identity("both", "sm-both");
	snprintf(path, sizeof path, "/proc/self/fd/%d", m1.fd);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		die("open %s", path);
	move_fd(fd, 3);
	move_fd(dup(sa.fd), 4);
	keep_only(2, (int[]){ 3, 4 });
	map_or_die(3, 4096, PROT_READ, 0);
	map_or_die(4, 4096, PROT_READ | PROT_WRITE, 0);
	report_shmem_fd("memfd", 3, "r", &m1, "yes");
	report_shmem_fd("shm", 4, "rw", &sa, "yes");
}

/* ep line of fd on the queue, with its link text as the path */
static void report_mq(int fd, const char *access)
{
	char link[256];

	link_text(fd, link, sizeof link);
	extra("path", link);
	report_fd("mqueue", fd, access, mq_ino, "Q");
}

/* mq-a, mq-b: the parent's queue fd, inherited by fork */
static void mq_forked(void *arg)
{
	const char *role = arg;
	char comm[16];

	snprintf(comm, sizeof comm, "sm-%s", role);
	set_identity(role, comm);
	keep_only(1, &mq_fd);
	report_mq(mq_fd, "rw");
}

/* mq-c: the same queue opened by name, write-only */
static void mq_opener(void *arg)
{
	mqd_t q;

	(void)arg;
	set_identity("mq-c", "sm-mq-c");
	keep_only(0, NULL);
	q = mq_open(mq_name, O_WRONLY);
	if (q == (mqd_t)-1)
		die("mq_open(%s)", mq_name);
	move_fd(q, 3);
	if (ino_of(3) != mq_ino) {
		errno = 0;
		die("mq-c: another queue");
	}
	report_mq(3, "w");
}

static void report_sysv(const char *cls, int id, key_t key, const char *access)
{
	char name[32], key_text[16];

	snprintf(name, sizeof name, "%s-%d", cls, id); /* also the obj label */
	snprintf(key_text, sizeof key_text, "0x%08x", (unsigned)key);
	extra("class", cls);
	extra("key", key_text);
	if (strcmp(cls, "shm") == 0) {
		char size[24];

		snprintf(size, sizeof size, "%zu", sysv_shm_size);
		extra("size", size);
	}
	report_ep("sysv", name, -1, access, (unsigned long long)id, name);
}

/* shm-c: creates the segment (cpid), never attaches */
static void shm_creator(void *arg)
{
	int id;

	(void)arg;
	set_identity("shm-c", "sm-shm-c");
	keep_only(0, NULL);
	id = shmget(KEY_SHM(key_pid), sysv_shm_size, IPC_CREAT | IPC_EXCL | 0600);
	if (id < 0)
		die("shmget(0x%08x)", (unsigned)KEY_SHM(key_pid));
	child_message("%d\n", id);
	report_sysv("shm", id, KEY_SHM(key_pid), "-");
}

/* shm-a1..a3: attached (rw); shm-d: attaches and detaches (lpid) */
static void shm_user(void *arg)
{
	const char *role = arg;
	char comm[16];
	void *p;

	snprintf(comm, sizeof comm, "sm-%s", role);
	set_identity(role, comm);
	keep_only(0, NULL);
	p = shmat(shm_id, NULL, 0);
	if (p == (void *)-1)
		die("shmat(%d)", shm_id);
	if (strcmp(role, "shm-d") == 0) {
		if (shmdt(p) < 0)
			die("shmdt");
		report_sysv("shm", shm_id, KEY_SHM(key_pid), "-");
	} else {
		report_sysv("shm", shm_id, KEY_SHM(key_pid), "rw");
	}
}

/* msg-s sends three messages (lspid); msg-r receives one (lrpid) */
static void msg_user(void *arg)
{
	const char *role = arg;
	struct {
		long mtype;
		char mtext[64];
	} m;

	set_identity(role, strcmp(role, "msg-s") == 0 ? "sm-msg-s" : "sm-msg-r");
	keep_only(0, NULL);
	if (strcmp(role, "msg-s") == 0) {
		for (int i = 1; i <= 3; i++) {
			m.mtype = i;
			memset(m.mtext, 'a' + i, sizeof m.mtext);
			if (msgsnd(msg_id, &m, (size_t)(10 * i), IPC_NOWAIT) < 0)
				die("msgsnd");
		}
		report_sysv("msg", msg_id, KEY_MSG(key_pid), "w");
	} else {
		if (msgrcv(msg_id, &m, sizeof m.mtext, 0, IPC_NOWAIT) != 10)
			die("msgrcv");
		report_sysv("msg", msg_id, KEY_MSG(key_pid), "r");
	}
}

/* sem-x: +1 on sem 0; sem-y: +1 on sems 1 and 2 */
static void sem_user(void *arg)
{
	const char *role = arg;
	struct sembuf ops[2] = { { .sem_num = 0, .sem_op = 1 }, { .sem_num = 2, .sem_op = 1 } };
	size_t n = 1;

	set_identity(role, strcmp(role, "sem-x") == 0 ? "sm-sem-x" : "sm-sem-y");
	keep_only(0, NULL);
	if (strcmp(role, "sem-y") == 0) {
		ops[0].sem_num = 1;
		n = 2;
	}
	if (semop(sem_id, ops, n) < 0)
		die("semop");
	report_sysv("sem", sem_id, KEY_SEM(key_pid), "rw");
}

/* ---- the parent ---------------------------------------------------------- */

static void make_shmem(struct shmem *o, int fd, size_t size)
{
	struct stat st;

	if (ftruncate(fd, (off_t)size) < 0)
		die("ftruncate");
	if (fstat(fd, &st) < 0)
		die("fstat");
	o->fd = fd;
	o->size = size;
	o->ino = (unsigned long long)st.st_ino;
	snprintf(o->dev, sizeof o->dev, "%02x:%02x", major(st.st_dev), minor(st.st_dev));
	link_text(fd, o->path, sizeof o->path);
}

static int shm_open_new(const char *name)
{
	int fd = shm_open(name, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);

	if (fd < 0)
		die("shm_open(%s)", name);
	return fd;
}

static void names_of(pid_t p)
{
	snprintf(shm_a, sizeof shm_a, "/ipcfs-e2e-%d-a", (int)p);
	snprintf(shm_b, sizeof shm_b, "/ipcfs-e2e-%d-b", (int)p);
	snprintf(mq_name, sizeof mq_name, "/ipcfs-e2e-%d", (int)p);
}

static void cleanup(void)
{
	maker_kill_children();
	if (shm_id >= 0)
		shmctl(shm_id, IPC_RMID, NULL);
	if (msg_id >= 0)
		msgctl(msg_id, IPC_RMID, NULL);
	if (sem_id >= 0)
		semctl(sem_id, 0, IPC_RMID);
	shm_id = msg_id = sem_id = -1;
	if (!own_keys)
		return;
	/* the segment's creator may have died before telling us its id */
	int id = shmget(KEY_SHM(key_pid), 0, 0);
	if (id >= 0)
		shmctl(id, IPC_RMID, NULL);
	if (shm_a[0]) {
		shm_unlink(shm_a);
		shm_unlink(shm_b);
		mq_unlink(mq_name);
	}
}

static void scenario_shared(void)
{
	char msg[256];
	struct mq_attr attr = { .mq_maxmsg = 4, .mq_msgsize = 64 };

	names_of(parent_pid);
	own_keys = true;
	make_shmem(&m1, memfd_create("sm-m1", MFD_CLOEXEC), M1_SIZE);
	make_shmem(&m2, memfd_create("sm-m2", MFD_CLOEXEC), M2_SIZE);
	if (m1.fd < 0 || m2.fd < 0)
		die("memfd_create");
	make_shmem(&sa, shm_open_new(shm_a), SA_SIZE);
	make_shmem(&sb, shm_open_new(shm_b), SB_SIZE);
	mq_fd = mq_open(mq_name, O_RDWR | O_CREAT | O_EXCL, 0600, &attr);
	if (mq_fd < 0)
		die("mq_open(%s)", mq_name);
	mq_ino = ino_of(mq_fd);

	msg_id = msgget(KEY_MSG(key_pid), IPC_CREAT | IPC_EXCL | 0600);
	if (msg_id < 0)
		die("msgget(0x%08x)", (unsigned)KEY_MSG(key_pid));
	sem_id = semget(KEY_SEM(key_pid), NSEMS, IPC_CREAT | IPC_EXCL | 0600);
	if (sem_id < 0)
		die("semget(0x%08x)", (unsigned)KEY_SEM(key_pid));

	spawn(holder, NULL, msg, sizeof msg);
	spawn(mapper, NULL, msg, sizeof msg);
	spawn(both, NULL, msg, sizeof msg);
	spawn(mq_forked, "mq-a", msg, sizeof msg);
	spawn(mq_forked, "mq-b", msg, sizeof msg);
	spawn(mq_opener, NULL, msg, sizeof msg);
	spawn(shm_creator, NULL, msg, sizeof msg);
	shm_id = atoi(msg);
	spawn(shm_user, "shm-a1", msg, sizeof msg);
	spawn(shm_user, "shm-a2", msg, sizeof msg);
	spawn(shm_user, "shm-a3", msg, sizeof msg);
	spawn(shm_user, "shm-d", msg, sizeof msg);
	spawn(msg_user, "msg-s", msg, sizeof msg);
	spawn(msg_user, "msg-r", msg, sizeof msg);
	spawn(sem_user, "sem-x", msg, sizeof msg);
	spawn(sem_user, "sem-y", msg, sizeof msg);

	/* the parent keeps nothing */
	close(m1.fd);
	close(m2.fd);
	close(sa.fd);
	close(sb.fd);
	mq_close(mq_fd);

	set_identity("parent", "sm-parent");
	report("memfd obj=%s ino=%llu dev=%s size=%zu\n", m1.obj, m1.ino, m1.dev, m1.size);
	report("memfd obj=%s ino=%llu dev=%s size=%zu\n", m2.obj, m2.ino, m2.dev, m2.size);
	report("shm obj=%s ino=%llu dev=%s size=%zu path=%s\n", sa.obj, sa.ino, sa.dev, sa.size,
	       sa.path);
	report("shm obj=%s ino=%llu dev=%s size=%zu path=%s\n", sb.obj, sb.ino, sb.dev, sb.size,
	       sb.path);
	report("mqueue obj=Q ino=%llu name=%s\n", mq_ino, mq_name);
	report("sysv class=shm id=%d key=0x%08x\n", shm_id, (unsigned)KEY_SHM(key_pid));
	report("sysv class=msg id=%d key=0x%08x\n", msg_id, (unsigned)KEY_MSG(key_pid));
	report("sysv class=sem id=%d key=0x%08x\n", sem_id, (unsigned)KEY_SEM(key_pid));
}

/* nm-holder: M3 by fd; nm-mapper: M3 only mapped */
static struct shmem m3 = { .obj = "M3" };

static void name_holder(void *arg)
{
	(void)arg;
	set_identity("nm-holder", "sm-nm-holder");
	move_fd(m3.fd, 3);
	keep_only(1, (int[]){ 3 });
	report_shmem_fd("memfd", 3, "rw", &m3, "no");
}

static void name_mapper(void *arg)
{
	void *s[1];

	(void)arg;
	set_identity("nm-mapper", "sm-nm-mapper");
	s[0] = map_or_die(m3.fd, m3.size, PROT_READ | PROT_WRITE, 0);
	keep_only(0, NULL);
	report_map("memfd", &m3, "rw", 1, s, true);
}

static void scenario_names(void)
{
	char msg[64];

	make_shmem(&m3, memfd_create("a\nb\\c d", MFD_CLOEXEC), 4096);
	spawn(name_holder, NULL, msg, sizeof msg);
	spawn(name_mapper, NULL, msg, sizeof msg);
	close(m3.fd);
	set_identity("parent", "sm-names");
	report("memfd obj=%s ino=%llu dev=%s size=%zu\n", m3.obj, m3.ino, m3.dev, m3.size);
}

/* an impostor: a process with a reused pid and no IPC object */
static void impostor(void *arg)
{
	(void)arg;
	set_identity("impostor", "sm-impostor");
	keep_only(0, NULL);
}

static void scenario_reuse(time_t not_before, int n, char **pids)
{
	struct timespec at = { .tv_sec = not_before };
	char msg[64];
	int r;

	while ((r = clock_nanosleep(CLOCK_REALTIME, TIMER_ABSTIME, &at, NULL)) == EINTR)
		;
	if (r != 0) {
		errno = r;
		die("clock_nanosleep");
	}
	for (int i = 0; i < n; i++)
		spawn_as((pid_t)atoi(pids[i]), impostor, NULL, msg, sizeof msg);
	set_identity("parent", "sm-reuse");
}

/* "cleanup PID": whatever a run with that parent pid left behind. */
static int cleanup_run(pid_t p)
{
	int id;

	names_of(p);
	if (shm_unlink(shm_a) == 0)
		printf("left: /dev/shm%s\n", shm_a);
	if (shm_unlink(shm_b) == 0)
		printf("left: /dev/shm%s\n", shm_b);
	if (mq_unlink(mq_name) == 0)
		printf("left: mqueue %s\n", mq_name);
	if ((id = shmget(KEY_SHM(p), 0, 0)) >= 0 && shmctl(id, IPC_RMID, NULL) == 0)
		printf("left: sysv shm %d\n", id);
	if ((id = msgget(KEY_MSG(p), 0)) >= 0 && msgctl(id, IPC_RMID, NULL) == 0)
		printf("left: sysv msg %d\n", id);
	if ((id = semget(KEY_SEM(p), 0, 0)) >= 0 && semctl(id, 0, IPC_RMID) == 0)
		printf("left: sysv sem %d\n", id);
	return fflush(stdout) != 0;
}

static void usage(void)
{
	fprintf(stderr, "usage: shmmaker shared [SIZE [KEYPID]] | shmmaker names | shmmaker reuse T PID... | "
			"shmmaker cleanup PID\n");
	exit(2);
}

/* die()'s: the parent removes what it made before it exits */
static void die_cleanup(void)
{
	if (getpid() == parent_pid)
		cleanup();
}

int main(int argc, char **argv)
{
	char buf[32768];
	sigset_t set;

	if (argc == 3 && strcmp(argv[1], "cleanup") == 0)
		return cleanup_run((pid_t)atoi(argv[2]));
	if (!(argc >= 2 && argc <= 4 && strcmp(argv[1], "shared") == 0) &&
	    !(argc == 2 && strcmp(argv[1], "names") == 0) &&
	    !(argc >= 4 && strcmp(argv[1], "reuse") == 0))
		usage();

	parent_pid = key_pid = getpid();
	if (strcmp(argv[1], "shared") == 0 && argc >= 3)
		sysv_shm_size = (size_t)strtoul(argv[2], NULL, 10);
	if (strcmp(argv[1], "shared") == 0 && argc == 4)
		key_pid = (pid_t)atoi(argv[3]);
	maker_on_die = die_cleanup;
	/* SIGTERM/SIGINT/SIGHUP stay pending until the parent is ready to
	 * clean up (checked during setup, waited for afterwards) */
	maker_block_signals(&set);
	maker_start();

	if (strcmp(argv[1], "shared") == 0)
		scenario_shared();
	else if (strcmp(argv[1], "names") == 0)
		scenario_names();
	else
		scenario_reuse((time_t)atoll(argv[2]), argc - 3, argv + 3);

	/* collect the children's reports: EOF once all of them are set up */
	maker_collect(buf, sizeof buf);
	maker_check_children();
	maker_ready(buf);
	maker_wait(&set, cleanup);
}
