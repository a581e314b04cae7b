/* Records the sock_diag fixtures in tests/fixtures/netlink/.
 *
 * Run as root (it enters a fresh network namespace so the dumps hold
 * only the sockets made here):  record_sockdiag [OUTDIR]
 * OUTDIR defaults to fixtures/netlink (run it from tests/).
 *
 * It sets up known sockets, prints what the socket calls (fstat, stat,
 * getsockname, SIOCINQ/SIOCOUTQ) say about them -- the facts the README
 * states and the tests assert -- and then writes each dump to a file:
 *   unix.bin, tcp4.bin, tcp6.bin, udp4.bin, udp6.bin, netlink.bin, packet.bin
 * and, as text, /proc/self/net/raw and raw6: raw.txt, raw6.txt
 * File format: the raw buffers returned by successive recv calls on the
 * NETLINK_SOCK_DIAG socket, up to and including the one holding
 * NLMSG_DONE, each preceded by its length as a uint32 in host byte order:
 *   [u32 len][len bytes] [u32 len][len bytes] ...
 * Netlink is host-endian, so the files are only valid on little-endian
 * hosts like the x86_64 machine they were recorded on.
 *
 * (fixtures/netlink/tcp4-info.bin is its tcp4.bin of a later run, the
 * first with INET_DIAG_INFO; see the README there.)
 *
 * Not part of the test suite; rerunning it gives new inode numbers, so the
 * README and tests/test_sockdiag.c must then be updated together. */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <linux/sock_diag.h>
#include <linux/tcp.h>
#include <linux/sockios.h>
#include <net/if.h>
#include <netinet/in.h>
#include <sched.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/un.h>
#include <unistd.h>

#include <libmnl/libmnl.h>

#include "ipcfs/sockdiag.h"

#define DIR_PATH "/tmp/ipcfs-fixture"
#define STREAM_PATH DIR_PATH "/stream.sock"
#define DGRAM_PATH DIR_PATH "/dgram.sock"
#define ABSTRACT_NAME "ipcfs-fixture-abstract"
#define FILLER_PAIRS 48  /* enough to spread the unix dump over buffers */

static void die(const char *what)
{
	perror(what);
	exit(1);
}

static int xsocket(int family, int type)
{
	int fd = socket(family, type | SOCK_CLOEXEC, 0);

	if (fd < 0)
		die("socket");
	return fd;
}

static void xbind(int fd, const void *sa, socklen_t len)
{
	if (bind(fd, sa, len) < 0)
		die("bind");
}

static void xconnect(int fd, const void *sa, socklen_t len)
{
	if (connect(fd, sa, len) < 0)
		die("connect");
}

static void xlisten(int fd, int backlog)
{
	if (listen(fd, backlog) < 0)
		die("listen");
}

static int xaccept(int fd)
{
	int conn = accept4(fd, NULL, NULL, SOCK_CLOEXEC);

	if (conn < 0)
		die("accept");
	return conn;
}

static void xsend(int fd, const char *data)
{
	if (send(fd, data, strlen(data), 0) != (ssize_t)strlen(data))
		die("send");
}

/* Moves n bytes from `from` to `to`, each read to the last byte. */
static void exchange(int from, int to, size_t n)
{
	char buf[4096];
	size_t moved = 0;
	ssize_t r;

	memset(buf, 'x', sizeof(buf));
	while (moved < n) {
		size_t chunk = n - moved < sizeof(buf) ? n - moved : sizeof(buf);

		if (send(from, buf, chunk, 0) != (ssize_t)chunk)
			die("send");
		for (size_t got = 0; got < chunk; got += (size_t)r)
			if ((r = recv(to, buf, chunk - got, 0)) <= 0)
				die("recv");
		moved += chunk;
	}
}

/* What getsockopt(TCP_INFO) says of the counters ipcfs shows. */
static const char *tcp_counters(int fd)
{
	static char out[256];
	struct tcp_info ti;
	socklen_t len = sizeof(ti);

	memset(&ti, 0, sizeof(ti));
	if (getsockopt(fd, IPPROTO_TCP, TCP_INFO, &ti, &len) < 0)
		die("TCP_INFO");
	snprintf(out, sizeof(out), "TCP_INFO: bytes_sent=%llu bytes_received=%llu segs_out=%u "
		 "segs_in=%u total_retrans=%u (%u bytes)", (unsigned long long)ti.tcpi_bytes_sent,
		 (unsigned long long)ti.tcpi_bytes_received, ti.tcpi_segs_out, ti.tcpi_segs_in,
		 ti.tcpi_total_retrans, (unsigned)len);
	return out;
}

static unsigned long ino_of(int fd)
{
	struct stat st;

	if (fstat(fd, &st) < 0)
		die("fstat");
	return st.st_ino;
}

/* SIOCINQ/SIOCOUTQ as text; listeners refuse them (EINVAL). */
static const char *ioctl_str(int fd, unsigned long req)
{
	static char out[2][16];
	static int which;
	char *o = out[which ^= 1];
	int v;

	if (ioctl(fd, req, &v) < 0)
		return "-";
	snprintf(o, sizeof(out[0]), "%d", v);
	return o;
}

/* One line of facts about a socket. */
static void fact(const char *label, int fd, const char *fmt, ...)
{
	va_list ap;

	printf("%-15s ino=%-8lu inq=%-4s outq=%-4s ", label, ino_of(fd),
	       ioctl_str(fd, SIOCINQ), ioctl_str(fd, SIOCOUTQ));
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
}

static struct sockaddr_un un_path(const char *path, socklen_t *len)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };

	strcpy(sa.sun_path, path);
	*len = offsetof(struct sockaddr_un, sun_path) + strlen(path) + 1;
	return sa;
}

static struct sockaddr_in in4(uint16_t port)
{
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons(port) };

	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	return sa;
}

static struct sockaddr_in6 in6(const struct in6_addr *addr, uint16_t port)
{
	struct sockaddr_in6 sa = { .sin6_family = AF_INET6, .sin6_port = htons(port) };

	sa.sin6_addr = *addr;
	return sa;
}

static const char *name_of(int fd, int peer)
{
	static char out[2][INET6_ADDRSTRLEN + 16];
	static int which;
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);
	char host[INET6_ADDRSTRLEN];
	char *o = out[which ^= 1];

	if ((peer ? getpeername : getsockname)(fd, (struct sockaddr *)&ss, &len) < 0)
		die("getsockname");
	if (ss.ss_family == AF_INET) {
		struct sockaddr_in *s = (struct sockaddr_in *)&ss;

		inet_ntop(AF_INET, &s->sin_addr, host, sizeof(host));
		snprintf(o, sizeof(out[0]), "%s:%u", host, ntohs(s->sin_port));
	} else {
		struct sockaddr_in6 *s = (struct sockaddr_in6 *)&ss;

		inet_ntop(AF_INET6, &s->sin6_addr, host, sizeof(host));
		snprintf(o, sizeof(out[0]), "[%s]:%u", host, ntohs(s->sin6_port));
	}
	return o;
}

static void lo_up(void)
{
	struct ifreq ifr = { 0 };
	int fd = xsocket(AF_INET, SOCK_DGRAM);

	strcpy(ifr.ifr_name, "lo");
	if (ioctl(fd, SIOCGIFFLAGS, &ifr) < 0)
		die("SIOCGIFFLAGS");
	ifr.ifr_flags |= IFF_UP;
	if (ioctl(fd, SIOCSIFFLAGS, &ifr) < 0)
		die("SIOCSIFFLAGS");
	close(fd);
}

/* A netlink socket of protocol, bound to groups (bind's 32-bit mask)
 * with the kernel choosing its port id, which it prints. */
static int nl_socket(const char *label, int protocol, uint32_t groups, uint32_t *portid)
{
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK, .nl_groups = groups };
	socklen_t len = sizeof(sa);
	int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, protocol);

	if (fd < 0)
		die("socket(AF_NETLINK)");
	xbind(fd, &sa, sizeof(sa));
	if (getsockname(fd, (struct sockaddr *)&sa, &len) < 0)
		die("getsockname");
	*portid = sa.nl_pid;
	printf("%-16s ino=%lu protocol=%d portid=%" PRIu32 " groups=0x%" PRIx32 "\n", label,
	       ino_of(fd), protocol, sa.nl_pid, groups);
	return fd;
}

static void nl_connect(int fd, uint32_t portid)
{
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK, .nl_pid = portid };

	xconnect(fd, &sa, sizeof(sa));
	printf("  ino=%lu connected to portid %" PRIu32 "\n", ino_of(fd), portid);
}

/* Copies the text of /proc/self/FILE to outdir/name. */
static void copy_proc(const char *outdir, const char *name, const char *file)
{
	char path[4096], buf[65536];
	size_t n;
	FILE *in, *out;

	snprintf(path, sizeof(path), "/proc/self/%s", file);
	in = fopen(path, "re");
	if (!in)
		die(path);
	n = fread(buf, 1, sizeof(buf), in);
	fclose(in);
	snprintf(path, sizeof(path), "%s/%s", outdir, name);
	out = fopen(path, "we");
	if (!out || fwrite(buf, 1, n, out) != n || fclose(out) != 0)
		die(path);
	printf("wrote %s: %zu bytes\n", path, n);
}

/* Sends the same request sockdiag_dump sends and writes every receive
 * buffer, framed, to outdir/name. */
static void record(const char *outdir, const char *name, int family, int protocol)
{
	char path[4096];
	char *buf = malloc(32768);
	struct mnl_socket *nl = mnl_socket_open2(NETLINK_SOCK_DIAG, SOCK_CLOEXEC);
	int frames = 0, ret;

	if (!buf || !nl)
		die("mnl_socket_open2");
	/* The very request ipcfs sends. */
	struct nlmsghdr *nlh = sockdiag_put_request(buf, family, protocol);
	if (mnl_socket_sendto(nl, nlh, nlh->nlmsg_len) < 0)
		die("sendto");

	snprintf(path, sizeof(path), "%s/%s", outdir, name);
	FILE *f = fopen(path, "wb");
	if (!f)
		die(path);
	do {
		ssize_t n = mnl_socket_recvfrom(nl, buf, 32768);
		uint32_t len = n;

		if (n <= 0)
			die("recvfrom");
		if (fwrite(&len, sizeof(len), 1, f) != 1 || fwrite(buf, n, 1, f) != 1)
			die("fwrite");
		frames++;
		ret = mnl_cb_run(buf, n, 0, 0, NULL, NULL);
	} while (ret == MNL_CB_OK);
	if (ret < 0)
		die("dump");
	if (fclose(f) != 0)
		die("fclose");
	mnl_socket_close(nl);
	free(buf);
	printf("wrote %s: %d receive buffer(s)\n", path, frames);
}

int main(int argc, char **argv)
{
	const char *outdir = argc > 1 ? argv[1] : "fixtures/netlink";
	socklen_t len;
	struct sockaddr_un sa;
	struct stat st;

	if (unshare(CLONE_NEWNET) < 0)
		die("unshare(CLONE_NEWNET) (run as root)");
	lo_up();
	if (mkdir(DIR_PATH, 0755) < 0 && errno != EEXIST)
		die("mkdir");
	unlink(STREAM_PATH);
	unlink(DGRAM_PATH);

	/* unix stream listener at a path: one accepted, one queued client */
	int ul = xsocket(AF_UNIX, SOCK_STREAM);
	sa = un_path(STREAM_PATH, &len);
	xbind(ul, &sa, len);
	xlisten(ul, 8);
	int uc1 = xsocket(AF_UNIX, SOCK_STREAM);
	xconnect(uc1, &sa, len);
	int ua1 = xaccept(ul);
	xsend(uc1, "hello");
	int uc2 = xsocket(AF_UNIX, SOCK_STREAM);
	xconnect(uc2, &sa, len);
	xsend(uc2, "abc");
	if (stat(STREAM_PATH, &st) < 0)
		die("stat");
	printf("# unix\n");
	fact("stream-listen", ul, "path=%s file ino=%lu dev=%u:%u backlog=8",
	     STREAM_PATH, (unsigned long)st.st_ino, major(st.st_dev), minor(st.st_dev));
	fact("stream-accept", ua1, "");
	fact("stream-client", uc1, "sent hello");
	fact("stream-queued", uc2, "sent abc, never accepted");

	/* abstract listener, no clients */
	int uab = xsocket(AF_UNIX, SOCK_STREAM);
	sa = (struct sockaddr_un){ .sun_family = AF_UNIX };
	memcpy(sa.sun_path + 1, ABSTRACT_NAME, strlen(ABSTRACT_NAME));
	xbind(uab, &sa, offsetof(struct sockaddr_un, sun_path) + 1 + strlen(ABSTRACT_NAME));
	xlisten(uab, 4);
	fact("abstract-listen", uab, "name=@%s backlog=4", ABSTRACT_NAME);

	/* socketpair */
	int sp[2];
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sp) < 0)
		die("socketpair");
	xsend(sp[0], "hi");
	fact("pair-0", sp[0], "sent hi");
	fact("pair-1", sp[1], "");

	/* dgram server with two connected clients; the second autobinds */
	int ud = xsocket(AF_UNIX, SOCK_DGRAM);
	sa = un_path(DGRAM_PATH, &len);
	xbind(ud, &sa, len);
	int uk1 = xsocket(AF_UNIX, SOCK_DGRAM);
	xconnect(uk1, &sa, len);
	int uk2 = xsocket(AF_UNIX, SOCK_DGRAM);
	struct sockaddr_un autob = { .sun_family = AF_UNIX };
	xbind(uk2, &autob, sizeof(sa_family_t));
	xconnect(uk2, &sa, len);
	xsend(uk1, "1234567");
	xsend(uk2, "abc");
	struct sockaddr_un an;
	socklen_t anlen = sizeof(an);
	if (getsockname(uk2, (struct sockaddr *)&an, &anlen) < 0)
		die("getsockname");
	fact("dgram-server", ud, "path=%s", DGRAM_PATH);
	fact("dgram-client1", uk1, "sent 7 bytes");
	fact("dgram-client2", uk2, "sent 3 bytes, autobind name=@%.*s",
	     (int)(anlen - offsetof(struct sockaddr_un, sun_path) - 1), an.sun_path + 1);

	/* fillers: seqpacket socketpairs */
	int fill[FILLER_PAIRS][2];
	for (int i = 0; i < FILLER_PAIRS; i++) {
		if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, fill[i]) < 0)
			die("socketpair");
		printf("filler-%-8d ino=%lu <-> ino=%lu\n", i, ino_of(fill[i][0]), ino_of(fill[i][1]));
	}

	/* tcp4: listener, one accepted connection, one still queued */
	struct sockaddr_in s4 = in4(40001), c4;
	int tl = xsocket(AF_INET, SOCK_STREAM);
	int one = 1;
	setsockopt(tl, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	xbind(tl, &s4, sizeof(s4));
	xlisten(tl, 8);
	int tc1 = xsocket(AF_INET, SOCK_STREAM);
	c4 = in4(40011);
	xbind(tc1, &c4, sizeof(c4));
	xconnect(tc1, &s4, sizeof(s4));
	int ta1 = xaccept(tl);
	xsend(tc1, "hello world");
	int tc2 = xsocket(AF_INET, SOCK_STREAM);
	c4 = in4(40012);
	xbind(tc2, &c4, sizeof(c4));
	xconnect(tc2, &s4, sizeof(s4));

	/* tcp4: a connection that moved 3000 bytes one way and 1234 back, each
	 * read to the last byte (its listener closed): INET_DIAG_INFO's counters */
	s4 = in4(40004);
	int txl = xsocket(AF_INET, SOCK_STREAM);
	xbind(txl, &s4, sizeof(s4));
	xlisten(txl, 1);
	int txc = xsocket(AF_INET, SOCK_STREAM);
	c4 = in4(40014);
	xbind(txc, &c4, sizeof(c4));
	xconnect(txc, &s4, sizeof(s4));
	int txa = xaccept(txl);
	close(txl);
	exchange(txc, txa, 3000);
	exchange(txa, txc, 1234);

	/* tcp6 on ::1, and a dual-stack listener on :: with a tcp4 client */
	struct sockaddr_in6 s6 = in6(&in6addr_loopback, 40002), c6;
	int t6l = xsocket(AF_INET6, SOCK_STREAM);
	xbind(t6l, &s6, sizeof(s6));
	xlisten(t6l, 8);
	int t6c = xsocket(AF_INET6, SOCK_STREAM);
	c6 = in6(&in6addr_loopback, 40021);
	xbind(t6c, &c6, sizeof(c6));
	xconnect(t6c, &s6, sizeof(s6));
	int t6a = xaccept(t6l);
	xsend(t6a, "thirteen byte");

	struct sockaddr_in6 sany = in6(&in6addr_any, 40003);
	int tdl = xsocket(AF_INET6, SOCK_STREAM);
	int zero = 0;
	if (setsockopt(tdl, IPPROTO_IPV6, IPV6_V6ONLY, &zero, sizeof(zero)) < 0)
		die("IPV6_V6ONLY");
	xbind(tdl, &sany, sizeof(sany));
	xlisten(tdl, 8);
	int tmc = xsocket(AF_INET, SOCK_STREAM);
	c4 = in4(40013);
	xbind(tmc, &c4, sizeof(c4));
	s4 = in4(40003);
	xconnect(tmc, &s4, sizeof(s4));
	int tma = xaccept(tdl);

	/* udp4: a connected pair; udp6: unconnected server, connected client */
	int u4a = xsocket(AF_INET, SOCK_DGRAM), u4b = xsocket(AF_INET, SOCK_DGRAM);
	struct sockaddr_in a = in4(40031), b = in4(40032);
	xbind(u4a, &a, sizeof(a));
	xbind(u4b, &b, sizeof(b));
	xconnect(u4a, &b, sizeof(b));
	xconnect(u4b, &a, sizeof(a));
	int u6s = xsocket(AF_INET6, SOCK_DGRAM), u6c = xsocket(AF_INET6, SOCK_DGRAM);
	struct sockaddr_in6 a6 = in6(&in6addr_loopback, 40041), b6 = in6(&in6addr_loopback, 40042);
	xbind(u6s, &a6, sizeof(a6));
	xbind(u6c, &b6, sizeof(b6));
	xconnect(u6c, &a6, sizeof(a6));

	/* let loopback ACKs settle so the send queues are empty */
	usleep(200 * 1000);
	printf("# tcp4\n");
	fact("tcp4-listen", tl, "%s backlog=8", name_of(tl, 0));
	fact("tcp4-client1", tc1, "%s -> %s sent 11 bytes", name_of(tc1, 0), name_of(tc1, 1));
	fact("tcp4-accept1", ta1, "%s -> %s", name_of(ta1, 0), name_of(ta1, 1));
	fact("tcp4-client2", tc2, "%s -> %s (not accepted)", name_of(tc2, 0), name_of(tc2, 1));
	fact("tcp4-mclient", tmc, "%s -> %s (to the dual-stack listener)",
	     name_of(tmc, 0), name_of(tmc, 1));
	fact("tcp4-xclient", txc, "%s -> %s sent 3000 bytes, read 1234; %s", name_of(txc, 0),
	     name_of(txc, 1), tcp_counters(txc));
	fact("tcp4-xaccept", txa, "%s -> %s read 3000 bytes, sent 1234; %s", name_of(txa, 0),
	     name_of(txa, 1), tcp_counters(txa));
	printf("# tcp6\n");
	fact("tcp6-listen", t6l, "%s backlog=8", name_of(t6l, 0));
	fact("tcp6-client", t6c, "%s -> %s", name_of(t6c, 0), name_of(t6c, 1));
	fact("tcp6-accept", t6a, "%s -> %s sent 13 bytes", name_of(t6a, 0), name_of(t6a, 1));
	fact("tcp6-dual", tdl, "%s backlog=8 V6ONLY=0", name_of(tdl, 0));
	fact("tcp6-maccept", tma, "%s -> %s", name_of(tma, 0), name_of(tma, 1));
	printf("# udp\n");
	fact("udp4-a", u4a, "%s -> %s", name_of(u4a, 0), name_of(u4a, 1));
	fact("udp4-b", u4b, "%s -> %s", name_of(u4b, 0), name_of(u4b, 1));
	fact("udp6-server", u6s, "%s unconnected", name_of(u6s, 0));
	fact("udp6-client", u6c, "%s -> %s", name_of(u6c, 0), name_of(u6c, 1));
	printf("# lo ifindex=%u\n", if_nametoindex("lo"));

	/* netlink: a route listener on groups 1 and 5 (bind) and 33
	 * (membership, past the first word); usersock a <-> b connected to
	 * each other, c -> a only, d -> a port id nobody has */
	uint32_t pr, pa, pb, pc, pd, group = 33;
	printf("# netlink\n");
	int nr = nl_socket("nl-route", NETLINK_ROUTE, RTMGRP_LINK | RTMGRP_IPV4_IFADDR, &pr);
	if (setsockopt(nr, SOL_NETLINK, NETLINK_ADD_MEMBERSHIP, &group, sizeof(group)) < 0)
		die("NETLINK_ADD_MEMBERSHIP");
	printf("  ino=%lu joined group %" PRIu32 "\n", ino_of(nr), group);
	int na = nl_socket("nl-user-a", NETLINK_USERSOCK, 0, &pa);
	int nb = nl_socket("nl-user-b", NETLINK_USERSOCK, 0, &pb);
	int nc = nl_socket("nl-user-c", NETLINK_USERSOCK, 0, &pc);
	int nd = nl_socket("nl-user-d", NETLINK_USERSOCK, 0, &pd);
	nl_connect(na, pb);
	nl_connect(nb, pa);
	nl_connect(nc, pa);
	nl_connect(nd, 0x7ffffff0u);

	/* packet: every ethertype on lo; ETH_P_IP on every interface; a
	 * dgram one for ARP.  raw: icmp 127.0.0.1 -> 127.0.0.2, udp
	 * unbound, icmpv6 on ::1 */
	printf("# packet\n");
	struct sockaddr_ll ll = { .sll_family = AF_PACKET, .sll_protocol = htons(ETH_P_ALL),
				  .sll_ifindex = (int)if_nametoindex("lo") };
	int pk_all = socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, htons(ETH_P_ALL));
	if (pk_all < 0)
		die("socket(AF_PACKET)");
	xbind(pk_all, &ll, sizeof(ll));
	fact("packet-all-lo", pk_all, "raw ETH_P_ALL ifindex %d", ll.sll_ifindex);
	int pk_ip = socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, htons(ETH_P_IP));
	int pk_arp = socket(AF_PACKET, SOCK_DGRAM | SOCK_CLOEXEC, htons(ETH_P_ARP));
	if (pk_ip < 0 || pk_arp < 0)
		die("socket(AF_PACKET)");
	fact("packet-ip", pk_ip, "raw ETH_P_IP unbound");
	fact("packet-arp", pk_arp, "dgram ETH_P_ARP unbound");
	printf("# raw\n");
	struct sockaddr_in r1 = in4(0), r2 = in4(0);
	r2.sin_addr.s_addr = htonl(0x7f000002);
	int ri = socket(AF_INET, SOCK_RAW | SOCK_CLOEXEC, IPPROTO_ICMP);
	int ru = socket(AF_INET, SOCK_RAW | SOCK_CLOEXEC, IPPROTO_UDP);
	int r6 = socket(AF_INET6, SOCK_RAW | SOCK_CLOEXEC, IPPROTO_ICMPV6);
	if (ri < 0 || ru < 0 || r6 < 0)
		die("socket(SOCK_RAW)");
	xbind(ri, &r1, sizeof(r1));
	xconnect(ri, &r2, sizeof(r2));
	struct sockaddr_in6 r61 = in6(&in6addr_loopback, 0);
	xbind(r6, &r61, sizeof(r61));
	fact("raw-icmp", ri, "127.0.0.1 -> 127.0.0.2");
	fact("raw-udp", ru, "unbound");
	fact("raw6-icmpv6", r6, "[::1]");

	record(outdir, "unix.bin", AF_UNIX, 0);
	record(outdir, "tcp4.bin", AF_INET, IPPROTO_TCP);
	record(outdir, "tcp6.bin", AF_INET6, IPPROTO_TCP);
	record(outdir, "udp4.bin", AF_INET, IPPROTO_UDP);
	record(outdir, "udp6.bin", AF_INET6, IPPROTO_UDP);
	record(outdir, "netlink.bin", AF_NETLINK, 0);
	record(outdir, "packet.bin", AF_PACKET, 0);
	copy_proc(outdir, "raw.txt", "net/raw");
	copy_proc(outdir, "raw6.txt", "net/raw6");
	unlink(STREAM_PATH);
	unlink(DGRAM_PATH);
	return 0;
}
