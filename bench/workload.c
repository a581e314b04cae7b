/* The benchmark workload: N pairs of processes joined by every kind of
 * channel ipcfs shows, 24 channels and 44 endpoints per pair (22 and 42
 * without CAP_NET_RAW):
 *
 *   pipe, FIFO (DIR/fifo.<i>), unix stream and dgram socketpairs, an
 *   abstract unix listener with one queued (never accepted) client, TCP v4
 *   (a listener with one accepted and one queued client), TCP v6 (one
 *   connection), connected UDP v4 and v6 pairs, a memfd and a POSIX shm
 *   object (held by fd in one process and only mapped in the other), a
 *   POSIX message queue, an eventfd, and a System V segment (attached by
 *   both), message queue (one sends, the other receives) and semaphore set
 *   (each operates on one semaphore); a pseudo-terminal (the master in one
 *   process, the slave in the other), a pidfd of each on the other, shared
 *   anonymous memory mapped before the fork, two NETLINK_USERSOCK sockets
 *   connected to each other (one each), and in the first process a packet
 *   socket and a raw IPv4 socket (protocol 0 and IPPROTO_RAW: they take
 *   no traffic), left out without CAP_NET_RAW (a line on stderr says so).
 *
 * Each pair's first process sets its channels up, forks the second, and
 * reports; once every pair has, "ready PAIRS PROCESSES" goes to stdout.
 * SIGTERM, SIGINT or SIGHUP stop every process and remove every object it
 * created; a helper process removes them even when the workload is killed
 * (SIGKILL): System V ids, /dev/shm and mqueue names, FIFOs.  Exits once
 * all is gone.  Each pair has its own loopback address 127.100+.x.y for
 * TCP and UDP v4, so the port range is no limit; v6 takes 3 ports per pair
 * on ::1 (28k ports: about 9000 pairs).  kernel.shmmni (4096 segments)
 * and, without CAP_SYS_RESOURCE, fs.mqueue.queues_max (256 queues) bound
 * the System V segments and message queues of the host: pairs past them
 * go without (a line on stderr says how many); bench/lib.sh raises both
 * for a run, and kernel.pty.max (4096 terminals), which a pair past it
 * fails on.
 *
 * usage: workload N DIR   (DIR holds the FIFOs) */
#include <arpa/inet.h>
#include <errno.h>
#include <linux/netlink.h>
#include <fcntl.h>
#include <mqueue.h>
#include <netinet/in.h>
#include <signal.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/ipc.h>
#include <sys/mman.h>
#include <sys/msg.h>
#include <sys/pidfd.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/sem.h>
#include <sys/shm.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#define OBJECT_SIZE 4096

/* What a pair's first process tells the workload: its System V ids as
 * soon as they exist ('i'), then that its pair is set up or failed ('r').
 * One write each, smaller than PIPE_BUF, so reports never interleave. */
struct report {
	int32_t type;		/* 'i' or 'r' */
	int32_t pair;
	int32_t status;		/* 0, or the errno of what failed */
	int32_t msqid, semid;	/* to remove; -1 for none */
	int32_t shm_missing;	/* 1: no System V segment (kernel.shmmni) */
	int32_t mq_missing;	/* 1: no message queue (fs.mqueue.queues_max) */
	int32_t raw_missing;	/* 1: no packet and raw socket (CAP_NET_RAW) */
	char what[36];		/* what failed */
};

/* What the cleaner removes: a System V id. */
struct record {
	int32_t cls;		/* 'm' msg, 's' sem */
	int32_t id;
};

static volatile sig_atomic_t stop;
static pid_t workload_pid;
static const char *fifo_dir;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

static void object_name(char *out, size_t size, int pair)
{
	snprintf(out, size, "/ipcfs-bench.%d.%d", (int)workload_pid, pair);
}

static void fifo_path(char *out, size_t size, int pair)
{
	snprintf(out, size, "%s/fifo.%d", fifo_dir, pair);
}

/* Removes what pairs 0..n-1 may have named, and the System V ids recorded
 * on fd until its end. */
static void clean(int fd, int n)
{
	struct record r, *ids = NULL, *grown;
	size_t n_ids = 0, cap = 0, k;
	char name[4200];
	ssize_t got;
	int i;

	while ((got = read(fd, &r, sizeof(r))) == sizeof(r) || (got < 0 && errno == EINTR)) {
		if (got != sizeof(r))
			continue;
		if (n_ids == cap) {
			cap = cap ? 2 * cap : 1024;
			grown = realloc(ids, cap * sizeof(*ids));
			if (!grown) {	/* remove what cannot be kept */
				r.cls == 'm' ? msgctl(r.id, IPC_RMID, NULL) : semctl(r.id, 0, IPC_RMID);
				cap = n_ids;
				continue;
			}
			ids = grown;
		}
		ids[n_ids++] = r;
	}
	for (k = 0; k < n_ids; k++)
		ids[k].cls == 'm' ? msgctl(ids[k].id, IPC_RMID, NULL) : semctl(ids[k].id, 0, IPC_RMID);
	free(ids);
	for (i = 0; i < n; i++) {
		object_name(name, sizeof(name), i);
		shm_unlink(name);
		mq_unlink(name);
		fifo_path(name, sizeof(name), i);
		unlink(name);
	}
}

/* The cleaner: a child that ignores the signals that stop the workload,
 * reads records until the workload closes the pipe (or dies), then
 * removes everything. */
static pid_t start_cleaner(int *record_fd, int n)
{
	int fds[2], null;
	pid_t pid;

	if (pipe(fds) < 0)
		return -1;
	pid = fork();
	if (pid != 0) {
		close(fds[0]);
		*record_fd = fds[1];
		return pid;
	}
	signal(SIGTERM, SIG_IGN);
	signal(SIGINT, SIG_IGN);
	signal(SIGHUP, SIG_IGN);
	close(fds[1]);
	null = open("/dev/null", O_RDWR);
	if (null >= 0) {
		dup2(null, 0);
		dup2(null, 1);
		close(null);
	}
	clean(fds[0], n);
	_exit(0);
}

/* A child that dies with its parent, stdin and stdout on /dev/null (a pipe
 * held by every process would make them all peers). */
static int become_child(pid_t parent)
{
	int null;

	prctl(PR_SET_PDEATHSIG, SIGKILL);
	if (getppid() != parent)
		return -1;
	signal(SIGTERM, SIG_DFL);
	signal(SIGINT, SIG_DFL);
	signal(SIGHUP, SIG_DFL);
	null = open("/dev/null", O_RDWR);
	if (null < 0)
		return -1;
	dup2(null, 0);
	dup2(null, 1);
	close(null);
	return 0;
}

static void sleep_forever(void)
{
	for (;;)
		pause();
}

struct pair {
	int index;
	int pipe[2], fifo_r, fifo_w, stream[2], dgram[2];
	int abstract_listener, abstract_client;
	int tcp4_listener, tcp4_accepted, tcp4_client, tcp4_queued;
	int tcp6_accepted, tcp6_client;
	int udp4[2], udp6[2];
	int memfd, shm_fd, efd;
	mqd_t mq;
	int shmid, msqid, semid;
	void *sysv_shm, *anon;
	int pty_master, pty_slave, nl[2], packet, raw;
};

static const char *failed;

#define TRY(what, expr)				\
	do {					\
		if ((expr) < 0) {		\
			failed = (what);	\
			return -1;		\
		}				\
	} while (0)

/* The pair's own loopback address: 127.100.0.1 and on. */
static struct sockaddr_in addr4(int pair)
{
	uint32_t n = (uint32_t)pair + 1;
	struct sockaddr_in a = { .sin_family = AF_INET };

	a.sin_addr.s_addr = htonl((127u << 24) | ((100u + (n >> 16)) << 16) | (n & 0xffff));
	return a;
}

static int bound(int family, int type, const void *addr, socklen_t len)
{
	int s = socket(family, type, 0);

	if (s < 0)
		return -1;
	if (bind(s, addr, len) < 0) {
		close(s);
		return -1;
	}
	return s;
}

/* A connected UDP pair on addr (port 0). */
static int udp_pair(int family, const void *addr, socklen_t len, int out[2])
{
	struct sockaddr_storage a, b;
	socklen_t la = sizeof(a), lb = sizeof(b);

	out[0] = bound(family, SOCK_DGRAM, addr, len);
	out[1] = bound(family, SOCK_DGRAM, addr, len);
	if (out[0] < 0 || out[1] < 0 ||
	    getsockname(out[0], (void *)&a, &la) < 0 || getsockname(out[1], (void *)&b, &lb) < 0 ||
	    connect(out[0], (void *)&b, lb) < 0 || connect(out[1], (void *)&a, la) < 0)
		return -1;
	return 0;
}

static int connected(int family, const void *addr, socklen_t len)
{
	int s = socket(family, SOCK_STREAM, 0);

	if (s < 0)
		return -1;
	if (connect(s, addr, len) < 0) {
		close(s);
		return -1;
	}
	return s;
}

/* Two NETLINK_USERSOCK sockets, each connected to the other's port id. */
static int netlink_pair(int out[2])
{
	struct sockaddr_nl a[2] = { { .nl_family = AF_NETLINK }, { .nl_family = AF_NETLINK } };
	socklen_t len = sizeof(a[0]);
	int i;

	for (i = 0; i < 2; i++) {
		out[i] = socket(AF_NETLINK, SOCK_RAW, NETLINK_USERSOCK);
		if (out[i] < 0 || bind(out[i], (void *)&a[i], sizeof(a[i])) < 0 ||
		    getsockname(out[i], (void *)&a[i], &len) < 0)
			return -1;
	}
	if (connect(out[0], (void *)&a[1], sizeof(a[1])) < 0 ||
	    connect(out[1], (void *)&a[0], sizeof(a[0])) < 0)
		return -1;
	return 0;
}

/* A packet and a raw socket that receive nothing: protocol 0 (no
 * ethertype until bound) and IPPROTO_RAW (send only).  Without
 * CAP_NET_RAW neither, and 0; -1 on another failure. */
static int quiet_raw_sockets(struct pair *p)
{
	p->packet = socket(AF_PACKET, SOCK_RAW, 0);
	if (p->packet < 0)
		return errno == EPERM ? 0 : -1;
	p->raw = socket(AF_INET, SOCK_RAW, IPPROTO_RAW);
	return p->raw < 0 ? -1 : 0;
}

/* Everything of pair p but what is done after the fork. */
static int make_channels(struct pair *p, pid_t workload)
{
	struct sockaddr_in a4 = addr4(p->index);
	struct sockaddr_in6 a6 = { .sin6_family = AF_INET6, .sin6_addr = IN6ADDR_LOOPBACK_INIT };
	struct sockaddr_un un = { .sun_family = AF_UNIX };
	struct mq_attr attr = { .mq_maxmsg = 1, .mq_msgsize = 16 };
	socklen_t len, un_len;
	char name[4200];
	int l6;

	TRY("pipe", pipe(p->pipe));
	fifo_path(name, sizeof(name), p->index);
	if (mkfifo(name, 0600) < 0 && errno != EEXIST)
		TRY("mkfifo", -1);
	TRY("fifo", p->fifo_r = open(name, O_RDONLY | O_NONBLOCK));
	TRY("fifo", p->fifo_w = open(name, O_WRONLY | O_NONBLOCK));
	TRY("socketpair", socketpair(AF_UNIX, SOCK_STREAM, 0, p->stream));
	TRY("socketpair", socketpair(AF_UNIX, SOCK_DGRAM, 0, p->dgram));

	un_len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + 1 +
			     snprintf(un.sun_path + 1, sizeof(un.sun_path) - 1,
				      "ipcfs-bench.%d.%d", (int)workload, p->index));
	TRY("abstract listener", p->abstract_listener = bound(AF_UNIX, SOCK_STREAM, &un, un_len));
	TRY("abstract listen", listen(p->abstract_listener, 8));
	TRY("abstract connect", p->abstract_client = connected(AF_UNIX, &un, un_len));

	TRY("tcp4 listener", p->tcp4_listener = bound(AF_INET, SOCK_STREAM, &a4, sizeof(a4)));
	len = sizeof(a4);
	TRY("tcp4 listen", listen(p->tcp4_listener, 8));
	TRY("tcp4 getsockname", getsockname(p->tcp4_listener, (void *)&a4, &len));
	TRY("tcp4 connect", p->tcp4_client = connected(AF_INET, &a4, sizeof(a4)));
	TRY("tcp4 accept", p->tcp4_accepted = accept(p->tcp4_listener, NULL, NULL));
	TRY("tcp4 connect", p->tcp4_queued = connected(AF_INET, &a4, sizeof(a4)));

	TRY("tcp6 listener", l6 = bound(AF_INET6, SOCK_STREAM, &a6, sizeof(a6)));
	len = sizeof(a6);
	if (listen(l6, 8) < 0 || getsockname(l6, (void *)&a6, &len) < 0 ||
	    (p->tcp6_client = connected(AF_INET6, &a6, sizeof(a6))) < 0 ||
	    (p->tcp6_accepted = accept(l6, NULL, NULL)) < 0)
		TRY("tcp6", -1);
	close(l6);

	a4.sin_port = 0;
	a6.sin6_port = 0;
	TRY("udp4", udp_pair(AF_INET, &a4, sizeof(a4), p->udp4));
	TRY("udp6", udp_pair(AF_INET6, &a6, sizeof(a6), p->udp6));

	TRY("memfd", p->memfd = memfd_create("ipcfs-bench", 0));
	TRY("memfd size", ftruncate(p->memfd, OBJECT_SIZE));
	object_name(name, sizeof(name), p->index);
	TRY("shm_open", p->shm_fd = shm_open(name, O_RDWR | O_CREAT | O_TRUNC, 0600));
	TRY("shm size", ftruncate(p->shm_fd, OBJECT_SIZE));
	/* Without CAP_SYS_RESOURCE, fs.mqueue.queues_max (256) bounds the
	 * queues of the whole IPC namespace: bench scripts raise it. */
	p->mq = mq_open(name, O_RDWR | O_CREAT, 0600, &attr);
	if (p->mq < 0 && errno != ENOSPC)
		TRY("mq_open", -1);
	TRY("eventfd", p->efd = eventfd(0, 0));

	/* Removed as soon as attached: it lives while a process has it. */
	p->shmid = shmget(IPC_PRIVATE, OBJECT_SIZE, IPC_CREAT | 0600);
	if (p->shmid < 0 && errno != ENOSPC)
		TRY("shmget", -1);
	if (p->shmid >= 0) {
		p->sysv_shm = shmat(p->shmid, NULL, 0);
		shmctl(p->shmid, IPC_RMID, NULL);
		if (p->sysv_shm == (void *)-1)
			TRY("shmat", -1);
	}

	/* Shared with the second process by the fork. */
	p->anon = mmap(NULL, OBJECT_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (p->anon == MAP_FAILED)
		TRY("anonymous mmap", -1);
	*(volatile char *)p->anon = 1;
	TRY("posix_openpt", p->pty_master = posix_openpt(O_RDWR | O_NOCTTY));
	if (grantpt(p->pty_master) < 0 || unlockpt(p->pty_master) < 0 ||
	    ptsname_r(p->pty_master, name, sizeof(name)) != 0)
		TRY("pty", -1);
	TRY("pty slave", p->pty_slave = open(name, O_RDWR | O_NOCTTY));
	TRY("netlink", netlink_pair(p->nl));
	TRY("packet/raw socket", quiet_raw_sockets(p));
	return 0;
}

static void close_all(const int *fds, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		close(fds[i]);
}

static void *map_and_close(int fd)
{
	void *m = mmap(NULL, OBJECT_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);

	close(fd);
	if (m != MAP_FAILED)
		*(volatile char *)m = 1;
	return m;
}

/* The second process: the writing/connecting ends, the memfd and shm
 * object only mapped; sends on the System V queue (twice: one message
 * stays queued) and operates on semaphore 1. */
static void second(struct pair *p, pid_t first, int done)
{
	struct { long type; char text[8]; } msg = { 1, "hello" };
	struct sembuf op = { .sem_num = 1, .sem_op = 1 };
	const int theirs[] = { p->pipe[0], p->fifo_r, p->stream[0], p->dgram[0],
			       p->abstract_listener, p->tcp4_listener, p->tcp4_accepted,
			       p->tcp6_accepted, p->udp4[0], p->udp6[0], p->pty_master,
			       p->nl[0], p->packet, p->raw };

	close_all(theirs, sizeof(theirs) / sizeof(theirs[0]));
	if (map_and_close(p->memfd) == MAP_FAILED || map_and_close(p->shm_fd) == MAP_FAILED ||
	    pidfd_open(first, 0) < 0 ||
	    msgsnd(p->msqid, &msg, sizeof(msg.text), IPC_NOWAIT) < 0 ||
	    msgsnd(p->msqid, &msg, sizeof(msg.text), IPC_NOWAIT) < 0 ||
	    semop(p->semid, &op, 1) < 0 || write(done, "x", 1) != 1)
		_exit(1);
	close(done);
	sleep_forever();
}

/* A pair's first process: reports its System V ids, sets the pair up,
 * forks the second, reports again on report_fd and waits.  The cleaner
 * removes what it created however it ends. */
static void first(int index, pid_t workload, int report_fd)
{
	struct pair p = { .index = index, .shmid = -1, .msqid = -1, .semid = -1,
			  .pty_master = -1, .pty_slave = -1, .nl = { -1, -1 }, .packet = -1,
			  .raw = -1 };
	struct report rep = { .type = 'i', .pair = index };
	struct { long type; char text[8]; } msg;
	struct sembuf op = { .sem_num = 0, .sem_op = 1 };
	int sync[2];
	pid_t self = getpid(), child;
	char c;

	/* The ids go to the cleaner before anything else can fail: it
	 * removes them however this process ends. */
	rep.msqid = p.msqid = msgget(IPC_PRIVATE, IPC_CREAT | 0600);
	rep.semid = p.semid = semget(IPC_PRIVATE, 2, IPC_CREAT | 0600);
	if (write(report_fd, &rep, sizeof(rep)) != sizeof(rep))
		_exit(1);
	rep = (struct report){ .type = 'r', .pair = index };
	if (p.msqid < 0 || p.semid < 0) {
		failed = p.msqid < 0 ? "msgget" : "semget";
		rep.status = errno;
		goto fail;
	}
	if (make_channels(&p, workload) < 0 || pipe(sync) < 0) {
		rep.status = errno ? errno : EIO;
		goto fail;
	}
	switch ((child = fork())) {
	case -1:
		failed = "fork";
		rep.status = errno;
		goto fail;
	case 0:
		close(report_fd);
		close(sync[0]);
		if (become_child(self) < 0)
			_exit(1);
		second(&p, self, sync[1]);
	}
	{
		const int theirs[] = { p.pipe[1], p.fifo_w, p.stream[1], p.dgram[1],
				       p.abstract_client, p.tcp4_client, p.tcp4_queued,
				       p.tcp6_client, p.udp4[1], p.udp6[1], p.pty_slave,
				       p.nl[1], sync[1] };

		close_all(theirs, sizeof(theirs) / sizeof(theirs[0]));
	}
	if (pidfd_open(child, 0) < 0) {
		failed = "pidfd_open";
		rep.status = errno;
		goto fail;
	}
	if (read(sync[0], &c, 1) != 1) {
		failed = "second process";
		rep.status = EIO;
		goto fail;
	}
	close(sync[0]);
	if (msgrcv(p.msqid, &msg, sizeof(msg.text), 0, IPC_NOWAIT) < 0 ||
	    semop(p.semid, &op, 1) < 0) {
		failed = "msgrcv/semop";
		rep.status = errno;
		goto fail;
	}
	rep.shm_missing = p.shmid < 0;
	rep.mq_missing = p.mq < 0;
	rep.raw_missing = p.packet < 0;
	if (write(report_fd, &rep, sizeof(rep)) != sizeof(rep))
		goto fail;
	close(report_fd);
	sleep_forever();
fail:
	snprintf(rep.what, sizeof(rep.what), "%s", failed ? failed : "?");
	if (write(report_fd, &rep, sizeof(rep)) != sizeof(rep))
		_exit(1);
	_exit(1);
}

static void record(int fd, int cls, int id)
{
	struct record r = { cls, id };

	if (id >= 0 && write(fd, &r, sizeof(r)) != sizeof(r))
		perror("workload: cleaner");
}

int main(int argc, char **argv)
{
	struct sigaction sa = { .sa_handler = on_signal };
	struct rlimit unlimited = { RLIM_INFINITY, RLIM_INFINITY };
	int n, i, forked, reports[2], record_fd = -1, status = 0, got = 0, no_shm = 0, no_mq = 0,
	    no_raw = 0;
	pid_t *firsts, cleaner, pid;
	sigset_t none;
	struct report rep;
	ssize_t r;

	if (argc != 3 || (n = atoi(argv[1])) <= 0)
		return fprintf(stderr, "usage: workload N DIR\n"), 2;
	/* Fds inherited from the caller (a pipe to a terminal multiplexer,
	 * a test harness) would make every process a peer of every other. */
	close_range(3, ~0u, 0);
	workload_pid = getpid();
	fifo_dir = argv[2];
	firsts = calloc((size_t)n, sizeof(*firsts));
	if (!firsts)
		return perror("workload"), 1;
	/* Message queues count against RLIMIT_MSGQUEUE (800 KiB by
	 * default); root may lift it. */
	setrlimit(RLIMIT_MSGQUEUE, &unlimited);
	/* Orphans (second processes whose first died) come back here to be
	 * reaped: the workload exits after every process it started. */
	prctl(PR_SET_CHILD_SUBREAPER, 1);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	cleaner = start_cleaner(&record_fd, n);
	if (cleaner < 0 || pipe(reports) < 0)
		return perror("workload: cleaner"), 1;
	/* Two reports per pair: room for them while pairs are still forked
	 * (root may grow a pipe past fs.pipe-max-size). */
	fcntl(reports[1], F_SETPIPE_SZ, 1 << 20);

	for (i = 0; i < n && !stop; i++) {
		pid = fork();
		if (pid < 0) {
			perror("workload: fork");
			status = 1;
			break;
		}
		if (pid == 0) {
			close(reports[0]);
			close(record_fd);
			if (become_child(workload_pid) < 0)
				_exit(1);
			first(i, workload_pid, reports[1]);
		}
		firsts[i] = pid;
	}
	forked = i;
	close(reports[1]);
	while (!stop && got < forked) {
		r = read(reports[0], &rep, sizeof(rep));
		if (r < 0 && errno == EINTR)
			continue;
		if (r != sizeof(rep))
			break;	/* every first process is gone */
		if (rep.type == 'i') {
			record(record_fd, 'm', rep.msqid);
			record(record_fd, 's', rep.semid);
			continue;
		}
		got++;
		no_shm += rep.shm_missing;
		no_mq += rep.mq_missing;
		no_raw += rep.raw_missing;
		if (rep.status && !status) {
			fprintf(stderr, "workload: pair %d: %s: %s\n", rep.pair,
				rep.what, strerror(rep.status));
			status = 1;
		}
	}
	if (!stop && !status && got == n) {
		if (no_shm)
			fprintf(stderr, "workload: %d pairs without a System V segment "
				"(kernel.shmmni)\n", no_shm);
		if (no_mq)
			fprintf(stderr, "workload: %d pairs without a message queue "
				"(fs.mqueue.queues_max)\n", no_mq);
		if (no_raw)
			fprintf(stderr, "workload: %d pairs without a packet and raw socket "
				"(CAP_NET_RAW)\n", no_raw);
		printf("ready %d %d\n", n, 2 * n + 2);
		fflush(stdout);
		sigemptyset(&none);
		while (!stop)
			sigsuspend(&none);
	} else if (!stop) {
		if (!status)
			fprintf(stderr, "workload: %d of %d pairs set up\n", got, n);
		status = 1;
	}
	/* Second processes die with their first (PDEATHSIG), then come here
	 * (subreaper); the cleaner exits once it has removed everything. */
	for (i = 0; i < forked; i++)
		kill(firsts[i], SIGKILL);
	for (i = 0; i < forked; i++)
		while (waitpid(firsts[i], NULL, 0) < 0 && errno == EINTR)
			;
	/* The ids of pairs stopped before they were counted. */
	while ((r = read(reports[0], &rep, sizeof(rep))) == sizeof(rep) ||
	       (r < 0 && errno == EINTR))
		if (r == sizeof(rep) && rep.type == 'i') {
			record(record_fd, 'm', rep.msqid);
			record(record_fd, 's', rep.semid);
		}
	close(reports[0]);
	close(record_fd);
	while (wait(NULL) > 0 || errno == EINTR)
		;
	free(firsts);
	return status;
}
