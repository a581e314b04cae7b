/* sockmaker — real processes joined by real sockets, for the ipcfs
 * end-to-end test tests/e2e/test_sockets.sh.
 *
 *   sockmaker DIR [paths]   (DIR: where the unix sockets' files are bound)
 *
 * What it builds (role = process; "a | b" = the two ends, in two roles):
 *   socketpairs     stream, dgram, seqpacket: sp-a | sp-b; sp-a has sent
 *                   sp-b an fd of /dev/null with one byte, not received (so
 *                   in flight)
 *   unix listeners  DIR/stream.sock and @ipcfs-e2e-<pid>, in ul-srv, each
 *                   with one accepted connection (ul-srv | ul-cli) and one
 *                   queued, never accepted client (in ul-cli)
 *   unix dgram      a server bound to DIR/dgram.sock (ud-srv), two clients
 *                   connected to it (ud-c1, ud-c2)
 *   tcp             on loopback, ephemeral ports: tcp4, tcp6 and a tcp4
 *                   client of a dual-stack [::] listener (v4-mapped); one
 *                   tcp4 connection left in its listener's accept queue;
 *                   listeners and accepted ends in tcp-srv, clients in
 *                   tcp-cli; plus an unbound tcp4 socket in tcp-cli (in no
 *                   sock_diag dump)
 *   udp             connected udp4 and udp6 pairs (udp-a | udp-b); a udp4
 *                   client (us-cli) connected to an unconnected server bound
 *                   to 127.0.0.1 (us-srv)
 *   paths           (only when asked) listeners alone, in ul-odd, bound to
 *                   a path that fills sun_path (108 bytes, no room for a
 *                   NUL), to DIR/s2-back\slash and to DIR/del<0x7f>
 *   netns           ns-srv unshares its network namespace, brings lo up,
 *                   listens on 127.0.0.1 and connects from there; the
 *                   accepted end stays in ns-srv, the client goes to its
 *                   child ns-cli (same namespace)
 *
 * Report, on stdout, once every process is in its final state (then
 * "ready", then stdout is closed in every process: EOF = ready):
 *
 *   proc pid=P role=R netns=N
 *   sock label=L pid=P role=R fd=F ino=I kind=K [x_KEY=VALUE]...
 *   peer L1 L2
 *   ready
 *
 * ino is fstat's st_ino; netns the inode of /proc/self/ns/net. "peer L1
 * L2": the sockets labelled L1 and L2 are each other's peers by the rules
 * of ipcfs(8), as sockmaker made them; no other peer exists for them. The
 * x_ fields are info keys ipcfs must show, from sockmaker's own calls
 * (getsockname, getpeername, SO_TYPE, fstat) and how it built the sockets
 * (listen state, queued clients). Values hold no spaces.
 *
 * Then every process waits.  SIGTERM (or SIGINT, SIGHUP) to the parent
 * kills and reaps the children; children die with their parent
 * (PR_SET_PDEATHSIG), the parent with the shell that started it.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <netinet/in.h>
#include <sched.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/un.h>
#include <unistd.h>

#include "maker.h"

#define MAX_SOCKS 48
#define MAX_ROLES 24

const char maker_name[] = "sockmaker";

/* ---- the sockets --------------------------------------------------------- */

struct sock {
	char label[24];
	int fd;
	int role;
	char peer_label[24];	/* unix: whose inode UNIX_DIAG_PEER names */
	unsigned pending;	/* unix listener: queued clients */
	unsigned inflight;	/* unix: fds sent to it, not yet received */
	bool listening;
	bool unconnected;	/* udp server */
	bool no_state;		/* dgram unix: state is kernel-version dependent */
	bool unbound;		/* in no dump */
};

static struct sock socks[MAX_SOCKS];
static int n_socks;

struct role {
	const char *name;
	pid_t pid;
};

static struct role roles[MAX_ROLES];
static int n_roles;

static int role(const char *name)
{
	roles[n_roles].name = name;
	return n_roles++;
}

static struct sock *add(const char *label, int fd, int owner)
{
	struct sock *s = &socks[n_socks++];

	memset(s, 0, sizeof(*s));
	snprintf(s->label, sizeof(s->label), "%s", label);
	s->fd = fd;
	s->role = owner;
	return s;
}

static struct sock *by_label(const char *label)
{
	for (int i = 0; i < n_socks; i++)
		if (strcmp(socks[i].label, label) == 0)
			return &socks[i];
	errno = 0;
	die("no socket %s", label);
	return NULL;
}

static char peers[1024];
static size_t peers_len;

static void peer(const char *a, const char *b)
{
	peers_len += (size_t)snprintf(peers + peers_len, sizeof(peers) - peers_len,
				      "peer %s %s\n", a, b);
}

static unsigned long long netns_ino(void)
{
	struct stat st;

	if (stat("/proc/self/ns/net", &st) < 0)
		die("stat /proc/self/ns/net");
	return (unsigned long long)st.st_ino;
}

static int sock_opt(int fd, int opt)
{
	int v = 0;
	socklen_t len = sizeof(v);

	if (getsockopt(fd, SOL_SOCKET, opt, &v, &len) < 0)
		die("getsockopt(%d, %d)", fd, opt);
	return v;
}

/* "127.0.0.1:P", "[::1]:P"; family's any address for no address. */
static void fmt_inet(const struct sockaddr_storage *ss, int family, char *buf, size_t size)
{
	char text[INET6_ADDRSTRLEN];

	if (family == AF_INET) {
		const struct sockaddr_in *in = (const void *)ss;
		struct in_addr any = { 0 };

		inet_ntop(AF_INET, ss->ss_family == AF_INET ? &in->sin_addr : &any, text,
			  sizeof(text));
		snprintf(buf, size, "%s:%u", text,
			 ss->ss_family == AF_INET ? ntohs(in->sin_port) : 0);
	} else {
		const struct sockaddr_in6 *in6 = (const void *)ss;

		inet_ntop(AF_INET6, ss->ss_family == AF_INET6 ? &in6->sin6_addr : &in6addr_any,
			  text, sizeof(text));
		snprintf(buf, size, "[%s]:%u", text,
			 ss->ss_family == AF_INET6 ? ntohs(in6->sin6_port) : 0);
	}
}

static const char *type_name(int type)
{
	return type == SOCK_STREAM ? "stream" : type == SOCK_DGRAM ? "dgram" :
	       type == SOCK_SEQPACKET ? "seqpacket" : "?";
}

/* One "sock" line with the socket's facts. */
static void emit_sock(const struct sock *s, pid_t pid, const char *role_name,
		      unsigned long long netns)
{
	struct sockaddr_storage local = { 0 }, remote = { 0 };
	socklen_t llen = sizeof(local), rlen = sizeof(remote);
	int family = sock_opt(s->fd, SO_DOMAIN), type = sock_opt(s->fd, SO_TYPE);
	char l[80], r[80], path[4 * sizeof(((struct sockaddr_un *)0)->sun_path) + 1];

	if (getsockname(s->fd, (struct sockaddr *)&local, &llen) < 0)
		die("getsockname(%s)", s->label);
	if (getpeername(s->fd, (struct sockaddr *)&remote, &rlen) < 0)
		remote.ss_family = AF_UNSPEC;
	report("sock label=%s pid=%d role=%s fd=%d ino=%llu kind=", s->label, (int)pid, role_name,
	     s->fd, ino_of(s->fd));
	if (family == AF_UNIX) {
		const struct sockaddr_un *un = (const void *)&local;
		size_t n = llen - offsetof(struct sockaddr_un, sun_path);
		char name[sizeof(un->sun_path) + 1] = "";

		/* A full sun_path has no NUL; an abstract name starts with one. */
		if (llen > offsetof(struct sockaddr_un, sun_path))
			memcpy(name, un->sun_path + (un->sun_path[0] == '\0'),
			       un->sun_path[0] == '\0' ? n - 1 : strnlen(un->sun_path, sizeof(un->sun_path)));
		maker_escape(path, sizeof(path), name);

		report("unix x_type=%s", type_name(type));
		if (!s->no_state)
			report(" x_state=%s", s->listening ? "listen" : "established");
		if (llen <= offsetof(struct sockaddr_un, sun_path))
			report(" x_path=-");
		else
			report(" x_path=%s%s", un->sun_path[0] == '\0' ? "@" : "", path);
		if (s->peer_label[0])
			report(" x_peer_id=%llu", ino_of(by_label(s->peer_label)->fd));
		else
			report(" x_peer_id=-");
		report(" x_pending=%u x_inflight=%u\n", s->pending, s->inflight);
		return;
	}
	report("%s%s", type == SOCK_STREAM ? "tcp" : "udp", family == AF_INET ? "4" : "6");
	if (s->unbound) {
		report(" x_state=unknown\n");
		return;
	}
	fmt_inet(&local, family, l, sizeof(l));
	fmt_inet(&remote, family, r, sizeof(r));
	report(" x_state=%s x_local=%s x_remote=%s x_netns=%llu\n",
	     s->listening ? "listen" : s->unconnected ? "unconnected" : "established", l, r,
	     netns);
}

/* ---- building blocks ------------------------------------------------------ */

static int xsocket(int family, int type)
{
	int fd = socket(family, type, 0);

	if (fd < 0)
		die("socket(%d, %d)", family, type);
	return fd;
}

static socklen_t unix_addr(struct sockaddr_un *sa, const char *path, bool abstract)
{
	size_t n = strlen(path);

	memset(sa, 0, sizeof(*sa));
	sa->sun_family = AF_UNIX;
	if (n + abstract > sizeof(sa->sun_path)) {
		errno = 0;
		die("path too long: %s", path);
	}
	memcpy(sa->sun_path + (abstract ? 1 : 0), path, n);
	return (socklen_t)(offsetof(struct sockaddr_un, sun_path) + n + (abstract ? 1 : 0));
}

/* A listener at path (or abstract name) with one accepted connection and
 * one queued client. */
static void unix_listener(const char *prefix, const char *path, bool abstract, int srv,
			  int cli)
{
	struct sockaddr_un sa;
	socklen_t len = unix_addr(&sa, path, abstract);
	int lis = xsocket(AF_UNIX, SOCK_STREAM), c, q, acc;
	char label[24], acc_label[24], cli_label[24], q_label[24];
	struct sock *s;

	if (!abstract)
		unlink(path);
	if (bind(lis, (struct sockaddr *)&sa, len) < 0 || listen(lis, 8) < 0)
		die("bind/listen %s", path);
	c = xsocket(AF_UNIX, SOCK_STREAM);
	if (connect(c, (struct sockaddr *)&sa, len) < 0)
		die("connect %s", path);
	acc = accept4(lis, NULL, NULL, 0);
	if (acc < 0)
		die("accept %s", path);
	q = xsocket(AF_UNIX, SOCK_STREAM);
	if (connect(q, (struct sockaddr *)&sa, len) < 0)
		die("connect %s (queued)", path);
	snprintf(label, sizeof(label), "%s", prefix);
	snprintf(acc_label, sizeof(acc_label), "%s.acc", prefix);
	snprintf(cli_label, sizeof(cli_label), "%s.cli", prefix);
	snprintf(q_label, sizeof(q_label), "%s.q", prefix);
	s = add(label, lis, srv);
	s->listening = true;
	s->pending = 1;
	snprintf(add(acc_label, acc, srv)->peer_label, sizeof(s->peer_label), "%s", cli_label);
	snprintf(add(cli_label, c, cli)->peer_label, sizeof(s->peer_label), "%s", acc_label);
	/* The queued client's peer is the embryo socket, which has no inode. */
	add(q_label, q, cli);
	peer(acc_label, cli_label);
	peer(label, q_label);
}

/* A listener alone, bound to path. */
static void unix_bound(const char *label, const char *path, int owner)
{
	struct sockaddr_un sa;
	socklen_t len = unix_addr(&sa, path, false);
	int fd = xsocket(AF_UNIX, SOCK_STREAM);

	unlink(path);
	if (bind(fd, (struct sockaddr *)&sa, len) < 0 || listen(fd, 1) < 0)
		die("bind/listen %s", path);
	add(label, fd, owner)->listening = true;
}

/* Sends an fd of /dev/null over a unix socket with one byte of data. */
static void send_fd(int via)
{
	union {
		struct cmsghdr header;
		char space[CMSG_SPACE(sizeof(int))];
	} control;
	char byte = 'x';
	struct iovec iov = { .iov_base = &byte, .iov_len = 1 };
	struct msghdr msg = {
		.msg_iov = &iov, .msg_iovlen = 1,
		.msg_control = control.space, .msg_controllen = sizeof(control.space),
	};
	struct cmsghdr *c = CMSG_FIRSTHDR(&msg);
	int fd = open("/dev/null", O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		die("open /dev/null");
	c->cmsg_level = SOL_SOCKET;
	c->cmsg_type = SCM_RIGHTS;
	c->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(c), &fd, sizeof(int));
	if (sendmsg(via, &msg, 0) != 1)
		die("sendmsg");
	close(fd);
}

static void socketpairs(int a, int b)
{
	static const struct {
		int type;
		const char *name;
	} types[] = { { SOCK_STREAM, "stream" }, { SOCK_DGRAM, "dgram" },
		      { SOCK_SEQPACKET, "seqpacket" } };

	for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++) {
		char la[24], lb[24];
		int sv[2];
		struct sock *x, *y;

		if (socketpair(AF_UNIX, types[i].type, 0, sv) < 0)
			die("socketpair");
		snprintf(la, sizeof(la), "sp.%s.0", types[i].name);
		snprintf(lb, sizeof(lb), "sp.%s.1", types[i].name);
		x = add(la, sv[0], a);
		y = add(lb, sv[1], b);
		snprintf(x->peer_label, sizeof(x->peer_label), "%s", lb);
		snprintf(y->peer_label, sizeof(y->peer_label), "%s", la);
		x->no_state = y->no_state = types[i].type == SOCK_DGRAM;
		send_fd(sv[0]);
		y->inflight = 1;
		peer(la, lb);
	}
}

static void unix_dgram(const char *path, int srv, int c1, int c2)
{
	struct sockaddr_un sa;
	socklen_t len = unix_addr(&sa, path, false);
	int s = xsocket(AF_UNIX, SOCK_DGRAM), a = xsocket(AF_UNIX, SOCK_DGRAM),
	    b = xsocket(AF_UNIX, SOCK_DGRAM);
	struct sock *x;

	unlink(path);
	if (bind(s, (struct sockaddr *)&sa, len) < 0)
		die("bind %s", path);
	if (connect(a, (struct sockaddr *)&sa, len) < 0 || connect(b, (struct sockaddr *)&sa, len) < 0)
		die("connect %s", path);
	x = add("ud.srv", s, srv);
	x->no_state = true;
	x = add("ud.c1", a, c1);
	x->no_state = true;
	strcpy(x->peer_label, "ud.srv");
	x = add("ud.c2", b, c2);
	x->no_state = true;
	strcpy(x->peer_label, "ud.srv");
	peer("ud.srv", "ud.c1");
	peer("ud.srv", "ud.c2");
}

/* A socket bound to addr:0 (loopback of family, or any with v6only off). */
static int inet_bound(int family, int type, bool any)
{
	struct sockaddr_storage ss = { 0 };
	int fd = xsocket(family, type), off = 0;

	if (family == AF_INET) {
		struct sockaddr_in *in = (void *)&ss;

		in->sin_family = AF_INET;
		in->sin_addr.s_addr = htonl(any ? INADDR_ANY : INADDR_LOOPBACK);
	} else {
		struct sockaddr_in6 *in6 = (void *)&ss;

		in6->sin6_family = AF_INET6;
		in6->sin6_addr = any ? in6addr_any : in6addr_loopback;
		if (setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &off, sizeof(off)) < 0)
			die("IPV6_V6ONLY");
	}
	if (bind(fd, (struct sockaddr *)&ss,
		 family == AF_INET ? sizeof(struct sockaddr_in) : sizeof(struct sockaddr_in6)) < 0)
		die("bind inet");
	return fd;
}

static void connect_to(int fd, int to, int family_as)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);

	if (getsockname(to, (struct sockaddr *)&ss, &len) < 0)
		die("getsockname");
	if (family_as == AF_INET && ss.ss_family == AF_INET6) {
		/* to 127.0.0.1 at the port of a [::] listener */
		struct sockaddr_in in = { .sin_family = AF_INET,
					  .sin_port = ((struct sockaddr_in6 *)&ss)->sin6_port,
					  .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };

		memcpy(&ss, &in, sizeof(in));
		len = sizeof(in);
	}
	if (connect(fd, (struct sockaddr *)&ss, len) < 0)
		die("connect inet");
}

/* A listener, a client, and (unless queued) the accepted end. */
static void tcp_conn(const char *prefix, int lfamily, bool any, int cfamily, bool queued,
		     int srv, int cli)
{
	int lis = inet_bound(lfamily, SOCK_STREAM, any), c = xsocket(cfamily, SOCK_STREAM), acc;
	char label[24], l2[24];

	if (listen(lis, 8) < 0)
		die("listen");
	connect_to(c, lis, cfamily);
	snprintf(label, sizeof(label), "%s.lis", prefix);
	add(label, lis, srv)->listening = true;
	snprintf(l2, sizeof(l2), "%s.cli", prefix);
	add(l2, c, cli);
	if (queued) {
		peer(label, l2);	/* its server end waits in the accept queue */
		return;
	}
	acc = accept4(lis, NULL, NULL, 0);
	if (acc < 0)
		die("accept");
	snprintf(label, sizeof(label), "%s.acc", prefix);
	add(label, acc, srv);
	peer(label, l2);
}

static void udp_pair(const char *prefix, int family, int ra, int rb)
{
	int a = inet_bound(family, SOCK_DGRAM, false), b = inet_bound(family, SOCK_DGRAM, false);
	char la[24], lb[24];

	connect_to(a, b, family);
	connect_to(b, a, family);
	snprintf(la, sizeof(la), "%s.a", prefix);
	snprintf(lb, sizeof(lb), "%s.b", prefix);
	add(la, a, ra);
	add(lb, b, rb);
	peer(la, lb);
}

static void udp_server(int srv, int cli)
{
	int s = inet_bound(AF_INET, SOCK_DGRAM, false), c = xsocket(AF_INET, SOCK_DGRAM);

	connect_to(c, s, AF_INET);
	add("us.srv", s, srv)->unconnected = true;
	add("us.cli", c, cli);
	peer("us.srv", "us.cli");
}

/* ---- processes ---------------------------------------------------------- */

static void set_name(const char *name)
{
	if (prctl(PR_SET_NAME, name, 0, 0, 0) < 0)
		die("prctl(PR_SET_NAME)");
}

/* The end of a process's setup: keeps only the sockets of role r, reports
 * (EOF on the report pipe once every process got here) and waits. */
static void hold_only(int r)
{
	for (int i = 0; i < n_socks; i++)
		if (socks[i].role != r)
			close(socks[i].fd);
	maker_child_report();
	hang();
}

/* Brings lo up in the current network namespace. */
static void lo_up(void)
{
	struct ifreq ifr = { 0 };
	int fd = xsocket(AF_INET, SOCK_DGRAM);

	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "lo");
	if (ioctl(fd, SIOCGIFFLAGS, &ifr) < 0)
		die("SIOCGIFFLAGS lo");
	ifr.ifr_flags |= IFF_UP | IFF_RUNNING;
	if (ioctl(fd, SIOCSIFFLAGS, &ifr) < 0)
		die("SIOCSIFFLAGS lo");
	close(fd);
}

/* ns-srv: a new network namespace with a tcp connection across two
 * processes, ns-srv and its child ns-cli; reports them on the pipe. */
static void netns_child(void)
{
	pid_t self = getpid(), cli_pid;
	unsigned long long ns;
	int srv, cli;

	set_name("ns-srv");
	for (int i = 0; i < n_socks; i++)
		close(socks[i].fd);
	n_socks = n_roles = 0;
	peers_len = 0;
	peers[0] = '\0';
	if (unshare(CLONE_NEWNET) < 0)
		die("unshare(CLONE_NEWNET)");
	lo_up();
	srv = role("ns-srv");
	cli = role("ns-cli");
	tcp_conn("ns", AF_INET, false, AF_INET, false, srv, cli);
	cli_pid = maker_fork(0);
	if (cli_pid == 0) {
		set_name("ns-cli");
		hold_only(cli);
	}
	roles[srv].pid = self;
	roles[cli].pid = cli_pid;
	ns = netns_ino();
	report("proc pid=%d role=ns-srv netns=%llu\n", (int)self, ns);
	report("proc pid=%d role=ns-cli netns=%llu\n", (int)cli_pid, ns);
	/* ns-srv still holds the client's socket too: same socket, same facts. */
	for (int i = 0; i < n_socks; i++)
		emit_sock(&socks[i], roles[socks[i].role].pid, roles[socks[i].role].name, ns);
	report("%s", peers);
	hold_only(srv);
}

int main(int argc, char **argv)
{
	char path[256], abstract[64], children[16384];
	pid_t parent = getpid();
	sigset_t set;

	if (argc != 2 && !(argc == 3 && strcmp(argv[2], "paths") == 0)) {
		fprintf(stderr, "usage: sockmaker DIR [paths]\n");
		return 2;
	}
	maker_start();

	int sp_a = role("sp-a"), sp_b = role("sp-b");
	int ul_srv = role("ul-srv"), ul_cli = role("ul-cli");
	int ud_srv = role("ud-srv"), ud_c1 = role("ud-c1"), ud_c2 = role("ud-c2");
	int tcp_srv = role("tcp-srv"), tcp_cli = role("tcp-cli");
	int udp_a = role("udp-a"), udp_b = role("udp-b");
	int us_srv = role("us-srv"), us_cli = role("us-cli");
	int ul_odd = argc == 3 ? role("ul-odd") : -1;
	int last_role = n_roles;

	socketpairs(sp_a, sp_b);
	snprintf(path, sizeof(path), "%s/stream.sock", argv[1]);
	unix_listener("ul.path", path, false, ul_srv, ul_cli);
	snprintf(abstract, sizeof(abstract), "ipcfs-e2e-%d", (int)parent);
	unix_listener("ul.abs", abstract, true, ul_srv, ul_cli);
	snprintf(path, sizeof(path), "%s/dgram.sock", argv[1]);
	unix_dgram(path, ud_srv, ud_c1, ud_c2);
	tcp_conn("t4", AF_INET, false, AF_INET, false, tcp_srv, tcp_cli);
	tcp_conn("t6", AF_INET6, false, AF_INET6, false, tcp_srv, tcp_cli);
	tcp_conn("td", AF_INET6, true, AF_INET, false, tcp_srv, tcp_cli);
	tcp_conn("tq", AF_INET, false, AF_INET, true, tcp_srv, tcp_cli);
	add("t.unbound", xsocket(AF_INET, SOCK_STREAM), tcp_cli)->unbound = true;
	udp_pair("u4", AF_INET, udp_a, udp_b);
	udp_pair("u6", AF_INET6, udp_a, udp_b);
	udp_server(us_srv, us_cli);
	if (ul_odd >= 0) {
		size_t dir_len = strlen(argv[1]) + 1;

		if (dir_len + 1 > sizeof(((struct sockaddr_un *)0)->sun_path)) {
			errno = 0;
			die("DIR too long for a 108-byte path in it");
		}
		snprintf(path, sizeof(path), "%s/%0*d", argv[1],
			 (int)(sizeof(((struct sockaddr_un *)0)->sun_path) - dir_len), 0);
		unix_bound("ul.full", path, ul_odd);
		snprintf(path, sizeof(path), "%s/s2-back\\slash", argv[1]);
		unix_bound("ul.back", path, ul_odd);
		snprintf(path, sizeof(path), "%s/del\x7f", argv[1]);
		unix_bound("ul.del", path, ul_odd);
	}

	int n_here = n_socks;
	unsigned long long host_ns = netns_ino();

	for (int r = 0; r < last_role; r++) {
		pid_t pid = maker_fork(0);

		if (pid == 0) {
			set_name(roles[r].name);
			hold_only(r);
		}
		roles[r].pid = pid;
	}
	if (maker_fork(0) == 0)
		netns_child();

	report("proc pid=%d role=main netns=%llu\n", (int)parent, host_ns);
	for (int r = 0; r < last_role; r++)
		report("proc pid=%d role=%s netns=%llu\n", (int)roles[r].pid, roles[r].name, host_ns);
	for (int i = 0; i < n_here; i++)
		emit_sock(&socks[i], roles[socks[i].role].pid, roles[socks[i].role].name, host_ns);
	report("%s", peers);
	for (int i = 0; i < n_here; i++)
		close(socks[i].fd);

	/* The children's part: EOF once every process holds only its own fds. */
	maker_collect(children, sizeof(children));
	if (!strstr(children, "role=ns-cli")) {
		errno = 0;
		die("the network namespace part did not report");
	}
	maker_check_children();
	maker_block_signals(&set);
	maker_ready(children);
	maker_wait(&set, maker_kill_children);
}
