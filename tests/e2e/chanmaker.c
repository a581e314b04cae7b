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
 *   pty         a pseudo-terminal: the parent holds the master (fd 3,
 *               opened by posix_openpt), a child the slave as fds 0, 1, 2
 *   pidfd       the parent holds a pidfd on a live child (fd 3) and one on
 *               a child it has already reaped (fd 4)
 *   anonshm     shared anonymous memory (3 pages) mapped before fork by the
 *               parent and its child, plus one only the parent maps
 *   netlink     one process: a NETLINK_ROUTE socket bound to RTMGRP_LINK
 *               (fd 3) and two NETLINK_USERSOCK sockets connected to each
 *               other's port id (fds 4 and 5, peers)
 *   packet      one process (root): a packet socket for every ethertype
 *               (ETH_P_ALL) bound to lo (fd 3), a raw ICMP socket bound to
 *               127.0.0.1 and connected to 127.0.0.2 (fd 4) and a raw
 *               ICMPv6 socket bound to ::1 (fd 5); no peers
 *   vsock       one process: a vsock stream listener bound to any cid and
 *               a port the kernel picks (fd 3); where the kernel has
 *               vsock loopback, a client connected to it through cid 1
 *               (fd 4) and the accepted end (fd 5).  First a line
 *               "vsock af=0|1 diag=0|1 loopback=0|1|-": whether AF_VSOCK
 *               sockets can be made, whether the kernel answers a
 *               vsock_diag request (not ENOENT), whether the loopback
 *               connection was made ("-": not tried, without vsock_diag
 *               nothing shows it).  The ep lines only with diag=1.
 *   mixed       one process named "cm mixed" holding a pipe (fds 3 and 4),
 *               a unix stream socketpair (fds 5 and 6) and an eventfd
 *               (fd 7): one endpoint of each common kind, for events
 *   pair A B    two processes named A (the parent, comm set with
 *               PR_SET_NAME, so any bytes but NUL, truncated to 15) and B
 *               (its child) joined by a pipe: A holds the write end, B the
 *               read end
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
#include <arpa/inet.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <linux/netlink.h>
#include <net/if.h>
#include <netinet/in.h>
#include <linux/rtnetlink.h>
#include <linux/sock_diag.h>
#include <linux/vm_sockets.h>
#include <linux/vm_sockets_diag.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <pthread.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <sys/pidfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include "maker.h"

const char maker_name[] = "chanmaker";

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

/* Fork a child that dies with us.  In the child, `fn` does its setup and
 * reporting, then the child reports and hangs. */
static void spawn(void (*fn)(void *), void *arg)
{
	if (maker_fork(0) == 0) {
		fn(arg);
		maker_child_report();
		hang();
	}
}

/* ---- scenarios ---------------------------------------------------- */

/* A netlink socket of protocol on fd `to`, bound to groups with a port id
 * the kernel picks; returns that port id. */
static unsigned nl_socket(int protocol, unsigned groups, int to)
{
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK, .nl_groups = groups };
	socklen_t len = sizeof(sa);
	int fd = socket(AF_NETLINK, SOCK_RAW, protocol);

	if (fd < 0)
		die("socket(AF_NETLINK, %d)", protocol);
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 ||
	    getsockname(fd, (struct sockaddr *)&sa, &len) < 0)
		die("bind/getsockname(AF_NETLINK)");
	move_fd(fd, to);
	return sa.nl_pid;
}

static void nl_connect(int fd, unsigned portid)
{
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK, .nl_pid = portid };

	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0)
		die("connect(AF_NETLINK)");
}

static void report_nl(int fd, const char *protocol, unsigned portid, unsigned dst,
		      const char *groups, const char *obj)
{
	char text[16];

	extra("protocol", protocol);
	snprintf(text, sizeof text, "%u", portid);
	extra("portid", text);
	snprintf(text, sizeof text, "%u", dst);
	extra("dst_portid", text);
	extra("groups", groups);
	report_fd("netlink", fd, "rw", ino_of(fd), obj);
}

static void sc_packet(void)
{
	struct sockaddr_ll ll = { .sll_family = AF_PACKET, .sll_protocol = htons(ETH_P_ALL),
				  .sll_ifindex = (int)if_nametoindex("lo") };
	struct sockaddr_in local = { .sin_family = AF_INET }, remote = local;
	struct sockaddr_in6 local6 = { .sin6_family = AF_INET6, .sin6_addr = IN6ADDR_LOOPBACK_INIT };
	char index[16];
	int fd;

	if (!ll.sll_ifindex)
		die("if_nametoindex(lo)");
	fd = socket(AF_PACKET, SOCK_RAW, htons(ETH_P_ALL));
	if (fd < 0 || bind(fd, (struct sockaddr *)&ll, sizeof(ll)) < 0)
		die("packet socket on lo");
	move_fd(fd, 3);
	inet_pton(AF_INET, "127.0.0.1", &local.sin_addr);
	inet_pton(AF_INET, "127.0.0.2", &remote.sin_addr);
	fd = socket(AF_INET, SOCK_RAW, IPPROTO_ICMP);
	if (fd < 0 || bind(fd, (struct sockaddr *)&local, sizeof(local)) < 0 ||
	    connect(fd, (struct sockaddr *)&remote, sizeof(remote)) < 0)
		die("raw icmp socket");
	move_fd(fd, 4);
	fd = socket(AF_INET6, SOCK_RAW, IPPROTO_ICMPV6);
	if (fd < 0 || bind(fd, (struct sockaddr *)&local6, sizeof(local6)) < 0)
		die("raw icmpv6 socket");
	move_fd(fd, 5);
	set_identity("packet-holder", "cm-packet");
	extra("type", "raw");
	extra("protocol", "all");
	snprintf(index, sizeof index, "%d", ll.sll_ifindex);
	extra("interface", index);
	report_fd("packet", 3, "rw", ino_of(3), "P");
	extra("protocol", "icmp");
	extra("local", "127.0.0.1");
	extra("remote", "127.0.0.2");
	report_fd("raw", 4, "rw", ino_of(4), "R4");
	extra("protocol", "icmpv6");
	extra("local", "::1");
	extra("remote", "::");
	report_fd("raw", 5, "rw", ino_of(5), "R6");
}

static void sc_netlink(void)
{
	unsigned route = nl_socket(NETLINK_ROUTE, RTMGRP_LINK, 3);
	unsigned a = nl_socket(NETLINK_USERSOCK, 0, 4);
	unsigned b = nl_socket(NETLINK_USERSOCK, 0, 5);

	nl_connect(4, b);
	nl_connect(5, a);
	set_identity("nl-holder", "cm-netlink");
	report_nl(3, "route", route, 0, "1", "R");
	report_nl(4, "usersock", a, b, "-", "U");
	report_nl(5, "usersock", b, a, "-", "U");
}

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
	extra("path", path);
	report_fd("fifos", 3, "rw", ino_of(3), "F");
}

static void selfpipe(void)
{
	int p[2];
	if (pipe(p) < 0)
		die("pipe");
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
}

static void pair_child(void *arg)
{
	set_identity("pair-b", arg);
	close(pipe_w);
	report_fd("pipes", pipe_r, "r", ino_of(pipe_r), "W");
}

static void sc_pair(const char *a, const char *b)
{
	int p[2];
	if (pipe(p) < 0)
		die("pipe");
	pipe_r = p[0];
	pipe_w = p[1];
	spawn(pair_child, (void *)b);
	set_identity("pair-a", a);
	close(pipe_r);
	report_fd("pipes", pipe_w, "w", ino_of(pipe_w), "W");
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
	report_fd("eventfd", 3, "rw", eventfd_id(3), "E");
	report_fd("eventfd", 4, "rw", eventfd_id(4), "P");
}

static void sc_mixed(void)
{
	int p[2], sv[2], e;

	set_identity("mixed", "cm mixed");
	if (pipe(p) < 0)
		die("pipe");
	move_fd(p[0], 3);
	move_fd(p[1], 4);
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0)
		die("socketpair");
	move_fd(sv[0], 5);
	move_fd(sv[1], 6);
	e = eventfd(0, EFD_CLOEXEC);
	if (e < 0)
		die("eventfd");
	move_fd(e, 7);
	report_fd("pipes", 3, "r", ino_of(3), "P");
	report_fd("pipes", 4, "w", ino_of(4), "P");
	report_fd("unix", 5, "rw", ino_of(5), "U");
	report_fd("unix", 6, "rw", ino_of(6), "U");
	report_fd("eventfd", 7, "rw", eventfd_id(7), "E");
}

static char pty_slave_path[64];
static unsigned pty_index;

/* The extras every fd of the terminal shows. */
static void pty_extras(const char *side, const char *path)
{
	struct stat st;
	char instance[32], index[16];
	if (stat(pty_slave_path, &st) < 0)
		die("stat %s", pty_slave_path);
	snprintf(instance, sizeof instance, "%u:%u", major(st.st_dev), minor(st.st_dev));
	snprintf(index, sizeof index, "%u", pty_index);
	extra("side", side);
	extra("index", index);
	extra("path", path);
	extra("instance", instance);
}

/* The slave on 0, 1 and 2, as a shell's.  Those are /dev/null until the
 * report is sent (maker_child_report), so a second write end of the
 * report pipe holds the parent's EOF until they are in place. */
static void pty_child(void)
{
	set_identity("pty-slave", "cm-pty-s");
	close(3);
	int slave = open(pty_slave_path, O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (slave < 0)
		die("open %s", pty_slave_path);
	move_fd(slave, 4);
	for (int fd = 0; fd < 3; fd++) {
		pty_extras("slave", pty_slave_path);
		report_fd("pty", fd, "rw", pty_index, "T");
	}
	int hold = dup(REPORT_W);
	if (hold < 0)
		die("dup");
	maker_child_report();
	for (int fd = 0; fd < 3; fd++)
		if (dup2(4, fd) < 0)
			die("dup2");
	close(4);
	close(hold);
	hang();
}

static void sc_pty(void)
{
	int m = posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (m < 0)
		die("posix_openpt");
	if (grantpt(m) < 0 || unlockpt(m) < 0)
		die("grantpt/unlockpt");
	if (ptsname_r(m, pty_slave_path, sizeof pty_slave_path) != 0)
		die("ptsname_r");
	move_fd(m, 3);
	pty_index = (unsigned)strtoul(pty_slave_path + strlen("/dev/pts/"), NULL, 10);
	if (maker_fork(0) == 0)
		pty_child();
	char master_path[512];
	link_text(3, master_path, sizeof master_path);
	set_identity("pty-master", "cm-pty-m");
	pty_extras("master", master_path);
	report_fd("pty", 3, "rw", pty_index, "T");
}

static void sc_pidfd(void)
{
	char target[16];
	pid_t live = maker_fork(0);
	if (live == 0) {
		set_identity("pidfd-target", "cm-pidfd-t");
		maker_child_report();
		hang();
	}
	int fd = pidfd_open(live, 0);
	if (fd < 0)
		die("pidfd_open");
	move_fd(fd, 3);
	/* not a maker child: reaped here, before anything is reported */
	pid_t gone = fork();
	if (gone < 0)
		die("fork");
	if (gone == 0)
		_exit(0);
	fd = pidfd_open(gone, 0);
	if (fd < 0)
		die("pidfd_open");
	move_fd(fd, 4);
	if (waitpid(gone, NULL, 0) != gone)
		die("waitpid");
	set_identity("pidfd-holder", "cm-pidfd-h");
	snprintf(target, sizeof target, "%d", (int)live);
	extra("target", target);
	report_fd("pidfd", 3, "rw", (unsigned long long)live, "L");
	extra("target", "-");
	report_fd("pidfd", 4, "rw", 0, "G");
}

/* 1 when the kernel answers a vsock_diag request, 0 when it has no
 * vsock_diag (ENOENT). */
static int vsock_diag_present(void)
{
	struct {
		struct nlmsghdr h;
		struct vsock_diag_req r;
	} req = {
		.h = { .nlmsg_len = sizeof(req), .nlmsg_type = SOCK_DIAG_BY_FAMILY,
		       .nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP },
		.r = { .sdiag_family = AF_VSOCK, .vdiag_states = ~0u },
	};
	_Alignas(struct nlmsghdr) char buf[8192];
	const struct nlmsghdr *h = (const void *)buf;
	int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_SOCK_DIAG);
	ssize_t n;

	if (fd < 0 || send(fd, &req, sizeof(req), 0) != sizeof(req))
		die("sock_diag request");
	n = recv(fd, buf, sizeof(buf), 0);
	close(fd);
	if (n < (ssize_t)NLMSG_HDRLEN)
		die("sock_diag reply");
	if (h->nlmsg_type == NLMSG_ERROR && n >= (ssize_t)(NLMSG_HDRLEN + sizeof(int))) {
		int err;

		memcpy(&err, NLMSG_DATA(h), sizeof(err));
		if (err == -ENOENT)
			return 0;
		errno = -err;
		die("vsock_diag request");
	}
	return 1;
}

static void vsock_text(const struct sockaddr_vm *a, char *out, size_t size)
{
	char cid[16] = "*", port[16] = "*";

	if (a->svm_cid != VMADDR_CID_ANY)
		snprintf(cid, sizeof cid, "%u", a->svm_cid);
	if (a->svm_port != VMADDR_PORT_ANY)
		snprintf(port, sizeof port, "%u", a->svm_port);
	snprintf(out, size, "%s:%s", cid, port);
}

/* The endpoint of vsock socket fd, its addresses as the kernel has them. */
static void report_vsock(int fd, const char *state, const char *obj)
{
	struct sockaddr_vm local, remote = { .svm_cid = VMADDR_CID_ANY,
					     .svm_port = VMADDR_PORT_ANY };
	socklen_t len = sizeof(local);
	char text[40];

	if (getsockname(fd, (struct sockaddr *)&local, &len) < 0)
		die("getsockname(AF_VSOCK)");
	len = sizeof(remote);
	if (getpeername(fd, (struct sockaddr *)&remote, &len) < 0 && errno != ENOTCONN)
		die("getpeername(AF_VSOCK)");
	extra("type", "stream");
	extra("state", state);
	vsock_text(&local, text, sizeof text);
	extra("local", text);
	vsock_text(&remote, text, sizeof text);
	extra("remote", text);
	report_fd("vsock", fd, "rw", ino_of(fd), obj);
}

/* A client of the listener on fd 3 through cid 1, on fd 4, and the
 * accepted end on fd 5; 0 when the kernel has no loopback (the connect
 * fails, or is still waiting after a second). */
static int vsock_loopback(unsigned port)
{
	struct sockaddr_vm to = { .svm_family = AF_VSOCK, .svm_cid = VMADDR_CID_LOCAL,
				  .svm_port = port };
	struct pollfd p = { .events = POLLOUT };
	int fd = socket(AF_VSOCK, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0), err = 0;
	socklen_t len = sizeof(err);

	if (fd < 0)
		die("socket(AF_VSOCK)");
	p.fd = fd;
	if (connect(fd, (struct sockaddr *)&to, sizeof(to)) < 0 && errno != EINPROGRESS) {
		close(fd);
		return 0;
	}
	if (poll(&p, 1, 1000) != 1 || getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) < 0 ||
	    err) {
		close(fd);
		return 0;
	}
	move_fd(fd, 4);
	fd = accept4(3, NULL, NULL, SOCK_CLOEXEC);
	if (fd < 0)
		die("accept(AF_VSOCK)");
	move_fd(fd, 5);
	return 1;
}

static void sc_vsock(void)
{
	struct sockaddr_vm any = { .svm_family = AF_VSOCK, .svm_cid = VMADDR_CID_ANY,
				   .svm_port = VMADDR_PORT_ANY };
	socklen_t len = sizeof(any);
	int fd = socket(AF_VSOCK, SOCK_STREAM | SOCK_CLOEXEC, 0), diag, loopback = -1;

	set_identity("vsock-holder", "cm-vsock");
	if (fd < 0) {
		report("vsock af=0 diag=0 loopback=-\n");
		return;
	}
	if (bind(fd, (struct sockaddr *)&any, sizeof(any)) < 0 || listen(fd, 4) < 0 ||
	    getsockname(fd, (struct sockaddr *)&any, &len) < 0)
		die("vsock listener");
	move_fd(fd, 3);
	diag = vsock_diag_present();
	if (diag)
		loopback = vsock_loopback(any.svm_port);
	report("vsock af=1 diag=%d loopback=%s\n", diag,
	       loopback < 0 ? "-" : loopback ? "1" : "0");
	if (!diag)
		return;
	report_vsock(3, "listen", "L");
	if (loopback > 0) {
		report_vsock(4, "established", "C");
		report_vsock(5, "established", "C");
	}
}

#define ANONSHM_SIZE 12288

/* The inode maps shows for the mapping at addr. */
static unsigned long long maps_ino(const void *addr)
{
	char line[512], want[32];
	unsigned long long ino;
	FILE *f = fopen("/proc/self/maps", "re");
	if (!f)
		die("open /proc/self/maps");
	snprintf(want, sizeof want, "%lx-", (unsigned long)addr);
	while (fgets(line, sizeof line, f))
		if (!strncmp(line, want, strlen(want)) &&
		    sscanf(line, "%*s %*s %*s %*s %llu", &ino) == 1) {
			fclose(f);
			return ino;
		}
	errno = 0;
	die("no mapping at %p in /proc/self/maps", addr);
}

static void report_anonshm(void *addr, const char *obj)
{
	char name[64], size[16];
	snprintf(name, sizeof name, "map-%lx", (unsigned long)addr);
	snprintf(size, sizeof size, "%d", ANONSHM_SIZE);
	extra("path", "/dev/zero (deleted)");
	extra("size", size);
	extra("mapped", "yes");
	report_ep("anonshm", name, -1, "rw", maps_ino(addr), obj);
}

static void *anonshm_map(void)
{
	void *p = mmap(NULL, ANONSHM_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS,
		       -1, 0);
	if (p == MAP_FAILED)
		die("mmap");
	return p;
}

static void sc_anonshm(void)
{
	void *shared = anonshm_map();
	if (maker_fork(0) == 0) {
		set_identity("anonshm-child", "cm-anon-c");
		report_anonshm(shared, "A");
		maker_child_report();
		hang();
	}
	void *lone = anonshm_map();
	set_identity("anonshm-parent", "cm-anon-p");
	report_anonshm(shared, "A");
	report_anonshm(lone, "L");
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
		"oddcomm|idle|pty|pidfd|anonshm|netlink|packet|vsock|mixed|pair A B|"
		"threadself PATH\n");
	exit(2);
}

int main(int argc, char **argv)
{
	if (argc < 2)
		usage();
	if (!strcmp(argv[1], "threadself") && argc == 3)
		return threadself(argv[2]);

	maker_start();

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
	else if (!strcmp(sc, "pty"))
		sc_pty();
	else if (!strcmp(sc, "pidfd"))
		sc_pidfd();
	else if (!strcmp(sc, "anonshm"))
		sc_anonshm();
	else if (!strcmp(sc, "netlink"))
		sc_netlink();
	else if (!strcmp(sc, "packet"))
		sc_packet();
	else if (!strcmp(sc, "vsock"))
		sc_vsock();
	else if (!strcmp(sc, "mixed"))
		sc_mixed();
	else if (!strcmp(sc, "pair") && argc == 4)
		sc_pair(argv[2], argv[3]);
	else
		usage();

	/* collect the children's reports: EOF once all of them are set up */
	char buf[8192];
	maker_collect(buf, sizeof buf);

	/* every child must have reported (a "proc" line each) */
	int procs = 0;
	for (const char *p = buf; (p = strstr(p, "proc ")); p++)
		if (p == buf || p[-1] == '\n')
			procs++;
	maker_check_children();
	if (procs != maker_children()) {
		errno = 0;
		die("%d of %d children reported", procs, maker_children());
	}

	/* From here on SIGTERM/SIGINT/SIGHUP end the scenario cleanly: the
	 * children are killed and reaped before the parent exits, so once the
	 * parent is reaped no process of the scenario is left, not even a
	 * zombie.  A child killed alone is reaped at once. */
	sigset_t set;
	maker_block_signals(&set);
	maker_ready(buf);
	maker_wait(&set, maker_kill_children);
}
