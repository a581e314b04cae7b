/* Unit tests of the sock_diag layer.
 *
 * sockdiag_parse runs on the recorded dumps in fixtures/netlink/ (see the
 * README there: every inode, port and queue length asserted below comes
 * from it) and on copies of them patched into malformed shapes. Every
 * buffer handed to the parser is malloc'd at its exact size, so running
 * under -fsanitize=address catches any read past it.
 *
 * sockdiag_dump runs with mnl_socket_sendto / mnl_socket_recvfrom wrapped
 * (link with -Wl,--wrap=mnl_socket_sendto,--wrap=mnl_socket_recvfrom):
 * the wrappers capture the request and replay fixture buffers, or pass
 * through to the kernel for the live test. Run from tests/. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <libmnl/libmnl.h>
#include <linux/inet_diag.h>
#include <linux/netlink.h>
#include <linux/if_ether.h>
#include <linux/netlink_diag.h>
#include <linux/packet_diag.h>
#include <linux/sock_diag.h>
#include <linux/tcp.h>
#include <linux/unix_diag.h>
#include <linux/vm_sockets.h>
#include <linux/vm_sockets_diag.h>

#include "ipcfs/sockdiag.h"

/* From fixtures/netlink/README. */
enum {
	UNIX_LISTEN = 7789, UNIX_CLIENT = 7790, UNIX_ACCEPT = 7791,
	UNIX_QUEUED = 7792, UNIX_ABSTRACT = 7793, UNIX_PAIR0 = 7794,
	UNIX_PAIR1 = 7795, UNIX_DGRAM_SRV = 7796, UNIX_DGRAM_C1 = 7797,
	UNIX_DGRAM_C2 = 7798, UNIX_FILLER_FIRST = 7799, UNIX_FILLER_LAST = 7894,
	UNIX_COUNT = 106,
	TCP4_LISTEN = 7895, TCP4_CLIENT1 = 7896, TCP4_ACCEPT1 = 7897,
	TCP4_CLIENT2 = 7898, TCP6_LISTEN = 7899, TCP6_CLIENT = 7900,
	TCP6_ACCEPT = 7901, TCP6_DUAL = 7902, TCP4_MCLIENT = 7903,
	TCP6_MACCEPT = 7904, UDP4_A = 7905, UDP4_B = 7906, UDP6_SERVER = 7907,
	UDP6_CLIENT = 7908,
	/* tcp4-info.bin, recorded later with INET_DIAG_INFO */
	TCPI_LISTEN = 13187528, TCPI_CLIENT1 = 13187529, TCPI_ACCEPT1 = 13187530,
	TCPI_XCLIENT = 13187533, TCPI_XACCEPT = 13187534,
};
#define STREAM_PATH "/tmp/ipcfs-fixture/stream.sock"
#define DGRAM_PATH "/tmp/ipcfs-fixture/dgram.sock"
#define ABSTRACT "\0ipcfs-fixture-abstract"
#define ST_ESTABLISHED 1
#define ST_CLOSE 7
#define ST_LISTEN 10

/* ---- fixtures ---------------------------------------------------------- */

struct frame {
	uint8_t *data;
	size_t len;
};

struct fixture {
	struct frame f[8];
	size_t n;
};

static struct fixture fx_unix, fx_tcp4, fx_tcp6, fx_udp4, fx_udp6, fx_netlink, fx_packet,
	fx_vsock, fx_tcpi;

static void *dup_bytes(const void *p, size_t len)
{
	void *c = malloc(len ? len : 1);

	assert_non_null(c);
	memcpy(c, p, len);
	return c;
}

/* Reads a [u32 len][bytes]... file into exactly sized buffers. */
static void load(const char *name, struct fixture *fx)
{
	char path[256];
	uint32_t len;

	snprintf(path, sizeof(path), "fixtures/netlink/%s", name);
	FILE *f = fopen(path, "rb");
	assert_non_null(f);
	fx->n = 0;
	while (fread(&len, sizeof(len), 1, f) == 1) {
		assert_true(fx->n < 8);
		struct frame *fr = &fx->f[fx->n++];
		fr->len = len;
		fr->data = malloc(len);
		assert_non_null(fr->data);
		assert_int_equal(fread(fr->data, 1, len, f), len);
	}
	assert_true(feof(f));
	fclose(f);
}

static void unload(struct fixture *fx)
{
	for (size_t i = 0; i < fx->n; i++)
		free(fx->f[i].data);
	fx->n = 0;
}

static int group_setup(void **state)
{
	(void)state;
	load("unix.bin", &fx_unix);
	load("tcp4.bin", &fx_tcp4);
	load("tcp6.bin", &fx_tcp6);
	load("udp4.bin", &fx_udp4);
	load("udp6.bin", &fx_udp6);
	load("netlink.bin", &fx_netlink);
	load("packet.bin", &fx_packet);
	load("vsock.bin", &fx_vsock);
	load("tcp4-info.bin", &fx_tcpi);
	return 0;
}

static int group_teardown(void **state)
{
	(void)state;
	unload(&fx_unix);
	unload(&fx_tcp4);
	unload(&fx_tcp6);
	unload(&fx_udp4);
	unload(&fx_udp6);
	unload(&fx_netlink);
	unload(&fx_packet);
	unload(&fx_vsock);
	unload(&fx_tcpi);
	return 0;
}

/* ---- walking raw bytes (independently of the parser) ------------------- */

static struct nlmsghdr *msg_at(uint8_t *buf, size_t off)
{
	return (struct nlmsghdr *)(buf + off);
}

/* Offset of message number idx in a well-formed buffer. */
static size_t msg_off(const uint8_t *buf, size_t len, unsigned idx)
{
	size_t off = 0;

	while (idx--) {
		off += NLMSG_ALIGN(((const struct nlmsghdr *)(buf + off))->nlmsg_len);
		assert_true(off < len);
	}
	return off;
}

static unsigned msg_count(const uint8_t *buf, size_t len)
{
	unsigned n = 0;

	for (size_t off = 0; off < len; n++)
		off += NLMSG_ALIGN(((const struct nlmsghdr *)(buf + off))->nlmsg_len);
	return n;
}

/* Offset of the AF_UNIX message for ino. */
static size_t unix_msg_off(const uint8_t *buf, size_t len, uint32_t ino)
{
	for (size_t off = 0; off < len;) {
		const struct nlmsghdr *nlh = (const void *)(buf + off);
		const struct unix_diag_msg *m = NLMSG_DATA(nlh);

		if (nlh->nlmsg_type == SOCK_DIAG_BY_FAMILY && m->udiag_ino == ino)
			return off;
		off += NLMSG_ALIGN(nlh->nlmsg_len);
	}
	fail_msg("inode %u not in buffer", ino);
	return 0;
}

/* The attribute of type in the AF_UNIX message at moff. */
static struct nlattr *unix_attr(uint8_t *buf, size_t moff, uint16_t type)
{
	struct nlmsghdr *nlh = msg_at(buf, moff);
	size_t off = NLMSG_HDRLEN + NLMSG_ALIGN(sizeof(struct unix_diag_msg));

	while (off < nlh->nlmsg_len) {
		struct nlattr *a = (struct nlattr *)((uint8_t *)nlh + off);

		if (a->nla_type == type)
			return a;
		off += NLA_ALIGN(a->nla_len);
	}
	fail_msg("attribute %u not found", type);
	return NULL;
}

/* Which frame of unix.bin holds ino. */
static struct frame *unix_frame_of(uint32_t ino)
{
	for (size_t i = 0; i < fx_unix.n; i++) {
		struct frame *fr = &fx_unix.f[i];

		for (size_t off = 0; off < fr->len;) {
			const struct nlmsghdr *nlh = (const void *)(fr->data + off);
			const struct unix_diag_msg *m = NLMSG_DATA(nlh);

			if (nlh->nlmsg_type == SOCK_DIAG_BY_FAMILY && m->udiag_ino == ino)
				return fr;
			off += NLMSG_ALIGN(nlh->nlmsg_len);
		}
	}
	fail_msg("inode %u not in unix.bin", ino);
	return NULL;
}

/* ---- looking at results ----------------------------------------------- */

static void parse_fixture(const struct fixture *fx, int protocol, struct sock_list *l)
{
	for (size_t i = 0; i < fx->n; i++)
		assert_int_equal(sockdiag_parse(fx->f[i].data, fx->f[i].len, protocol, l),
				 i + 1 == fx->n ? SOCKDIAG_DONE : SOCKDIAG_MORE);
}

static size_t count_ino(const struct sock_list *l, uint64_t ino)
{
	size_t n = 0;

	for (size_t i = 0; i < l->count; i++)
		n += l->items[i].ino == ino;
	return n;
}

static const struct sock_record *find(const struct sock_list *l, uint64_t ino)
{
	const struct sock_record *r = NULL;

	for (size_t i = 0; i < l->count; i++)
		if (l->items[i].ino == ino) {
			assert_null(r);  /* exactly once */
			r = &l->items[i];
		}
	if (!r)
		fail_msg("inode %lu not parsed", (unsigned long)ino);
	return r;
}

static const struct sock_record *find_ports(const struct sock_list *l,
					    uint16_t lport, uint16_t rport)
{
	for (size_t i = 0; i < l->count; i++)
		if (l->items[i].local_port == lport && l->items[i].remote_port == rport)
			return &l->items[i];
	fail_msg("no socket %u -> %u", lport, rport);
	return NULL;
}

static void assert_addr(int family, const uint8_t addr[16], const char *text)
{
	uint8_t want[16] = { 0 };

	assert_int_equal(inet_pton(family, text, want), 1);
	assert_memory_equal(addr, want, 16);
}

static void assert_inet(const struct sock_record *r, int family, int protocol,
			const char *laddr, uint16_t lport,
			const char *raddr, uint16_t rport,
			int state, uint32_t rq, uint32_t wq)
{
	assert_int_equal(r->family, family);
	assert_int_equal(r->protocol, protocol);
	assert_int_equal(r->type, protocol == IPPROTO_TCP ? SOCK_STREAM : SOCK_DGRAM);
	assert_addr(family, r->local_addr, laddr);
	assert_int_equal(r->local_port, lport);
	assert_addr(family, r->remote_addr, raddr);
	assert_int_equal(r->remote_port, rport);
	assert_int_equal(r->state, state);
	assert_int_equal(r->rqueue, rq);
	assert_int_equal(r->wqueue, wq);
	assert_int_equal(r->ifindex, 0);
	assert_int_equal(r->path_len, 0);
	assert_int_equal(r->n_icons, 0);
	assert_null(r->icons);
}

static void assert_unnamed(const struct sock_record *r)
{
	assert_int_equal(r->path_len, 0);
	assert_int_equal(r->path[0], '\0');
	assert_false(r->has_vfs);
}

/* ---- the recorded dumps ----------------------------------------------- */

static void test_unix_fixture(void **state)
{
	struct sock_list l = { 0 };
	const struct sock_record *r;

	(void)state;
	assert_int_equal(fx_unix.n, 3);  /* a real multipart dump */
	assert_true(msg_count(fx_unix.f[0].data, fx_unix.f[0].len) > 1);
	parse_fixture(&fx_unix, 0, &l);
	assert_int_equal(l.count, UNIX_COUNT);
	for (uint64_t ino = UNIX_LISTEN; ino <= UNIX_FILLER_LAST; ino++)
		assert_int_equal(count_ino(&l, ino), 1);
	for (size_t i = 0; i < l.count; i++) {
		assert_int_equal(l.items[i].family, AF_UNIX);
		assert_int_equal(l.items[i].protocol, 0);
	}

	r = find(&l, UNIX_LISTEN);
	assert_int_equal(r->type, SOCK_STREAM);
	assert_int_equal(r->state, ST_LISTEN);
	assert_int_equal(r->rqueue, 1);
	assert_int_equal(r->wqueue, 8);
	assert_int_equal(r->peer_ino, 0);
	assert_int_equal(r->n_icons, 1);
	assert_int_equal(r->icons[0], UNIX_QUEUED);
	assert_int_equal(r->path_len, strlen(STREAM_PATH));
	assert_string_equal(r->path, STREAM_PATH);
	assert_true(r->has_vfs);
	assert_int_equal(r->vfs_ino, 10952714);
	assert_int_equal(r->vfs_dev, makedev(254, 0));

	r = find(&l, UNIX_CLIENT);
	assert_int_equal(r->type, SOCK_STREAM);
	assert_int_equal(r->state, ST_ESTABLISHED);
	assert_int_equal(r->peer_ino, UNIX_ACCEPT);
	assert_int_equal(r->rqueue, 0);
	assert_int_equal(r->wqueue, 768);
	assert_int_equal(r->n_icons, 0);
	assert_unnamed(r);

	r = find(&l, UNIX_ACCEPT);
	assert_int_equal(r->state, ST_ESTABLISHED);
	assert_int_equal(r->peer_ino, UNIX_CLIENT);
	assert_int_equal(r->rqueue, 5);
	assert_int_equal(r->wqueue, 0);
	assert_string_equal(r->path, STREAM_PATH);
	assert_true(r->has_vfs);
	assert_int_equal(r->vfs_ino, 10952714);

	r = find(&l, UNIX_QUEUED);
	assert_int_equal(r->state, ST_ESTABLISHED);
	assert_int_equal(r->peer_ino, 0);
	assert_int_equal(r->wqueue, 768);
	assert_unnamed(r);

	r = find(&l, UNIX_ABSTRACT);
	assert_int_equal(r->state, ST_LISTEN);
	assert_int_equal(r->path_len, sizeof(ABSTRACT) - 1);
	assert_memory_equal(r->path, ABSTRACT, sizeof(ABSTRACT));  /* and the NUL */
	assert_false(r->has_vfs);
	assert_int_equal(r->n_icons, 0);
	assert_null(r->icons);
	assert_int_equal(r->rqueue, 0);
	assert_int_equal(r->wqueue, 4);

	r = find(&l, UNIX_PAIR0);
	assert_int_equal(r->type, SOCK_STREAM);
	assert_int_equal(r->peer_ino, UNIX_PAIR1);
	assert_int_equal(r->wqueue, 768);
	assert_unnamed(r);
	r = find(&l, UNIX_PAIR1);
	assert_int_equal(r->peer_ino, UNIX_PAIR0);
	assert_int_equal(r->rqueue, 2);

	r = find(&l, UNIX_DGRAM_SRV);
	assert_int_equal(r->type, SOCK_DGRAM);
	assert_int_equal(r->state, ST_ESTABLISHED);
	assert_int_equal(r->peer_ino, 0);
	assert_int_equal(r->rqueue, 7);
	assert_string_equal(r->path, DGRAM_PATH);
	assert_int_equal(r->vfs_ino, 10952715);
	assert_int_equal(r->vfs_dev, makedev(254, 0));
	for (uint64_t ino = UNIX_DGRAM_C1; ino <= UNIX_DGRAM_C2; ino++) {
		r = find(&l, ino);
		assert_int_equal(r->type, SOCK_DGRAM);
		assert_int_equal(r->state, ST_ESTABLISHED);
		assert_int_equal(r->peer_ino, UNIX_DGRAM_SRV);
		assert_int_equal(r->wqueue, 768);
	}
	assert_int_equal(find(&l, UNIX_DGRAM_C1)->path_len, 0);
	r = find(&l, UNIX_DGRAM_C2);
	assert_int_equal(r->path_len, 6);
	assert_memory_equal(r->path, "\0" "7457d", 7);

	for (uint64_t ino = UNIX_FILLER_FIRST; ino <= UNIX_FILLER_LAST; ino++) {
		r = find(&l, ino);
		assert_int_equal(r->type, SOCK_SEQPACKET);
		assert_int_equal(r->state, ST_ESTABLISHED);
		assert_int_equal(r->peer_ino, (ino - UNIX_FILLER_FIRST) % 2 ? ino - 1 : ino + 1);
		assert_int_equal(r->rqueue, 0);
		assert_int_equal(r->wqueue, 0);
		assert_unnamed(r);
	}
	sock_list_free(&l);
	assert_null(l.items);
	assert_int_equal(l.count, 0);
}

static void test_tcp4_fixture(void **state)
{
	struct sock_list l = { 0 };

	(void)state;
	parse_fixture(&fx_tcp4, IPPROTO_TCP, &l);
	assert_int_equal(l.count, 6);
	assert_inet(find(&l, TCP4_LISTEN), AF_INET, IPPROTO_TCP,
		    "127.0.0.1", 40001, "0.0.0.0", 0, ST_LISTEN, 1, 8);
	assert_inet(find(&l, TCP4_CLIENT1), AF_INET, IPPROTO_TCP,
		    "127.0.0.1", 40011, "127.0.0.1", 40001, ST_ESTABLISHED, 0, 0);
	assert_inet(find(&l, TCP4_ACCEPT1), AF_INET, IPPROTO_TCP,
		    "127.0.0.1", 40001, "127.0.0.1", 40011, ST_ESTABLISHED, 11, 0);
	assert_inet(find(&l, TCP4_CLIENT2), AF_INET, IPPROTO_TCP,
		    "127.0.0.1", 40012, "127.0.0.1", 40001, ST_ESTABLISHED, 0, 0);
	assert_inet(find(&l, TCP4_MCLIENT), AF_INET, IPPROTO_TCP,
		    "127.0.0.1", 40013, "127.0.0.1", 40003, ST_ESTABLISHED, 0, 0);
	/* the server end still in the accept queue has no inode */
	const struct sock_record *q = find_ports(&l, 40001, 40012);
	assert_int_equal(q->ino, 0);
	assert_inet(q, AF_INET, IPPROTO_TCP,
		    "127.0.0.1", 40001, "127.0.0.1", 40012, ST_ESTABLISHED, 0, 0);
	sock_list_free(&l);
}

/* ---- INET_DIAG_INFO: TCP counters ------------------------------------- */

/* The counters in have are there, and those that do not move with time
 * (bytes, segments, retransmissions) are want's. */
static void assert_counters(const struct sock_record *r, uint8_t have, const uint64_t *want)
{
	assert_int_equal(r->tcp_have, have);
	for (int c = 0; c <= SOCK_TCP_RETRANS; c++)
		if (have >> c & 1)
			assert_int_equal(r->tcp[c], want[c]);
}

#define ALL_COUNTERS ((uint8_t)((1u << SOCK_TCP_COUNTERS) - 1))

/* The connection that moved 3000 bytes one way and 1234 back: its
 * counters as the recorder's own TCP_INFO read them just before the dump
 * (see the README); a listener's tcp_info is there, all zero. */
static void test_tcp_info_fixture(void **state)
{
	struct sock_list l = { 0 };
	const struct sock_record *r;

	(void)state;
	parse_fixture(&fx_tcpi, IPPROTO_TCP, &l);
	assert_int_equal(l.count, 8);
	r = find(&l, TCPI_XCLIENT);
	assert_inet(r, AF_INET, IPPROTO_TCP, "127.0.0.1", 40014, "127.0.0.1", 40004,
		    ST_ESTABLISHED, 0, 0);
	assert_counters(r, ALL_COUNTERS, (const uint64_t[]){ 3000, 1234, 4, 3, 0 });
	assert_true(r->tcp[SOCK_TCP_RTT_US] > 0);
	r = find(&l, TCPI_XACCEPT);
	assert_counters(r, ALL_COUNTERS, (const uint64_t[]){ 1234, 3000, 2, 4, 0 });
	/* "hello world", sent and not read: received all the same */
	assert_int_equal(find(&l, TCPI_CLIENT1)->tcp[SOCK_TCP_BYTES_SENT], 11);
	assert_int_equal(find(&l, TCPI_ACCEPT1)->tcp[SOCK_TCP_BYTES_RECEIVED], 11);
	assert_counters(find(&l, TCPI_LISTEN), ALL_COUNTERS, (const uint64_t[]){ 0, 0, 0, 0, 0 });
	sock_list_free(&l);
	/* the same bytes as UDP's answer: no counter read */
	parse_fixture(&fx_tcpi, IPPROTO_UDP, &l);
	for (size_t i = 0; i < l.count; i++)
		assert_int_equal(l.items[i].tcp_have, 0);
	sock_list_free(&l);
}

/* The xclient message with its INET_DIAG_INFO attribute alone, holding the
 * first info_len bytes of its tcp_info (an older kernel's shorter struct),
 * the attribute's length field saying attr_len; parsed from a buffer of
 * exactly its size. */
static struct sock_record parse_tcp_info(size_t info_len, uint16_t attr_len)
{
	const struct frame *fr = &fx_tcpi.f[0];
	const struct nlmsghdr *src = NULL;
	const struct nlattr *info = NULL, *a;
	struct sock_list l = { 0 };
	struct sock_record rec;
	size_t off, len;
	uint8_t *b;

	for (off = 0; !src && off < fr->len; off += NLMSG_ALIGN(msg_at(fr->data, off)->nlmsg_len)) {
		const struct inet_diag_msg *m = NLMSG_DATA(msg_at(fr->data, off));

		if (m->idiag_inode == TCPI_XCLIENT)
			src = msg_at(fr->data, off);
	}
	assert_non_null(src);
	mnl_attr_for_each(a, src, sizeof(struct inet_diag_msg))
		if (mnl_attr_get_type(a) == INET_DIAG_INFO)
			info = a;
	assert_non_null(info);
	assert_true(info_len <= mnl_attr_get_payload_len(info));
	len = NLMSG_HDRLEN + NLMSG_ALIGN(sizeof(struct inet_diag_msg)) + NLA_HDRLEN + info_len;
	b = calloc(1, len);
	assert_non_null(b);
	memcpy(b, src, NLMSG_HDRLEN + sizeof(struct inet_diag_msg));
	((struct nlmsghdr *)b)->nlmsg_len = (uint32_t)len;
	struct nlattr *copy = (struct nlattr *)(b + NLMSG_HDRLEN +
					       NLMSG_ALIGN(sizeof(struct inet_diag_msg)));
	copy->nla_type = INET_DIAG_INFO;
	copy->nla_len = attr_len;
	memcpy(copy + 1, mnl_attr_get_payload(info), info_len);
	assert_int_equal(sockdiag_parse(b, len, IPPROTO_TCP, &l), SOCKDIAG_MORE);
	assert_int_equal(l.count, 1);
	rec = l.items[0];
	assert_int_equal(rec.ino, TCPI_XCLIENT);
	sock_list_free(&l);
	free(b);
	return rec;
}

/* A tcp_info that stops short leaves out the counters it does not reach,
 * never reads past it: cut where each counter begins, one byte into it,
 * and where older kernels ended (3.x: up to tcpi_total_retrans). */
static void test_tcp_info_truncated(void **state)
{
	static const uint64_t want[] = { 3000, 1234, 4, 3, 0 };
	static const struct {
		size_t len;
		uint8_t have;
	} cuts[] = {
		{ 0, 0 },
		{ offsetof(struct tcp_info, tcpi_last_data_sent), 0 },
		{ offsetof(struct tcp_info, tcpi_last_data_sent) + 3, 0 },
		{ offsetof(struct tcp_info, tcpi_last_data_recv) + 4,
		  1u << SOCK_TCP_LAST_SEND_MS | 1u << SOCK_TCP_LAST_RECV_MS },
		{ offsetof(struct tcp_info, tcpi_rtt) + 4,
		  1u << SOCK_TCP_LAST_SEND_MS | 1u << SOCK_TCP_LAST_RECV_MS | 1u << SOCK_TCP_RTT_US },
		{ offsetof(struct tcp_info, tcpi_total_retrans) + 4,
		  ALL_COUNTERS & ~(1u << SOCK_TCP_BYTES_SENT | 1u << SOCK_TCP_BYTES_RECEIVED |
				   1u << SOCK_TCP_SEGS_OUT | 1u << SOCK_TCP_SEGS_IN) },
		{ offsetof(struct tcp_info, tcpi_bytes_received) + 7,
		  ALL_COUNTERS & ~(1u << SOCK_TCP_BYTES_SENT | 1u << SOCK_TCP_BYTES_RECEIVED |
				   1u << SOCK_TCP_SEGS_OUT | 1u << SOCK_TCP_SEGS_IN) },
		{ offsetof(struct tcp_info, tcpi_segs_in) + 4,
		  ALL_COUNTERS & ~(1u << SOCK_TCP_BYTES_SENT) },
		{ offsetof(struct tcp_info, tcpi_bytes_sent),
		  ALL_COUNTERS & ~(1u << SOCK_TCP_BYTES_SENT) },
		{ offsetof(struct tcp_info, tcpi_bytes_sent) + 7,
		  ALL_COUNTERS & ~(1u << SOCK_TCP_BYTES_SENT) },
		{ offsetof(struct tcp_info, tcpi_bytes_sent) + 8, ALL_COUNTERS },
	};
	struct sock_record r;

	(void)state;
	for (size_t i = 0; i < sizeof(cuts) / sizeof(cuts[0]); i++) {
		r = parse_tcp_info(cuts[i].len, (uint16_t)(NLA_HDRLEN + cuts[i].len));
		assert_counters(&r, cuts[i].have, want);
	}
	/* an attribute saying it is longer than the message: left out, the
	 * record kept */
	r = parse_tcp_info(16, (uint16_t)(NLA_HDRLEN + 17));
	assert_int_equal(r.tcp_have, 0);
	assert_int_equal(r.local_port, 40014);
}

static void test_tcp6_fixture(void **state)
{
	struct sock_list l = { 0 };

	(void)state;
	parse_fixture(&fx_tcp6, IPPROTO_TCP, &l);
	assert_int_equal(l.count, 5);
	assert_inet(find(&l, TCP6_LISTEN), AF_INET6, IPPROTO_TCP,
		    "::1", 40002, "::", 0, ST_LISTEN, 0, 8);
	assert_inet(find(&l, TCP6_CLIENT), AF_INET6, IPPROTO_TCP,
		    "::1", 40021, "::1", 40002, ST_ESTABLISHED, 13, 0);
	assert_inet(find(&l, TCP6_ACCEPT), AF_INET6, IPPROTO_TCP,
		    "::1", 40002, "::1", 40021, ST_ESTABLISHED, 0, 0);
	assert_inet(find(&l, TCP6_DUAL), AF_INET6, IPPROTO_TCP,
		    "::", 40003, "::", 0, ST_LISTEN, 0, 8);
	assert_inet(find(&l, TCP6_MACCEPT), AF_INET6, IPPROTO_TCP,
		    "::ffff:127.0.0.1", 40003, "::ffff:127.0.0.1", 40013,
		    ST_ESTABLISHED, 0, 0);
	sock_list_free(&l);
}

static void test_udp_fixtures(void **state)
{
	struct sock_list l = { 0 };

	(void)state;
	parse_fixture(&fx_udp4, IPPROTO_UDP, &l);
	assert_int_equal(l.count, 2);
	assert_inet(find(&l, UDP4_A), AF_INET, IPPROTO_UDP,
		    "127.0.0.1", 40031, "127.0.0.1", 40032, ST_ESTABLISHED, 0, 0);
	assert_inet(find(&l, UDP4_B), AF_INET, IPPROTO_UDP,
		    "127.0.0.1", 40032, "127.0.0.1", 40031, ST_ESTABLISHED, 0, 0);
	/* appending to a non-empty list */
	parse_fixture(&fx_udp6, IPPROTO_UDP, &l);
	assert_int_equal(l.count, 4);
	assert_inet(find(&l, UDP6_SERVER), AF_INET6, IPPROTO_UDP,
		    "::1", 40041, "::", 0, ST_CLOSE, 0, 0);
	assert_inet(find(&l, UDP6_CLIENT), AF_INET6, IPPROTO_UDP,
		    "::1", 40042, "::1", 40041, ST_ESTABLISHED, 0, 0);
	assert_int_equal(count_ino(&l, UDP4_A), 1);
	assert_int_equal(count_ino(&l, UDP4_B), 1);
	sock_list_free(&l);
}

/* A reply is only taken for the family the request asked for. */
static void test_protocol_mismatch(void **state)
{
	struct sock_list l = { 0 };

	(void)state;
	parse_fixture(&fx_unix, IPPROTO_TCP, &l);
	assert_int_equal(l.count, 0);
	parse_fixture(&fx_tcp4, 0, &l);
	assert_int_equal(l.count, 0);
	assert_int_equal(sockdiag_parse(fx_tcp4.f[0].data, fx_tcp4.f[0].len,
					IPPROTO_SCTP, &l), -EINVAL);
	assert_int_equal(sockdiag_parse(fx_tcp4.f[0].data, fx_tcp4.f[0].len, -1, &l),
			 -EINVAL);
	assert_int_equal(l.count, 0);
	/* an empty buffer holds no message */
	assert_int_equal(sockdiag_parse(NULL, 0, 0, &l), SOCKDIAG_MORE);
	sock_list_free(&l);
}

/* ---- malformed buffers ------------------------------------------------ */

/* Every prefix of every recorded buffer: complete messages parse, a cut
 * inside a message is -EBADMSG, never a read past the prefix. */
static void truncate_all(const struct fixture *fx, int protocol)
{
	for (size_t i = 0; i < fx->n; i++) {
		const struct frame *fr = &fx->f[i];

		for (size_t cut = 1; cut < fr->len; cut++) {
			struct sock_list l = { 0 };
			uint8_t *b = dup_bytes(fr->data, cut);
			size_t off = 0, whole = 0;

			/* whole messages inside the prefix, and is cut at a boundary? */
			while (off + NLMSG_HDRLEN <= fr->len &&
			       off + NLMSG_ALIGN(msg_at(fr->data, off)->nlmsg_len) <= cut) {
				off += NLMSG_ALIGN(msg_at(fr->data, off)->nlmsg_len);
				whole++;
			}
			int ret = sockdiag_parse(b, cut, protocol, &l);
			if (off == cut)
				assert_int_equal(ret, SOCKDIAG_MORE);
			else
				assert_int_equal(ret, -EBADMSG);
			assert_int_equal(l.count, whole);
			sock_list_free(&l);
			free(b);
		}
	}
}

static void test_truncated(void **state)
{
	(void)state;
	truncate_all(&fx_unix, 0);
	truncate_all(&fx_tcp4, IPPROTO_TCP);
	truncate_all(&fx_tcpi, IPPROTO_TCP);
	truncate_all(&fx_tcp6, IPPROTO_TCP);
	truncate_all(&fx_udp6, IPPROTO_UDP);
}

static void test_nlmsg_len_lies(void **state)
{
	const struct frame *fr = &fx_tcp4.f[0];
	unsigned n = msg_count(fr->data, fr->len);
	struct sock_list l = { 0 };
	uint8_t *b;

	(void)state;
	assert_int_equal(n, 6);
	/* first message claims more than the buffer */
	b = dup_bytes(fr->data, fr->len);
	msg_at(b, 0)->nlmsg_len = fr->len + 4;
	assert_int_equal(sockdiag_parse(b, fr->len, IPPROTO_TCP, &l), -EBADMSG);
	assert_int_equal(l.count, 0);
	/* shorter than its own header; 0 must not loop forever */
	msg_at(b, 0)->nlmsg_len = NLMSG_HDRLEN - 1;
	assert_int_equal(sockdiag_parse(b, fr->len, IPPROTO_TCP, &l), -EBADMSG);
	msg_at(b, 0)->nlmsg_len = 0;
	assert_int_equal(sockdiag_parse(b, fr->len, IPPROTO_TCP, &l), -EBADMSG);
	assert_int_equal(l.count, 0);
	/* 2 GiB and more: negative as an int, which libmnl's own check lets
	 * through (0xfffffff0 then steps 4 GiB past the buffer) */
	msg_at(b, 0)->nlmsg_len = 0x80000000u;
	assert_int_equal(sockdiag_parse(b, fr->len, IPPROTO_TCP, &l), -EBADMSG);
	msg_at(b, 0)->nlmsg_len = 0xfffffff0u;
	assert_int_equal(sockdiag_parse(b, fr->len, IPPROTO_TCP, &l), -EBADMSG);
	assert_int_equal(l.count, 0);
	free(b);
	/* the last message runs past the end: the others are kept */
	b = dup_bytes(fr->data, fr->len);
	msg_at(b, msg_off(b, fr->len, n - 1))->nlmsg_len += 4;
	assert_int_equal(sockdiag_parse(b, fr->len, IPPROTO_TCP, &l), -EBADMSG);
	assert_int_equal(l.count, n - 1);
	sock_list_free(&l);
	free(b);
	/* trailing bytes too short for a header */
	b = calloc(1, fr->len + 8);
	assert_non_null(b);
	memcpy(b, fr->data, fr->len);
	assert_int_equal(sockdiag_parse(b, fr->len + 8, IPPROTO_TCP, &l), -EBADMSG);
	assert_int_equal(l.count, n);
	sock_list_free(&l);
	free(b);
}

static void test_dump_intr(void **state)
{
	const struct frame *fr = &fx_unix.f[0];
	const struct frame *done = &fx_unix.f[fx_unix.n - 1];
	struct sock_list l = { 0 };
	uint8_t *b;

	(void)state;
	b = dup_bytes(fr->data, fr->len);
	msg_at(b, msg_off(b, fr->len, 2))->nlmsg_flags |= NLM_F_DUMP_INTR;
	assert_int_equal(sockdiag_parse(b, fr->len, 0, &l), -EINTR);
	assert_int_equal(l.count, 2);
	sock_list_free(&l);
	free(b);
	/* the kernel may flag only the final NLMSG_DONE */
	b = dup_bytes(done->data, done->len);
	assert_int_equal(msg_at(b, 0)->nlmsg_type, NLMSG_DONE);
	msg_at(b, 0)->nlmsg_flags |= NLM_F_DUMP_INTR;
	assert_int_equal(sockdiag_parse(b, done->len, 0, &l), -EINTR);
	free(b);
}

static void set_error(uint8_t *b, size_t moff, int type, int err)
{
	msg_at(b, moff)->nlmsg_type = type;
	memcpy(b + moff + NLMSG_HDRLEN, &err, sizeof(err));
}

static void test_nlmsg_error(void **state)
{
	const struct frame *fr = &fx_tcp4.f[0];
	struct sock_list l = { 0 };
	uint8_t *b = dup_bytes(fr->data, fr->len);
	size_t second = msg_off(b, fr->len, 1);

	(void)state;
	set_error(b, second, NLMSG_ERROR, -EPERM);
	assert_int_equal(sockdiag_parse(b, fr->len, IPPROTO_TCP, &l), -EPERM);
	assert_int_equal(l.count, 1);
	sock_list_free(&l);
	/* an ack (0) or a positive error is not an answer to a dump */
	set_error(b, second, NLMSG_ERROR, 0);
	assert_int_equal(sockdiag_parse(b, fr->len, IPPROTO_TCP, &l), -EBADMSG);
	sock_list_free(&l);
	set_error(b, second, NLMSG_ERROR, 5);
	assert_int_equal(sockdiag_parse(b, fr->len, IPPROTO_TCP, &l), -EBADMSG);
	sock_list_free(&l);
	free(b);
	/* an error message too short for its error code */
	b = dup_bytes(fr->data, NLMSG_HDRLEN + 2);
	msg_at(b, 0)->nlmsg_type = NLMSG_ERROR;
	msg_at(b, 0)->nlmsg_len = NLMSG_HDRLEN + 2;
	memset(b + NLMSG_HDRLEN, 0xff, 2);
	assert_int_equal(sockdiag_parse(b, NLMSG_HDRLEN + 2, IPPROTO_TCP, &l), -EBADMSG);
	assert_int_equal(l.count, 0);
	free(b);
}

static void test_done_with_error(void **state)
{
	const struct frame *done = &fx_unix.f[fx_unix.n - 1];
	struct sock_list l = { 0 };
	uint8_t *b = dup_bytes(done->data, done->len);

	(void)state;
	assert_int_equal(done->len, NLMSG_HDRLEN + sizeof(int));
	set_error(b, 0, NLMSG_DONE, -ENOBUFS);
	assert_int_equal(sockdiag_parse(b, done->len, 0, &l), -ENOBUFS);
	/* a DONE without the error word (old kernels) is a clean end */
	msg_at(b, 0)->nlmsg_len = NLMSG_HDRLEN;
	assert_int_equal(sockdiag_parse(b, NLMSG_HDRLEN, 0, &l), SOCKDIAG_DONE);
	assert_int_equal(l.count, 0);
	free(b);
}

/* Patches one attribute's nla_len in a copy of the frame holding ino,
 * parses it, and returns the record of ino (the list is the caller's). */
static const struct sock_record *parse_patched(uint32_t ino, uint16_t type,
					       int len_delta, bool absolute,
					       struct sock_list *l)
{
	struct frame *fr = unix_frame_of(ino);
	uint8_t *b = dup_bytes(fr->data, fr->len);
	size_t moff = unix_msg_off(b, fr->len, ino);
	struct nlattr *a = unix_attr(b, moff, type);

	a->nla_len = absolute ? len_delta : a->nla_len + len_delta;
	assert_int_equal(sockdiag_parse(b, fr->len, 0, l), SOCKDIAG_MORE);
	/* nothing else in the buffer was disturbed */
	assert_int_equal(l->count, msg_count(fr->data, fr->len));
	free(b);
	return find(l, ino);
}

static void test_attr_past_message(void **state)
{
	struct sock_list l = { 0 };
	const struct sock_record *r;

	(void)state;
	/* NAME runs past the buffer: the walk stops, the record stays */
	r = parse_patched(UNIX_LISTEN, UNIX_DIAG_NAME, 0xfff0, true, &l);
	assert_int_equal(r->state, ST_LISTEN);
	assert_int_equal(r->type, SOCK_STREAM);
	assert_unnamed(r);
	assert_int_equal(r->n_icons, 0);
	assert_int_equal(r->rqueue, 0);
	assert_string_equal(find(&l, UNIX_DGRAM_SRV)->path, DGRAM_PATH);
	sock_list_free(&l);

	/* RQLEN runs into the next message (still inside the buffer): it is
	 * bounded by its message, so it is dropped; earlier ones are kept */
	struct frame *fr = unix_frame_of(UNIX_LISTEN);
	size_t moff = unix_msg_off(fr->data, fr->len, UNIX_LISTEN);
	struct nlattr *a = unix_attr(fr->data, moff, UNIX_DIAG_RQLEN);
	size_t to_end = msg_at(fr->data, moff)->nlmsg_len - ((uint8_t *)a - fr->data - moff);
	assert_true(moff + NLMSG_ALIGN(msg_at(fr->data, moff)->nlmsg_len) + 4 < fr->len);
	r = parse_patched(UNIX_LISTEN, UNIX_DIAG_RQLEN, to_end + 4, true, &l);
	assert_int_equal(r->rqueue, 0);
	assert_int_equal(r->wqueue, 0);
	assert_string_equal(r->path, STREAM_PATH);
	assert_true(r->has_vfs);
	assert_int_equal(r->n_icons, 1);
	assert_int_equal(r->icons[0], UNIX_QUEUED);
	sock_list_free(&l);

	/* nla_len below the attribute header: the walk stops there */
	r = parse_patched(UNIX_LISTEN, UNIX_DIAG_VFS, 2, true, &l);
	assert_string_equal(r->path, STREAM_PATH);
	assert_false(r->has_vfs);
	assert_int_equal(r->n_icons, 0);
	sock_list_free(&l);
}

/* Lengths chosen so the next attribute still starts where it did
 * (NLA_ALIGN rounds back up): only the patched one is lost. */
static void test_attr_too_short(void **state)
{
	struct sock_list l = { 0 };
	const struct sock_record *r;

	(void)state;
	r = parse_patched(UNIX_CLIENT, UNIX_DIAG_PEER, -2, false, &l);  /* 2-byte peer */
	assert_int_equal(r->peer_ino, 0);
	assert_int_equal(r->wqueue, 768);
	sock_list_free(&l);

	r = parse_patched(UNIX_LISTEN, UNIX_DIAG_VFS, -3, false, &l);
	assert_false(r->has_vfs);
	assert_int_equal(r->vfs_ino, 0);
	assert_string_equal(r->path, STREAM_PATH);
	assert_int_equal(r->n_icons, 1);
	assert_int_equal(r->rqueue, 1);
	sock_list_free(&l);

	r = parse_patched(UNIX_LISTEN, UNIX_DIAG_ICONS, -1, false, &l);  /* 3 bytes */
	assert_int_equal(r->n_icons, 0);
	assert_null(r->icons);
	assert_int_equal(r->rqueue, 1);
	assert_int_equal(r->wqueue, 8);
	sock_list_free(&l);

	r = parse_patched(UNIX_LISTEN, UNIX_DIAG_RQLEN, -2, false, &l);
	assert_int_equal(r->rqueue, 0);
	assert_int_equal(r->wqueue, 0);
	assert_int_equal(r->n_icons, 1);
	assert_true(r->has_vfs);
	sock_list_free(&l);

	/* empty NAME: the walk then reads the old name bytes as a header,
	 * whose length is far past the message, and stops */
	r = parse_patched(UNIX_ABSTRACT, UNIX_DIAG_NAME, NLA_HDRLEN, true, &l);
	assert_unnamed(r);
	assert_int_equal(r->state, ST_LISTEN);
	sock_list_free(&l);
}

/* Builds [first message cut to `keep` payload bytes][the rest of frame]. */
static void parse_with_short_first(const struct frame *fr, int protocol, size_t keep)
{
	struct sock_list l = { 0 };
	size_t second = msg_off(fr->data, fr->len, 1);
	size_t head = NLMSG_ALIGN(NLMSG_HDRLEN + keep);
	size_t len = head + fr->len - second;
	uint8_t *b = calloc(1, len);

	assert_non_null(b);
	memcpy(b, fr->data, NLMSG_HDRLEN + keep);
	msg_at(b, 0)->nlmsg_len = NLMSG_HDRLEN + keep;  /* possibly unaligned */
	memcpy(b + head, fr->data + second, fr->len - second);
	uint8_t *exact = dup_bytes(b, len);
	assert_int_equal(sockdiag_parse(exact, len, protocol, &l), SOCKDIAG_MORE);
	assert_int_equal(l.count, msg_count(fr->data, fr->len) - 1);
	/* the skipped one is the first message */
	uint32_t ino;
	memcpy(&ino, fr->data + NLMSG_HDRLEN + (protocol ? offsetof(struct inet_diag_msg, idiag_inode)
						      : offsetof(struct unix_diag_msg, udiag_ino)),
	       sizeof(ino));
	assert_int_not_equal(ino, 0);
	assert_int_equal(count_ino(&l, ino), 0);
	sock_list_free(&l);
	free(exact);
	free(b);
}

static void test_short_payload_skipped(void **state)
{
	(void)state;
	parse_with_short_first(&fx_unix.f[0], 0, 0);
	parse_with_short_first(&fx_unix.f[0], 0, 1);
	parse_with_short_first(&fx_unix.f[0], 0, sizeof(struct unix_diag_msg) - 1);
	parse_with_short_first(&fx_tcp4.f[0], IPPROTO_TCP, sizeof(struct inet_diag_msg) - 1);
	parse_with_short_first(&fx_tcp6.f[0], IPPROTO_TCP, 8);
}

/* ---- synthetic messages (cases the kernel did not produce) ------------- */

static _Alignas(struct nlmsghdr) uint8_t synth[8192];

static struct nlmsghdr *synth_msg(size_t *off, uint32_t ino)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(synth + *off);
	struct unix_diag_msg *m;

	nlh->nlmsg_type = SOCK_DIAG_BY_FAMILY;
	nlh->nlmsg_flags = NLM_F_MULTI;
	m = mnl_nlmsg_put_extra_header(nlh, sizeof(*m));
	m->udiag_family = AF_UNIX;
	m->udiag_type = SOCK_DGRAM;
	m->udiag_state = ST_CLOSE;
	m->udiag_ino = ino;
	return nlh;
}

static void synth_end(size_t *off, struct nlmsghdr *nlh)
{
	*off += NLMSG_ALIGN(nlh->nlmsg_len);
	assert_true(*off < sizeof(synth) / 2);
}

/* An empty NAME as the last bytes of the buffer is refused by the
 * attribute check, so its first byte, past the buffer, is never read
 * (ASan would catch the read). */
static void test_empty_name_at_end(void **state)
{
	struct sock_list l = { 0 };
	struct nlmsghdr *nlh;
	size_t off = 0;

	(void)state;
	nlh = synth_msg(&off, 10);
	mnl_attr_put(nlh, UNIX_DIAG_NAME, 0, "");
	synth_end(&off, nlh);

	uint8_t *b = dup_bytes(synth, off);
	assert_int_equal(sockdiag_parse(b, off, 0, &l), SOCKDIAG_MORE);
	free(b);
	assert_int_equal(l.count, 1);
	assert_unnamed(&l.items[0]);
	sock_list_free(&l);
}

static void test_synthetic_attrs(void **state)
{
	struct sock_list l = { 0 };
	struct nlmsghdr *nlh;
	size_t off = 0;
	char name[110];
	uint32_t icons[100];

	(void)state;
	for (unsigned i = 0; i < 100; i++)
		icons[i] = 5000 + i;
	/* 1: the longest abstract name (108 bytes) fits */
	nlh = synth_msg(&off, 1);
	memset(name, 'x', sizeof(name));
	name[0] = '\0';
	mnl_attr_put(nlh, UNIX_DIAG_NAME, 108, name);
	synth_end(&off, nlh);
	/* 2: 109 bytes cannot be a sun_path: dropped */
	nlh = synth_msg(&off, 2);
	mnl_attr_put(nlh, UNIX_DIAG_NAME, 109, name);
	synth_end(&off, nlh);
	/* 8: a path of 108 bytes with its NUL (109), as the kernel sends a
	 * full sun_path; 9: 109 bytes without a NUL cannot be one */
	nlh = synth_msg(&off, 8);
	name[0] = '/';
	name[108] = '\0';
	mnl_attr_put(nlh, UNIX_DIAG_NAME, 109, name);
	synth_end(&off, nlh);
	nlh = synth_msg(&off, 9);
	name[108] = 'x';
	mnl_attr_put(nlh, UNIX_DIAG_NAME, 109, name);
	synth_end(&off, nlh);
	name[0] = '\0';
	/* 3: a path without its NUL; 4: with extra NULs */
	nlh = synth_msg(&off, 3);
	mnl_attr_put(nlh, UNIX_DIAG_NAME, 4, "/a/b");
	synth_end(&off, nlh);
	nlh = synth_msg(&off, 4);
	mnl_attr_put(nlh, UNIX_DIAG_NAME, 5, "/x\0\0\0");
	synth_end(&off, nlh);
	/* 5: ICONS twice (the last wins, the first is not leaked), an unknown
	 * attribute, and an icons array sized only by its attribute */
	nlh = synth_msg(&off, 5);
	mnl_attr_put(nlh, UNIX_DIAG_ICONS, 2 * sizeof(uint32_t), icons);
	mnl_attr_put(nlh, 40, 3, "zzz");
	mnl_attr_put(nlh, UNIX_DIAG_ICONS, sizeof(icons), icons);
	synth_end(&off, nlh);
	/* 6: PEER too long for a u32; a message of an unknown family */
	nlh = synth_msg(&off, 6);
	mnl_attr_put(nlh, UNIX_DIAG_PEER, 8, icons);
	synth_end(&off, nlh);
	nlh = synth_msg(&off, 7);
	((struct unix_diag_msg *)mnl_nlmsg_get_payload(nlh))->udiag_family = AF_NETLINK;
	synth_end(&off, nlh);
	/* an NLMSG_NOOP is passed over */
	nlh = mnl_nlmsg_put_header(synth + off);
	nlh->nlmsg_type = NLMSG_NOOP;
	synth_end(&off, nlh);

	uint8_t *b = dup_bytes(synth, off);
	assert_int_equal(sockdiag_parse(b, off, 0, &l), SOCKDIAG_MORE);
	free(b);
	assert_int_equal(l.count, 8);
	const struct sock_record *r = find(&l, 1);
	assert_int_equal(r->path_len, 108);
	assert_memory_equal(r->path, name, 108);
	assert_int_equal(r->path[108], '\0');
	assert_unnamed(find(&l, 2));
	r = find(&l, 8);
	assert_int_equal(r->path_len, 108);
	assert_int_equal(r->path[0], '/');
	assert_memory_equal(r->path + 1, name + 1, 107);
	assert_int_equal(r->path[108], '\0');
	assert_unnamed(find(&l, 9));
	r = find(&l, 3);
	assert_int_equal(r->path_len, 4);
	assert_string_equal(r->path, "/a/b");
	r = find(&l, 4);
	assert_int_equal(r->path_len, 2);
	assert_string_equal(r->path, "/x");
	r = find(&l, 5);
	assert_int_equal(r->n_icons, 100);
	assert_memory_equal(r->icons, icons, sizeof(icons));
	assert_int_equal(find(&l, 6)->peer_ino, 0);
	assert_int_equal(count_ino(&l, 7), 0);
	sock_list_free(&l);
}

/* ---- sockdiag_dump with the socket calls wrapped ----------------------- */

ssize_t __real_mnl_socket_sendto(const struct mnl_socket *nl, const void *req, size_t siz);
ssize_t __real_mnl_socket_recvfrom(const struct mnl_socket *nl, void *buf, size_t siz);
ssize_t __wrap_mnl_socket_sendto(const struct mnl_socket *nl, const void *req, size_t siz);
ssize_t __wrap_mnl_socket_recvfrom(const struct mnl_socket *nl, void *buf, size_t siz);

static struct {
	bool on;
	_Alignas(struct nlmsghdr) uint8_t req[256];
	size_t req_len;
	unsigned sends;
	bool cloexec;
	struct {
		const uint8_t *data;
		size_t len;
		int err;
	} recv[32];
	size_t n, next;
} fake;

ssize_t __wrap_mnl_socket_sendto(const struct mnl_socket *nl, const void *req, size_t siz)
{
	if (!fake.on)
		return __real_mnl_socket_sendto(nl, req, siz);
	assert_true(siz <= sizeof(fake.req));
	memcpy(fake.req, req, siz);
	fake.req_len = siz;
	fake.sends++;
	int flags = fcntl(mnl_socket_get_fd(nl), F_GETFD);
	fake.cloexec = flags >= 0 && (flags & FD_CLOEXEC);
	return siz;
}

ssize_t __wrap_mnl_socket_recvfrom(const struct mnl_socket *nl, void *buf, size_t siz)
{
	if (!fake.on)
		return __real_mnl_socket_recvfrom(nl, buf, siz);
	assert_true(siz >= 32768);
	assert_true(fake.next < fake.n);
	const typeof(fake.recv[0]) *r = &fake.recv[fake.next++];
	if (r->err) {
		errno = r->err;
		return -1;
	}
	assert_true(r->len <= siz);
	memcpy(buf, r->data, r->len);
	return r->len;
}

static void fake_reset(void)
{
	memset(&fake, 0, sizeof(fake));
	fake.on = true;
}

static void fake_push(const void *data, size_t len, int err)
{
	assert_true(fake.n < 32);
	fake.recv[fake.n].data = data;
	fake.recv[fake.n].len = len;
	fake.recv[fake.n].err = err;
	fake.n++;
}

static void fake_push_fixture(const struct fixture *fx)
{
	for (size_t i = 0; i < fx->n; i++)
		fake_push(fx->f[i].data, fx->f[i].len, 0);
}

static int fake_teardown(void **state)
{
	(void)state;
	fake.on = false;
	return 0;
}

static void test_dump_unix_request(void **state)
{
	struct sock_list l = { 0 };

	(void)state;
	fake_reset();
	fake_push_fixture(&fx_unix);
	assert_int_equal(sockdiag_dump(AF_UNIX, 0, &l), 0);
	assert_int_equal(fake.next, fake.n);
	assert_int_equal(fake.sends, 1);
	assert_true(fake.cloexec);

	const struct nlmsghdr *nlh = (const void *)fake.req;
	const struct unix_diag_req *req = NLMSG_DATA(nlh);
	assert_int_equal(fake.req_len, NLMSG_HDRLEN + sizeof(*req));
	assert_int_equal(nlh->nlmsg_len, fake.req_len);
	assert_int_equal(nlh->nlmsg_type, SOCK_DIAG_BY_FAMILY);
	assert_int_equal(nlh->nlmsg_flags, NLM_F_REQUEST | NLM_F_DUMP);
	assert_int_equal(req->sdiag_family, AF_UNIX);
	assert_int_equal(req->sdiag_protocol, 0);
	assert_int_equal(req->udiag_states, 0xffffffffu);
	assert_int_equal(req->udiag_ino, 0);
	assert_int_equal(req->udiag_show, UDIAG_SHOW_NAME | UDIAG_SHOW_VFS | UDIAG_SHOW_PEER |
			 UDIAG_SHOW_ICONS | UDIAG_SHOW_RQLEN);

	assert_int_equal(l.count, UNIX_COUNT);
	assert_int_equal(find(&l, UNIX_LISTEN)->icons[0], UNIX_QUEUED);
	sock_list_free(&l);
}

static void test_dump_inet_request(void **state)
{
	struct sock_list l = { 0 };

	(void)state;
	fake_reset();
	fake_push_fixture(&fx_udp6);
	assert_int_equal(sockdiag_dump(AF_INET6, IPPROTO_UDP, &l), 0);

	const struct nlmsghdr *nlh = (const void *)fake.req;
	const struct inet_diag_req_v2 *req = NLMSG_DATA(nlh);
	const struct inet_diag_req_v2 zero = { 0 };
	assert_int_equal(fake.req_len, NLMSG_HDRLEN + sizeof(*req));
	assert_int_equal(nlh->nlmsg_type, SOCK_DIAG_BY_FAMILY);
	assert_int_equal(nlh->nlmsg_flags, NLM_F_REQUEST | NLM_F_DUMP);
	assert_int_equal(req->sdiag_family, AF_INET6);
	assert_int_equal(req->sdiag_protocol, IPPROTO_UDP);
	assert_int_equal(req->idiag_states, 0xffffffffu);
	assert_int_equal(req->idiag_ext, 0);
	assert_memory_equal(&req->id, &zero.id, sizeof(zero.id));

	assert_int_equal(l.count, 2);
	assert_int_equal(find(&l, UDP6_SERVER)->protocol, IPPROTO_UDP);
	assert_int_equal(find(&l, UDP6_SERVER)->type, SOCK_DGRAM);
	sock_list_free(&l);

	/* TCP over AF_INET */
	fake_reset();
	fake_push_fixture(&fx_tcp4);
	assert_int_equal(sockdiag_dump(AF_INET, IPPROTO_TCP, &l), 0);
	assert_int_equal(req->sdiag_family, AF_INET);
	assert_int_equal(req->sdiag_protocol, IPPROTO_TCP);
	/* TCP only: its counters */
	assert_int_equal(req->idiag_ext, 1u << (INET_DIAG_INFO - 1));
	assert_int_equal(l.count, 6);
	assert_int_equal(find(&l, TCP4_ACCEPT1)->rqueue, 11);
	sock_list_free(&l);
}

/* DUMP_INTR: the whole dump is redone and the first attempt's records
 * (61 + 3 here) are dropped; what the list held before is kept. */
static void test_dump_retry(void **state)
{
	struct sock_list l = { 0 };
	const struct frame *f1 = &fx_unix.f[1];
	uint8_t *b = dup_bytes(f1->data, f1->len);

	(void)state;
	parse_fixture(&fx_udp4, IPPROTO_UDP, &l);
	msg_at(b, msg_off(b, f1->len, 3))->nlmsg_flags |= NLM_F_DUMP_INTR;
	fake_reset();
	fake_push(fx_unix.f[0].data, fx_unix.f[0].len, 0);
	fake_push(b, f1->len, 0);
	fake_push_fixture(&fx_unix);
	assert_int_equal(sockdiag_dump(AF_UNIX, 0, &l), 0);
	assert_int_equal(fake.sends, 2);
	assert_int_equal(fake.next, fake.n);
	assert_int_equal(l.count, 2 + UNIX_COUNT);
	assert_int_equal(l.items[0].ino, UDP4_A);
	assert_int_equal(l.items[1].ino, UDP4_B);
	for (uint64_t ino = UNIX_LISTEN; ino <= UNIX_FILLER_LAST; ino++)
		assert_int_equal(count_ino(&l, ino), 1);
	assert_int_equal(find(&l, UNIX_LISTEN)->icons[0], UNIX_QUEUED);
	sock_list_free(&l);
	free(b);
}

static void test_dump_gives_up(void **state)
{
	struct sock_list l = { 0 };
	const struct frame *f0 = &fx_unix.f[0];
	uint8_t *b = dup_bytes(f0->data, f0->len);

	(void)state;
	parse_fixture(&fx_udp4, IPPROTO_UDP, &l);
	msg_at(b, msg_off(b, f0->len, 5))->nlmsg_flags |= NLM_F_DUMP_INTR;
	fake_reset();
	for (int i = 0; i < 16; i++)
		fake_push(b, f0->len, 0);
	assert_int_equal(sockdiag_dump(AF_UNIX, 0, &l), -EAGAIN);
	assert_true(fake.sends > 1 && fake.sends < 16);
	assert_int_equal(fake.next, fake.sends);  /* one buffer per attempt */
	assert_int_equal(l.count, 2);
	assert_int_equal(l.items[1].ino, UDP4_B);
	sock_list_free(&l);
	free(b);
}

/* Errors leave the list as it was, even after buffers were parsed. */
static void test_dump_errors(void **state)
{
	struct sock_list l = { 0 };
	const struct frame *done = &fx_unix.f[fx_unix.n - 1];
	uint8_t *err = dup_bytes(done->data, done->len);

	(void)state;
	set_error(err, 0, NLMSG_ERROR, -ENOENT);
	parse_fixture(&fx_udp4, IPPROTO_UDP, &l);

	fake_reset();
	fake_push(fx_unix.f[0].data, fx_unix.f[0].len, 0);
	fake_push(err, done->len, 0);
	assert_int_equal(sockdiag_dump(AF_UNIX, 0, &l), -ENOENT);
	assert_int_equal(l.count, 2);

	fake_reset();
	fake_push(fx_unix.f[0].data, fx_unix.f[0].len, 0);
	fake_push(NULL, 0, ENOBUFS);
	assert_int_equal(sockdiag_dump(AF_UNIX, 0, &l), -ENOBUFS);
	assert_int_equal(l.count, 2);

	/* an empty datagram must not make the loop spin */
	fake_reset();
	fake_push(err, 0, 0);
	assert_int_equal(sockdiag_dump(AF_UNIX, 0, &l), -EBADMSG);

	/* garbage: cut inside a message */
	fake_reset();
	fake_push(fx_unix.f[0].data, 100, 0);
	assert_int_equal(sockdiag_dump(AF_UNIX, 0, &l), -EBADMSG);
	assert_int_equal(l.count, 2);

	/* a signal interrupting recv is retried in place, not a new dump */
	fake_reset();
	fake_push(NULL, 0, EINTR);
	fake_push_fixture(&fx_tcp6);
	assert_int_equal(sockdiag_dump(AF_INET6, IPPROTO_TCP, &l), 0);
	assert_int_equal(fake.sends, 1);
	assert_int_equal(l.count, 2 + 5);
	sock_list_free(&l);
	free(err);
}

static void test_dump_bad_args(void **state)
{
	struct sock_list l = { 0 };

	(void)state;
	fake_reset();
	assert_int_equal(sockdiag_dump(AF_UNIX, IPPROTO_TCP, &l), -EINVAL);
	assert_int_equal(sockdiag_dump(AF_INET, 0, &l), -EINVAL);
	assert_int_equal(sockdiag_dump(AF_INET6, IPPROTO_SCTP, &l), -EINVAL);
	assert_int_equal(sockdiag_dump(AF_PACKET, ETH_P_ALL, &l), -EINVAL);	/* 0 only */
	assert_int_equal(sockdiag_dump(AF_VSOCK, 1, &l), -EINVAL);
	assert_int_equal(sockdiag_dump(AF_TIPC, 0, &l), -EINVAL);
	assert_int_equal(fake.sends, 0);
	assert_int_equal(l.count, 0);
	assert_null(l.items);
}

/* The real kernel: a socketpair and a TCP listener of our own appear. */
static void test_dump_live(void **state)
{
	struct sock_list l = { 0 };
	struct stat st0, st1, stl;
	struct sockaddr_in sa = { .sin_family = AF_INET };
	socklen_t len = sizeof(sa);
	int sp[2], tl, ret;

	(void)state;
	fake.on = false;
	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sp), 0);
	tl = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	assert_true(tl >= 0);
	assert_int_equal(bind(tl, (struct sockaddr *)&sa, sizeof(sa)), 0);
	assert_int_equal(listen(tl, 1), 0);
	assert_int_equal(getsockname(tl, (struct sockaddr *)&sa, &len), 0);
	assert_int_equal(fstat(sp[0], &st0), 0);
	assert_int_equal(fstat(sp[1], &st1), 0);
	assert_int_equal(fstat(tl, &stl), 0);

	ret = sockdiag_dump(AF_UNIX, 0, &l);
	if (ret == -ENOENT || ret == -EPROTONOSUPPORT || ret == -EACCES || ret == -EPERM) {
		close(sp[0]);
		close(sp[1]);
		close(tl);
		skip();  /* no sock_diag here */
	}
	assert_int_equal(ret, 0);
	assert_int_equal(find(&l, st0.st_ino)->peer_ino, st1.st_ino);
	assert_int_equal(find(&l, st1.st_ino)->peer_ino, st0.st_ino);
	size_t n_unix = l.count;

	assert_int_equal(sockdiag_dump(AF_INET, IPPROTO_TCP, &l), 0);
	assert_true(l.count > n_unix);
	const struct sock_record *r = find(&l, stl.st_ino);
	assert_int_equal(r->family, AF_INET);
	assert_int_equal(r->state, ST_LISTEN);
	assert_int_equal(r->local_port, ntohs(sa.sin_port));
	sock_list_free(&l);
	close(sp[0]);
	close(sp[1]);
	close(tl);
}

/* ---- netlink (netlink.bin; facts in fixtures/netlink/README) ----------- */

#define NL_ROUTE 7633680u	/* route, groups 1, 5 (bind) and 33 */
#define NL_USER_A 7633681u	/* usersock <-> b */
#define NL_USER_B 7633682u
#define NL_USER_C 7633683u	/* usersock -> a */
#define NL_USER_D 7633684u	/* usersock -> a port id nobody has */
#define NL_PORT_A 28287u	/* also the route socket's: another protocol */
#define NL_PORT_B 2526985039u
#define NL_COUNT 15		/* the route socket twice (hashed, and in mc_list) */

static void parse_netlink_fixture(struct sock_list *l)
{
	for (size_t i = 0; i < fx_netlink.n; i++)
		assert_int_equal(sockdiag_parse_family(fx_netlink.f[i].data, fx_netlink.f[i].len,
						       AF_NETLINK, 0, l),
				 i + 1 == fx_netlink.n ? SOCKDIAG_DONE : SOCKDIAG_MORE);
}

/* The first record of ino (the route socket comes twice, alike). */
static const struct sock_record *find_first(const struct sock_list *l, uint64_t ino)
{
	for (size_t i = 0; i < l->count; i++)
		if (l->items[i].ino == ino)
			return &l->items[i];
	fail_msg("inode %" PRIu64 " not parsed", ino);
	return NULL;
}

static void test_netlink_fixture(void **state)
{
	struct sock_list l = { 0 };
	const struct sock_record *r;

	(void)state;
	parse_netlink_fixture(&l);
	assert_int_equal(l.count, NL_COUNT);
	assert_int_equal(count_ino(&l, NL_ROUTE), 2);
	r = find_first(&l, NL_ROUTE);
	assert_int_equal(r->family, AF_NETLINK);
	assert_int_equal(r->protocol, NETLINK_ROUTE);
	assert_int_equal(r->type, SOCK_RAW);
	assert_int_equal(r->nl_portid, NL_PORT_A);
	assert_int_equal(r->nl_dst_portid, 0);
	assert_int_equal(r->nl_groups[0], 0x11);	/* RTMGRP_LINK | RTMGRP_IPV4_IFADDR */
	assert_int_equal(r->nl_groups[1], 1);		/* group 33 */
	assert_int_equal(r->nl_groups[2], 0);
	assert_false(r->nl_groups_more);
	r = find(&l, NL_USER_A);
	assert_int_equal(r->protocol, NETLINK_USERSOCK);
	assert_int_equal(r->nl_portid, NL_PORT_A);
	assert_int_equal(r->nl_dst_portid, NL_PORT_B);
	assert_int_equal(r->nl_groups[0], 0);
	r = find(&l, NL_USER_B);
	assert_int_equal(r->nl_portid, NL_PORT_B);
	assert_int_equal(r->nl_dst_portid, NL_PORT_A);
	assert_int_equal(find(&l, NL_USER_C)->nl_dst_portid, NL_PORT_A);
	assert_int_equal(find(&l, NL_USER_D)->nl_dst_portid, 0x7ffffff0u);
	/* the namespace's kernel sockets: port id 0 */
	for (size_t i = 0; i < l.count; i++)
		if (l.items[i].ino < NL_ROUTE)
			assert_int_equal(l.items[i].nl_portid, 0);
	sock_list_free(&l);

	/* asked as unix or inet, the netlink messages are not theirs */
	for (size_t i = 0; i < fx_netlink.n; i++) {
		sockdiag_parse(fx_netlink.f[i].data, fx_netlink.f[i].len, 0, &l);
		sockdiag_parse(fx_netlink.f[i].data, fx_netlink.f[i].len, IPPROTO_TCP, &l);
	}
	assert_int_equal(l.count, 0);
	assert_int_equal(sockdiag_parse_family(fx_netlink.f[0].data, fx_netlink.f[0].len,
					       AF_TIPC, 0, &l), -EINVAL);
}

/* The route socket's first message (offset 0): its NETLINK_DIAG_GROUPS
 * attribute starts right after the 28-byte netlink_diag_msg. */
#define NL_ROUTE_ATTR (NLMSG_HDRLEN + NLMSG_ALIGN(sizeof(struct netlink_diag_msg)))

static void test_netlink_malformed(void **state)
{
	const struct frame *fr = &fx_netlink.f[0];
	struct sock_list l = { 0 };
	uint8_t *b;

	(void)state;
	/* every truncation: never past the buffer, a clean error or a prefix */
	for (size_t keep = 0; keep < fr->len; keep++) {
		b = dup_bytes(fr->data, keep);
		int ret = sockdiag_parse_family(b, keep, AF_NETLINK, 0, &l);
		assert_true(ret == SOCKDIAG_MORE || ret == SOCKDIAG_DONE || ret == -EBADMSG);
		assert_true(l.count <= NL_COUNT);
		sock_list_free(&l);
		free(b);
	}

	/* a groups attribute of a length no bitmap has: left out, the
	 * socket kept */
	b = dup_bytes(fr->data, fr->len);
	struct nlattr *a = (void *)(b + NL_ROUTE_ATTR);
	assert_int_equal(a->nla_type, NETLINK_DIAG_GROUPS);
	a->nla_len = NLA_HDRLEN + 6;
	assert_int_equal(sockdiag_parse_family(b, fr->len, AF_NETLINK, 0, &l), SOCKDIAG_DONE);
	assert_int_equal(find_first(&l, NL_ROUTE)->nl_groups[0], 0);
	assert_int_equal(find_first(&l, NL_ROUTE)->nl_portid, NL_PORT_A);
	sock_list_free(&l);
	/* one running past its message: not read */
	a->nla_len = 200;
	assert_int_equal(sockdiag_parse_family(b, fr->len, AF_NETLINK, 0, &l), SOCKDIAG_DONE);
	assert_int_equal(find_first(&l, NL_ROUTE)->nl_groups[0], 0);
	sock_list_free(&l);
	free(b);

	/* built by hand: a message too short for netlink_diag_msg (skipped),
	 * then one with a bitmap of 5 words */
	_Alignas(struct nlmsghdr) uint8_t m[256] = { 0 };
	struct nlmsghdr *h = (void *)m;
	struct netlink_diag_msg msg = { .ndiag_family = AF_NETLINK, .ndiag_protocol = 9,
					.ndiag_portid = 7, .ndiag_ino = 99 };
	uint32_t words[5] = { 0, 0, 0, 0, 0x80 };
	size_t off;

	h->nlmsg_len = NLMSG_HDRLEN + sizeof(msg) - 1;
	h->nlmsg_type = SOCK_DIAG_BY_FAMILY;
	memcpy(NLMSG_DATA(h), &msg, sizeof(msg) - 1);
	off = NLMSG_ALIGN(h->nlmsg_len);
	h = (void *)(m + off);
	h->nlmsg_type = SOCK_DIAG_BY_FAMILY;
	memcpy(NLMSG_DATA(h), &msg, sizeof(msg));
	a = (void *)((uint8_t *)NLMSG_DATA(h) + NLMSG_ALIGN(sizeof(msg)));
	a->nla_type = NETLINK_DIAG_GROUPS;
	a->nla_len = NLA_HDRLEN + sizeof(words);
	memcpy((uint8_t *)a + NLA_HDRLEN, words, sizeof(words));
	h->nlmsg_len = NLMSG_HDRLEN + NLMSG_ALIGN(sizeof(msg)) + a->nla_len;
	off += NLMSG_ALIGN(h->nlmsg_len);
	h = (void *)(m + off);
	h->nlmsg_len = NLMSG_HDRLEN + sizeof(int);
	h->nlmsg_type = NLMSG_DONE;
	off += h->nlmsg_len;
	assert_int_equal(sockdiag_parse_family(m, off, AF_NETLINK, 0, &l), SOCKDIAG_DONE);
	assert_int_equal(l.count, 1);
	assert_int_equal(l.items[0].ino, 99);
	assert_int_equal(l.items[0].protocol, 9);
	assert_int_equal(l.items[0].nl_portid, 7);
	assert_true(l.items[0].nl_groups_more);	/* group 136, past the kept 128 */
	sock_list_free(&l);
}

static void test_dump_netlink_request(void **state)
{
	struct sock_list l = { 0 };

	(void)state;
	fake_reset();
	fake_push_fixture(&fx_netlink);
	assert_int_equal(sockdiag_dump(AF_NETLINK, 0, &l), 0);
	assert_int_equal(fake.next, fake.n);
	assert_int_equal(fake.sends, 1);

	const struct nlmsghdr *nlh = (const void *)fake.req;
	const struct netlink_diag_req *req = NLMSG_DATA(nlh);
	assert_int_equal(fake.req_len, NLMSG_HDRLEN + sizeof(*req));
	assert_int_equal(nlh->nlmsg_type, SOCK_DIAG_BY_FAMILY);
	assert_int_equal(nlh->nlmsg_flags, NLM_F_REQUEST | NLM_F_DUMP);
	assert_int_equal(req->sdiag_family, AF_NETLINK);
	assert_int_equal(req->sdiag_protocol, NDIAG_PROTO_ALL);
	assert_int_equal(req->ndiag_ino, 0);
	assert_int_equal(req->ndiag_show, NDIAG_SHOW_GROUPS);
	assert_int_equal(l.count, NL_COUNT);
	sock_list_free(&l);
	/* one request covers every protocol; asking for one is refused */
	assert_int_equal(sockdiag_dump(AF_NETLINK, NETLINK_SOCK_DIAG, &l), -EINVAL);
}

/* ---- packet (packet.bin) and raw (raw.txt, raw6.txt) -------------------- */

#define PK_ALL_LO 7962492u	/* raw, ETH_P_ALL, bound to lo (ifindex 1) */
#define PK_IP 7962493u		/* raw, ETH_P_IP, unbound */
#define PK_ARP 7962494u		/* dgram, ETH_P_ARP, unbound */
#define RAW_ICMP 7962495u	/* 127.0.0.1 -> 127.0.0.2 */
#define RAW_UDP 7962496u	/* unbound */
#define RAW6_ICMP 7962497u	/* [::1] */

static void test_packet_fixture(void **state)
{
	struct sock_list l = { 0 };
	const struct sock_record *r;

	(void)state;
	for (size_t i = 0; i < fx_packet.n; i++)
		assert_int_equal(sockdiag_parse_family(fx_packet.f[i].data, fx_packet.f[i].len,
						       AF_PACKET, 0, &l),
				 i + 1 == fx_packet.n ? SOCKDIAG_DONE : SOCKDIAG_MORE);
	assert_int_equal(l.count, 3);
	r = find(&l, PK_ALL_LO);
	assert_int_equal(r->family, AF_PACKET);
	assert_int_equal(r->type, SOCK_RAW);
	assert_int_equal(r->ethertype, 0x0003);
	assert_int_equal(r->ifindex, 1);
	r = find(&l, PK_IP);
	assert_int_equal(r->ethertype, 0x0800);
	assert_int_equal(r->ifindex, 0);
	r = find(&l, PK_ARP);
	assert_int_equal(r->type, SOCK_DGRAM);
	assert_int_equal(r->ethertype, 0x0806);
	sock_list_free(&l);

	/* malformed: every truncation stays in the buffer; a PACKET_DIAG_INFO
	 * too short for packet_diag_info is left out, the socket kept */
	const struct frame *fr = &fx_packet.f[0];
	for (size_t keep = 0; keep < fr->len; keep++) {
		uint8_t *t = dup_bytes(fr->data, keep);
		int ret = sockdiag_parse_family(t, keep, AF_PACKET, 0, &l);

		assert_true(ret == SOCKDIAG_MORE || ret == -EBADMSG);
		assert_true(l.count <= 3);
		sock_list_free(&l);
		free(t);
	}
	uint8_t *b = dup_bytes(fr->data, fr->len);
	struct nlattr *a = (void *)(b + NLMSG_HDRLEN + NLMSG_ALIGN(sizeof(struct packet_diag_msg)));
	assert_int_equal(a->nla_type, PACKET_DIAG_INFO);
	a->nla_len = NLA_HDRLEN + sizeof(struct packet_diag_info) - 4;
	assert_int_equal(sockdiag_parse_family(b, fr->len, AF_PACKET, 0, &l), SOCKDIAG_MORE);
	assert_int_equal(find(&l, PK_ALL_LO)->ifindex, 0);
	assert_int_equal(find(&l, PK_ALL_LO)->ethertype, 0x0003);
	sock_list_free(&l);
	free(b);
	/* not asked for: skipped */
	assert_int_equal(sockdiag_parse_family(fr->data, fr->len, AF_NETLINK, 0, &l),
			 SOCKDIAG_MORE);
	assert_int_equal(l.count, 0);
}

static char *read_text(const char *name, size_t *len)
{
	char path[256], *text = malloc(65536);
	FILE *f;

	assert_non_null(text);
	snprintf(path, sizeof(path), "fixtures/netlink/%s", name);
	f = fopen(path, "re");
	assert_non_null(f);
	*len = fread(text, 1, 65536, f);
	fclose(f);
	return text;
}

static void test_raw_fixture(void **state)
{
	struct sock_list l = { 0 };
	const struct sock_record *r;
	size_t len, len6;
	char *text = read_text("raw.txt", &len), *text6 = read_text("raw6.txt", &len6);

	(void)state;
	assert_int_equal(procnet_raw_parse(text, len, AF_INET, &l), 0);
	assert_int_equal(l.count, 2);
	r = find(&l, RAW_ICMP);
	assert_int_equal(r->family, AF_INET);
	assert_int_equal(r->type, SOCK_RAW);
	assert_int_equal(r->protocol, IPPROTO_ICMP);
	assert_int_equal(r->state, 1);
	assert_addr(AF_INET, r->local_addr, "127.0.0.1");
	assert_addr(AF_INET, r->remote_addr, "127.0.0.2");
	r = find(&l, RAW_UDP);
	assert_int_equal(r->protocol, IPPROTO_UDP);
	assert_int_equal(r->state, 7);
	assert_addr(AF_INET, r->local_addr, "0.0.0.0");
	assert_int_equal(procnet_raw_parse(text6, len6, AF_INET6, &l), 0);
	assert_int_equal(l.count, 3);
	r = find(&l, RAW6_ICMP);
	assert_int_equal(r->family, AF_INET6);
	assert_int_equal(r->protocol, IPPROTO_ICMPV6);
	assert_addr(AF_INET6, r->local_addr, "::1");
	assert_addr(AF_INET6, r->remote_addr, "::");
	sock_list_free(&l);

	/* every truncation: whole lines only, never past the text */
	for (size_t keep = 0; keep <= len; keep++) {
		char *t = dup_bytes(text, keep);

		assert_int_equal(procnet_raw_parse(t, keep, AF_INET, &l), 0);
		assert_true(l.count <= 2);
		sock_list_free(&l);
		free(t);
	}
	/* malformed lines are skipped, the good ones kept */
	static const char bad[] =
		"  sl  local_address rem_address   st ...\n"
		" 1: 0100007G:0001 0200007F:0000 01 00000000:00000000 00:00000000 00000000 0 0 11 2\n"
		" 2: 0100007F:10001 0200007F:0000 01 00000000:00000000 00:00000000 00000000 0 0 12 2\n"
		" 3: 0100007F:0001 0200007F:0000 01 00000000:00000000 00:00000000 00000000 0 0 1x 2\n"
		" 4: 0100007F:0001\n"
		" 5: 0100007F:0001 0200007F:0000 01 00000000:00000000 00:00000000 00000000 0 0 99999999999999999999999 2\n"
		" 6: 0100007F:00FF 00000000:0000 07 00000001:00000002 00:00000000 00000000 0 0 16 2\n";
	assert_int_equal(procnet_raw_parse(bad, sizeof(bad) - 1, AF_INET, &l), 0);
	assert_int_equal(l.count, 1);
	assert_int_equal(l.items[0].ino, 16);
	assert_int_equal(l.items[0].protocol, IPPROTO_RAW);
	assert_int_equal(l.items[0].wqueue, 1);
	assert_int_equal(l.items[0].rqueue, 2);
	sock_list_free(&l);
	/* v4 text read as v6: addresses too short, nothing */
	assert_int_equal(procnet_raw_parse(text, len, AF_INET6, &l), 0);
	assert_int_equal(l.count, 0);
	assert_int_equal(procnet_raw_parse(text, len, AF_UNIX, &l), -EINVAL);
	free(text);
	free(text6);
}

static void test_dump_packet_request(void **state)
{
	struct sock_list l = { 0 };

	(void)state;
	fake_reset();
	fake_push_fixture(&fx_packet);
	assert_int_equal(sockdiag_dump(AF_PACKET, 0, &l), 0);
	assert_int_equal(fake.next, fake.n);

	const struct nlmsghdr *nlh = (const void *)fake.req;
	const struct packet_diag_req *req = NLMSG_DATA(nlh);
	assert_int_equal(fake.req_len, NLMSG_HDRLEN + sizeof(*req));
	assert_int_equal(req->sdiag_family, AF_PACKET);
	assert_int_equal(req->sdiag_protocol, 0);
	assert_int_equal(req->pdiag_ino, 0);
	assert_int_equal(req->pdiag_show, PACKET_SHOW_INFO);
	assert_int_equal(l.count, 3);
	sock_list_free(&l);
}

/* ---- vsock (vsock.bin, built by hand: see the README) ------------------- */

#define VS_LISTEN 8101u
#define VS_CLIENT 8102u
#define VS_ACCEPTED 8103u
#define VS_QUEUED 8104u
#define VS_SEQPACKET 8105u
#define VS_UNBOUND 8106u
#define VS_MESSAGES 7u

static void assert_vsock(const struct sock_record *r, int type, int state, uint32_t lcid,
			 uint32_t lport, uint32_t rcid, uint32_t rport)
{
	assert_non_null(r);
	assert_int_equal(r->family, AF_VSOCK);
	assert_int_equal(r->type, type);
	assert_int_equal(r->state, state);
	assert_int_equal(r->vm_local_cid, lcid);
	assert_int_equal(r->vm_local_port, lport);
	assert_int_equal(r->vm_remote_cid, rcid);
	assert_int_equal(r->vm_remote_port, rport);
}

static void test_vsock_fixture(void **state)
{
	struct sock_list l = { 0 };

	(void)state;
	assert_int_equal(fx_vsock.n, 2);
	assert_int_equal(sockdiag_parse_family(fx_vsock.f[0].data, fx_vsock.f[0].len, AF_VSOCK,
					       0, &l), SOCKDIAG_MORE);
	assert_int_equal(sockdiag_parse_family(fx_vsock.f[1].data, fx_vsock.f[1].len, AF_VSOCK,
					       0, &l), SOCKDIAG_DONE);
	assert_int_equal(l.count, VS_MESSAGES);
	assert_vsock(find(&l, VS_LISTEN), SOCK_STREAM, ST_LISTEN, VMADDR_CID_ANY, 1234,
		     VMADDR_CID_ANY, VMADDR_PORT_ANY);
	assert_vsock(find(&l, VS_CLIENT), SOCK_STREAM, ST_ESTABLISHED, VMADDR_CID_ANY, 52001,
		     VMADDR_CID_LOCAL, 1234);
	assert_vsock(find(&l, VS_ACCEPTED), SOCK_STREAM, ST_ESTABLISHED, VMADDR_CID_LOCAL, 1234,
		     VMADDR_CID_LOCAL, 52001);
	assert_vsock(find(&l, 0), SOCK_STREAM, ST_ESTABLISHED, VMADDR_CID_LOCAL, 1234,
		     VMADDR_CID_LOCAL, 52002);
	assert_vsock(find(&l, VS_QUEUED), SOCK_STREAM, ST_ESTABLISHED, VMADDR_CID_ANY, 52002,
		     VMADDR_CID_LOCAL, 1234);
	assert_vsock(find(&l, VS_SEQPACKET), SOCK_SEQPACKET, ST_ESTABLISHED, VMADDR_CID_ANY,
		     52003, VMADDR_CID_HOST, 5000);
	assert_vsock(find(&l, VS_UNBOUND), SOCK_STREAM, ST_CLOSE, VMADDR_CID_ANY,
		     VMADDR_PORT_ANY, VMADDR_CID_ANY, VMADDR_PORT_ANY);
	/* nothing of another family's */
	assert_int_equal(find(&l, VS_LISTEN)->protocol, 0);
	assert_int_equal(find(&l, VS_LISTEN)->path_len, 0);
	sock_list_free(&l);
}

static void test_vsock_malformed(void **state)
{
	const struct frame *fr = &fx_vsock.f[0];
	struct sock_list l = { 0 };
	size_t msg = NLMSG_HDRLEN + sizeof(struct vsock_diag_msg);
	uint8_t *b;

	(void)state;
	/* every truncation: whole messages only, never past the buffer */
	for (size_t keep = 0; keep < fr->len; keep++) {
		b = dup_bytes(fr->data, keep);
		int ret = sockdiag_parse_family(b, keep, AF_VSOCK, 0, &l);

		assert_true(ret == SOCKDIAG_MORE || ret == -EBADMSG);
		assert_int_equal(ret == SOCKDIAG_MORE, keep % msg == 0);
		assert_int_equal(l.count, keep / msg);
		sock_list_free(&l);
		free(b);
	}

	/* a message one byte short of vsock_diag_msg (its nlmsg_len says
	 * so): skipped, the next one read */
	b = dup_bytes(fr->data, fr->len);
	((struct nlmsghdr *)b)->nlmsg_len = (uint32_t)msg - 1;
	assert_int_equal(sockdiag_parse_family(b, fr->len, AF_VSOCK, 0, &l), SOCKDIAG_MORE);
	assert_int_equal(l.count, VS_MESSAGES - 1);
	assert_int_equal(count_ino(&l, VS_LISTEN), 0);
	assert_non_null(find(&l, VS_CLIENT));
	sock_list_free(&l);
	free(b);

	/* a message of another family in a vsock dump, and vsock messages in
	 * a dump of another family: skipped */
	b = dup_bytes(fr->data, fr->len);
	b[NLMSG_HDRLEN] = AF_NETLINK;
	assert_int_equal(sockdiag_parse_family(b, fr->len, AF_VSOCK, 0, &l), SOCKDIAG_MORE);
	assert_int_equal(l.count, VS_MESSAGES - 1);
	assert_int_equal(count_ino(&l, VS_LISTEN), 0);
	sock_list_free(&l);
	free(b);
	assert_int_equal(sockdiag_parse_family(fr->data, fr->len, AF_NETLINK, 0, &l),
			 SOCKDIAG_MORE);
	assert_int_equal(sockdiag_parse_family(fr->data, fr->len, AF_PACKET, 0, &l),
			 SOCKDIAG_MORE);
	assert_int_equal(sockdiag_parse_family(fx_netlink.f[0].data, fx_netlink.f[0].len,
					       AF_VSOCK, 0, &l), SOCKDIAG_DONE);
	assert_int_equal(l.count, 0);

	/* a length past the buffer: an error, the messages before it kept */
	b = dup_bytes(fr->data, fr->len);
	((struct nlmsghdr *)(b + 2 * msg))->nlmsg_len = (uint32_t)fr->len;
	assert_int_equal(sockdiag_parse_family(b, fr->len, AF_VSOCK, 0, &l), -EBADMSG);
	assert_int_equal(l.count, 2);
	sock_list_free(&l);
	free(b);
}

static void test_dump_vsock_request(void **state)
{
	struct sock_list l = { 0 };
	const struct frame *done = &fx_vsock.f[1];
	uint8_t *err = dup_bytes(done->data, done->len);

	(void)state;
	fake_reset();
	fake_push_fixture(&fx_vsock);
	assert_int_equal(sockdiag_dump(AF_VSOCK, 0, &l), 0);
	assert_int_equal(fake.next, fake.n);
	assert_int_equal(fake.sends, 1);

	const struct nlmsghdr *nlh = (const void *)fake.req;
	const struct vsock_diag_req *req = NLMSG_DATA(nlh);
	const struct vsock_diag_req zero = { 0 };
	assert_int_equal(fake.req_len, NLMSG_HDRLEN + sizeof(*req));
	assert_int_equal(nlh->nlmsg_type, SOCK_DIAG_BY_FAMILY);
	assert_int_equal(nlh->nlmsg_flags, NLM_F_REQUEST | NLM_F_DUMP);
	assert_int_equal(req->sdiag_family, AF_VSOCK);
	assert_int_equal(req->sdiag_protocol, 0);
	assert_int_equal(req->pad, 0);
	assert_int_equal(req->vdiag_states, 0xffffffffu);
	/* reserved: must be 0 */
	assert_int_equal(req->vdiag_ino, 0);
	assert_int_equal(req->vdiag_show, 0);
	assert_memory_equal(req->vdiag_cookie, zero.vdiag_cookie, sizeof(zero.vdiag_cookie));
	assert_int_equal(l.count, VS_MESSAGES);

	/* a kernel without vsock_diag: ENOENT, the list as it was */
	set_error(err, 0, NLMSG_ERROR, -ENOENT);
	fake_reset();
	fake_push(err, done->len, 0);
	assert_int_equal(sockdiag_dump(AF_VSOCK, 0, &l), -ENOENT);
	assert_int_equal(fake.sends, 1);
	assert_int_equal(l.count, VS_MESSAGES);
	sock_list_free(&l);
	free(err);
}

/* The real kernel: a dump, or ENOENT where it has no vsock_diag (this
 * one); either way the list holds only what a dump gave. */
static void test_dump_vsock_live(void **state)
{
	struct sock_list l = { 0 };
	int r;

	(void)state;
	r = sockdiag_dump(AF_VSOCK, 0, &l);
	assert_true(r == 0 || r == -ENOENT);
	if (r == -ENOENT)
		assert_int_equal(l.count, 0);
	for (size_t i = 0; i < l.count; i++)
		assert_int_equal(l.items[i].family, AF_VSOCK);
	sock_list_free(&l);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_unix_fixture),
		cmocka_unit_test(test_tcp4_fixture),
		cmocka_unit_test(test_tcp_info_fixture),
		cmocka_unit_test(test_tcp_info_truncated),
		cmocka_unit_test(test_tcp6_fixture),
		cmocka_unit_test(test_udp_fixtures),
		cmocka_unit_test(test_protocol_mismatch),
		cmocka_unit_test(test_truncated),
		cmocka_unit_test(test_nlmsg_len_lies),
		cmocka_unit_test(test_dump_intr),
		cmocka_unit_test(test_nlmsg_error),
		cmocka_unit_test(test_done_with_error),
		cmocka_unit_test(test_attr_past_message),
		cmocka_unit_test(test_attr_too_short),
		cmocka_unit_test(test_short_payload_skipped),
		cmocka_unit_test(test_synthetic_attrs),
		cmocka_unit_test(test_empty_name_at_end),
		cmocka_unit_test_teardown(test_dump_unix_request, fake_teardown),
		cmocka_unit_test_teardown(test_dump_inet_request, fake_teardown),
		cmocka_unit_test_teardown(test_dump_retry, fake_teardown),
		cmocka_unit_test_teardown(test_dump_gives_up, fake_teardown),
		cmocka_unit_test_teardown(test_dump_errors, fake_teardown),
		cmocka_unit_test_teardown(test_dump_bad_args, fake_teardown),
		cmocka_unit_test(test_dump_live),
		cmocka_unit_test(test_netlink_fixture),
		cmocka_unit_test(test_netlink_malformed),
		cmocka_unit_test_teardown(test_dump_netlink_request, fake_teardown),
		cmocka_unit_test(test_packet_fixture),
		cmocka_unit_test(test_raw_fixture),
		cmocka_unit_test_teardown(test_dump_packet_request, fake_teardown),
		cmocka_unit_test(test_vsock_fixture),
		cmocka_unit_test(test_vsock_malformed),
		cmocka_unit_test_teardown(test_dump_vsock_request, fake_teardown),
		cmocka_unit_test(test_dump_vsock_live),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
