/* Socket endpoints and their peers (resolver/kind_socket.c) on a fixture
 * /proc tree (tests/fixtures/proc-sockets, see its README) with a fixture
 * socket source:
 *  - the host namespace (net:[4026531840]) replays the recorded sock_diag
 *    dumps (the .bin files of tests/fixtures/netlink) through
 *    sockdiag_parse; what each recorded socket is (listener, queued
 *    client, ...) is in tests/fixtures/netlink/README;
 *  - namespaces A, B, C and E get records made here (ns_*[] below), for the
 *    rules the recording does not exercise.
 * Expected peers follow from how the sockets were made, never from the
 * resolver's output. */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <cmocka.h>
#include <linux/vm_sockets.h>

#include "../fs/render.h"
#include "fixture_root.h"
#include "ipcfs/sockdiag.h"

#define TREE "fixtures/proc-sockets"

#define NS_HOST 4026531840ull
#define NS_A 4026532100ull
#define NS_B 4026532200ull
#define NS_C 4026532300ull
#define NS_E 4026532500ull

/* ---- records made in C --------------------------------------------------- */

struct inet_spec {
	uint64_t ino;
	int family, protocol, state;
	const char *local;
	uint16_t local_port;
	const char *remote;
	uint16_t remote_port;
};

#define TCP4(ino, st, l, lp, r, rp) { ino, AF_INET, IPPROTO_TCP, st, l, lp, r, rp }
#define TCP6(ino, st, l, lp, r, rp) { ino, AF_INET6, IPPROTO_TCP, st, l, lp, r, rp }
#define UDP4(ino, st, l, lp, r, rp) { ino, AF_INET, IPPROTO_UDP, st, l, lp, r, rp }
#define UDP6(ino, st, l, lp, r, rp) { ino, AF_INET6, IPPROTO_UDP, st, l, lp, r, rp }

/* E: a udp4 server on 0.0.0.0 that never connects, two udp4 clients
 * connected to it (loopback and a non-loopback local address), a udp6
 * client of [::1]:5353 (which 0.0.0.0 does not take); a tcp6 dual-stack
 * listener on [::]:8080 and a tcp4 client whose connection sits in its
 * accept queue (the server end, v4-mapped, has no inode). */
static const struct inet_spec ns_e[] = {
	UDP4(9001, TCP_CLOSE, "0.0.0.0", 5353, "0.0.0.0", 0),
	UDP4(9002, TCP_ESTABLISHED, "127.0.0.1", 40100, "127.0.0.1", 5353),
	UDP4(9003, TCP_ESTABLISHED, "10.1.2.3", 40101, "10.1.2.3", 5353),
	UDP6(9004, TCP_ESTABLISHED, "::1", 40102, "::1", 5353),
	TCP6(9010, TCP_LISTEN, "::", 8080, "::", 0),
	TCP4(9011, TCP_ESTABLISHED, "127.0.0.1", 40200, "127.0.0.1", 8080),
	TCP6(0, TCP_ESTABLISHED, "::ffff:127.0.0.1", 8080, "::ffff:127.0.0.1", 40200),
	/* Clients of remote hosts on the ports of those servers: the far end
	 * is no socket of this namespace, whatever listens on 0.0.0.0 or ::. */
	TCP4(9012, TCP_ESTABLISHED, "192.168.1.5", 40300, "93.184.216.34", 8080),
	UDP4(9005, TCP_ESTABLISHED, "192.168.1.5", 40301, "8.8.8.8", 5353),
};

/* A: a listener on the port of E's (another namespace: no peer), and the
 * client ends of four connections whose server ends are in B or C:
 * non-loopback (one match: linked), loopback (not linked), non-loopback
 * with two candidate server ends, one in B and one in C (not linked), and a
 * tcp6 one with its server end in C (linked). */
static const struct inet_spec ns_a[] = {
	TCP6(9100, TCP_LISTEN, "::", 8080, "::", 0),
	TCP4(9101, TCP_ESTABLISHED, "10.0.0.1", 41000, "10.0.0.2", 80),
	TCP4(9102, TCP_ESTABLISHED, "127.0.0.1", 41001, "127.0.0.1", 81),
	TCP4(9103, TCP_ESTABLISHED, "10.0.0.1", 41002, "10.0.0.3", 443),
	TCP6(9104, TCP_ESTABLISHED, "2001:db8::1", 41003, "2001:db8::2", 22),
};

static const struct inet_spec ns_b[] = {
	TCP4(9201, TCP_ESTABLISHED, "10.0.0.2", 80, "10.0.0.1", 41000),
	TCP4(9202, TCP_LISTEN, "0.0.0.0", 80, "0.0.0.0", 0),
	TCP4(9203, TCP_ESTABLISHED, "127.0.0.1", 81, "127.0.0.1", 41001),
	TCP4(9204, TCP_ESTABLISHED, "10.0.0.3", 443, "10.0.0.1", 41002),
};

static const struct inet_spec ns_c[] = {
	TCP4(9301, TCP_ESTABLISHED, "10.0.0.3", 443, "10.0.0.1", 41002),
	TCP6(9302, TCP_ESTABLISHED, "2001:db8::2", 22, "2001:db8::1", 41003),
};

/* vsock: ino, state, local cid:port, remote cid:port (stream sockets).
 * A: clients of the host (cid 2) from cid 3; B: the host's ends, one of
 * which names cid 4 as its far end. */
struct vsock_spec {
	uint64_t ino;
	int state;
	uint32_t local_cid, local_port, remote_cid, remote_port;
};

static const struct vsock_spec vs_a[] = {
	{ 9105, TCP_ESTABLISHED, 3, 52010, 2, 7000 },
	{ 9106, TCP_ESTABLISHED, 3, 52011, 2, 7001 },
};

static const struct vsock_spec vs_b[] = {
	{ 9205, TCP_ESTABLISHED, 2, 7000, 3, 52010 },
	{ 9206, TCP_ESTABLISHED, 2, 7001, 4, 52011 },
};

static void push_record(struct sock_list *list, const struct sock_record *rec)
{
	if (list->count == list->capacity) {
		size_t cap = list->capacity ? list->capacity * 2 : 16;
		void *grown = realloc(list->items, cap * sizeof(*list->items));

		assert_non_null(grown);
		list->items = grown;
		list->capacity = cap;
	}
	list->items[list->count++] = *rec;
}

static void push_specs(struct sock_list *list, const struct inet_spec *specs, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		const struct inet_spec *s = &specs[i];
		struct sock_record rec = {
			.ino = s->ino, .family = (uint8_t)s->family,
			.protocol = (uint8_t)s->protocol, .state = (uint8_t)s->state,
			.type = s->protocol == IPPROTO_TCP ? SOCK_STREAM : SOCK_DGRAM,
			.local_port = s->local_port, .remote_port = s->remote_port,
		};

		assert_int_equal(inet_pton(s->family, s->local, rec.local_addr), 1);
		assert_int_equal(inet_pton(s->family, s->remote, rec.remote_addr), 1);
		/* TCP counters as from a kernel whose tcp_info stops before
		 * tcpi_bytes_sent (4.19): all but that one, counter c of
		 * socket ino being ino * 10 + c. */
		for (int c = 0; s->protocol == IPPROTO_TCP && c < SOCK_TCP_COUNTERS; c++)
			rec.tcp[c] = s->ino * 10 + (uint64_t)c;
		if (s->protocol == IPPROTO_TCP)
			rec.tcp_have = (uint8_t)((1u << SOCK_TCP_COUNTERS) - 1) &
				       (uint8_t)~(1u << SOCK_TCP_BYTES_SENT);
		push_record(list, &rec);
	}
}

static void push_vsock(struct sock_list *list, const struct vsock_spec *specs, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		struct sock_record rec = {
			.ino = specs[i].ino, .family = AF_VSOCK, .type = SOCK_STREAM,
			.state = (uint8_t)specs[i].state,
		};

		rec.vm_local_cid = specs[i].local_cid;
		rec.vm_local_port = specs[i].local_port;
		rec.vm_remote_cid = specs[i].remote_cid;
		rec.vm_remote_port = specs[i].remote_port;
		push_record(list, &rec);
	}
}

/* ---- the recorded dumps ------------------------------------------------- */

/* Appends the records of one [u32 len][bytes]... file to list. */
static void replay(const char *name, int family, int protocol, struct sock_list *list)
{
	static _Alignas(8) uint8_t buf[16384];
	char path[128];
	uint32_t len;
	int r = SOCKDIAG_MORE;
	FILE *f;

	snprintf(path, sizeof(path), "fixtures/netlink/%s", name);
	f = fopen(path, "rb");
	assert_non_null(f);
	while (r == SOCKDIAG_MORE && fread(&len, sizeof(len), 1, f) == 1) {
		assert_true(len <= sizeof(buf));
		assert_int_equal(fread(buf, 1, len, f), len);
		r = sockdiag_parse_family(buf, len, family, protocol, list);
	}
	fclose(f);
	assert_int_equal(r, SOCKDIAG_DONE);
}

/* ---- the fixture source ------------------------------------------------- */

struct source_log {
	unsigned calls;
	struct ns_ref refs[16];
	size_t n_refs;
	int fail;		/* returned instead of dumping when set */
	uint64_t skip_ns;	/* a namespace that "cannot be dumped" */
	const char *listener_path;	/* given to the unix listener 7789 when set */
};

/* Names the recorded listener 7789 path instead. */
static void rename_listener(struct sock_list *l, const char *path)
{
	for (size_t i = 0; i < l->count; i++) {
		struct sock_record *rec = &l->items[i];

		if (rec->family != AF_UNIX || rec->ino != 7789)
			continue;
		rec->path_len = (uint16_t)strlen(path);
		assert_true(rec->path_len < sizeof(rec->path));
		memcpy(rec->path, path, rec->path_len + 1u);
	}
}

static int fixture_dump(const struct sock_source *source, const struct proc_root *root,
			const struct ns_ref *refs, size_t n, struct sock_list *lists)
{
	struct source_log *log = source->context;

	(void)root;
	log->calls++;
	for (size_t i = 0; i < n; i++) {
		assert_true(log->n_refs < 16);
		log->refs[log->n_refs++] = refs[i];
	}
	if (log->fail)
		return log->fail;
	for (size_t i = 0; i < n; i++) {
		struct sock_list *l = &lists[i];

		if (refs[i].ino == log->skip_ns)
			continue;
		switch (refs[i].ino) {
		case NS_HOST:
			replay("unix.bin", AF_UNIX, 0, l);
			if (log->listener_path)
				rename_listener(l, log->listener_path);
			replay("tcp4.bin", AF_INET, IPPROTO_TCP, l);
			replay("tcp6.bin", AF_INET6, IPPROTO_TCP, l);
			replay("udp4.bin", AF_INET, IPPROTO_UDP, l);
			replay("udp6.bin", AF_INET6, IPPROTO_UDP, l);
			replay("vsock.bin", AF_VSOCK, 0, l);
			break;
		case NS_A:
			push_specs(l, ns_a, sizeof(ns_a) / sizeof(ns_a[0]));
			push_vsock(l, vs_a, sizeof(vs_a) / sizeof(vs_a[0]));
			break;
		case NS_B:
			push_specs(l, ns_b, sizeof(ns_b) / sizeof(ns_b[0]));
			push_vsock(l, vs_b, sizeof(vs_b) / sizeof(vs_b[0]));
			break;
		case NS_C: push_specs(l, ns_c, sizeof(ns_c) / sizeof(ns_c[0])); break;
		case NS_E: push_specs(l, ns_e, sizeof(ns_e) / sizeof(ns_e[0])); break;
		default: fail_msg("dump of an unknown namespace %llu", (unsigned long long)refs[i].ino);
		}
	}
	return 0;
}

static int build(struct source_log *log, struct ipc_snapshot **snap)
{
	struct sock_source source = { .dump = fixture_dump, .context = log, .real = false };
	struct ipc_build_options options = { .sockets = &source };
	struct proc_root root;
	int r;

	assert_int_equal(fixture_root_open(&root, TREE), 0);
	r = ipc_snapshot_build(&root, &options, 1, snap);
	proc_root_close(&root);
	return r;
}

static struct source_log setup_log;

static int setup(void **state)
{
	struct ipc_snapshot *snap = NULL;

	memset(&setup_log, 0, sizeof(setup_log));
	assert_int_equal(build(&setup_log, &snap), 0);
	*state = snap;
	return 0;
}

#define PEERS(pid, kind, name, want) \
	assert_string_equal(fixture_peers(snap, pid, kind, name), want)

static void info_is(const struct ipc_snapshot *snap, pid_t pid, enum ipc_kind kind,
		    const char *name, const char *want)
{
	const struct ipc_endpoint *ep = fixture_endpoint(snap, pid, kind, name);
	struct textbuf tb;

	assert_non_null(ep);
	textbuf_init(&tb);
	ipc_endpoint_info_lines(snap, ep, IPC_FIELDS_KIND, NULL, &tb);
	assert_string_equal(tb.data, want);
	textbuf_free(&tb);
}

static void detail_is(const struct ipc_snapshot *snap, pid_t pid, enum ipc_kind kind,
		      const char *name, const char *want)
{
	const struct ipc_endpoint *ep = fixture_endpoint(snap, pid, kind, name);
	struct textbuf tb;

	assert_non_null(ep);
	textbuf_init(&tb);
	ipc_endpoint_detail(snap, ep, &tb);
	assert_string_equal(tb.data, want);
	textbuf_free(&tb);
}

/* ---- the source is asked once for every namespace holding a socket ------- */

static pid_t pid_netns(pid_t pid)
{
	/* As tests/fixtures/proc-sockets is made (its README). */
	if (pid >= 200 && pid < 220)
		return 0;
	if (pid < 230)
		return 4;
	return (pid_t)((pid - 220) / 10);	/* 230: A(1), 240: B(2), 250: C(3) */
}

#define CHANNELS_HEADER "KIND\tPID\tCOMM\tNAME\tACCESS\tID\tPEERS\tDETAIL\n"

/* The channels table of pid alone. */
static void render_process_table(const struct ipc_snapshot *snap, pid_t pid, struct textbuf *tb)
{
	const struct ipc_process *proc = ipc_snapshot_process(snap, pid);

	render_table(&(struct table_request){ .snap = snap, .first = proc, .end = proc + 1 }, tb);
}

static void test_namespaces_dumped(void **state)
{
	static const uint64_t want[] = { NS_HOST, NS_A, NS_B, NS_C, NS_E };

	(void)state;
	/* A non-real source is asked once: no second pass over the threads'
	 * namespaces. */
	assert_int_equal(setup_log.calls, 1);
	assert_int_equal(setup_log.n_refs, 5);
	for (size_t i = 0; i < 5; i++) {
		assert_int_equal(setup_log.refs[i].ino, want[i]);
		/* ... each with a process inside it. */
		assert_int_equal(pid_netns(setup_log.refs[i].pid), (pid_t)i);
	}
}

/* ---- unix ------------------------------------------------------------------ */

/* 7794 <-> 7795; 7795 is held by both processes (inherited across fork):
 * one endpoint per holder, each a peer of 7794's holder. */
static void test_unix_socketpair(void **state)
{
	const struct ipc_snapshot *snap = *state;

	PEERS(202, IPC_UNIX, "3", "202:4 203:3");
	PEERS(202, IPC_UNIX, "4", "202:3");
	PEERS(203, IPC_UNIX, "3", "202:3");
	/* A seqpacket pair held by one process: its ends point at each other. */
	PEERS(207, IPC_UNIX, "3", "207:4");
	PEERS(207, IPC_UNIX, "4", "207:3");
}

/* Listener 7789 (200:3) with a queued client 7792 (201:4, ICONS), an
 * accepted pair 7790 (201:3) <-> 7791 (200:4); the abstract listener 7793
 * has no client. */
static void test_unix_listener_and_clients(void **state)
{
	const struct ipc_snapshot *snap = *state;

	PEERS(200, IPC_UNIX, "3", "201:4");
	PEERS(201, IPC_UNIX, "4", "200:3");
	PEERS(201, IPC_UNIX, "3", "200:4");
	PEERS(200, IPC_UNIX, "4", "201:3");
	PEERS(200, IPC_UNIX, "5", "-");
}

/* dgram server 7796 (204:3) and its connected clients 7797 (205:3), 7798
 * (206:3): each client lists the server, the server lists both. */
static void test_unix_dgram_server(void **state)
{
	const struct ipc_snapshot *snap = *state;

	PEERS(204, IPC_UNIX, "3", "205:3 206:3");
	PEERS(205, IPC_UNIX, "3", "204:3");
	PEERS(206, IPC_UNIX, "3", "204:3");
}

static void test_unix_info(void **state)
{
	const struct ipc_snapshot *snap = *state;
	struct textbuf tb;

	textbuf_init(&tb);
	ipc_endpoint_info_lines(snap, fixture_endpoint(snap, 200, IPC_UNIX, "3"), IPC_FIELDS_ALL, NULL, &tb);
	assert_string_equal(tb.data,
			    "kind: unix\npid: 200\ncomm: unix-listen\nname: 3\nfd: 3\nid: 7789\n"
			    "access: rw\npeers: 201:4\ncgroup: -\n"
			    "type: stream\nstate: listen\npath: /tmp/ipcfs-fixture/stream.sock\n"
			    "peer_id: -\nrqueue: 1\nwqueue: 8\npending: 1\ninflight: 0\n");
	textbuf_free(&tb);
	/* A listener's queue holds connections, never fds: 0 without
	 * fdinfo. */
	info_is(snap, 200, IPC_UNIX, "5",
		"type: stream\nstate: listen\npath: @ipcfs-fixture-abstract\n"
		"peer_id: -\nrqueue: 0\nwqueue: 4\npending: 0\ninflight: 0\n");
	/* The accepted end carries the listener's name; data queued, so
	 * fdinfo is asked, and this one has no scm_fds (older kernel). */
	info_is(snap, 200, IPC_UNIX, "4",
		"type: stream\nstate: established\npath: /tmp/ipcfs-fixture/stream.sock\n"
		"peer_id: 7790\nrqueue: 5\nwqueue: 0\npending: 0\ninflight: -\n");
	/* scm_fds from fdinfo; an unnamed socket. */
	info_is(snap, 205, IPC_UNIX, "3",
		"type: dgram\nstate: established\npath: -\n"
		"peer_id: 7796\nrqueue: 0\nwqueue: 768\npending: 0\ninflight: 2\n");
	/* Autobound: an abstract name of five hex digits. */
	info_is(snap, 206, IPC_UNIX, "3",
		"type: dgram\nstate: established\npath: @7457d\n"
		"peer_id: 7796\nrqueue: 0\nwqueue: 768\npending: 0\ninflight: -\n");
	info_is(snap, 207, IPC_UNIX, "3",
		"type: seqpacket\nstate: established\npath: -\n"
		"peer_id: 7800\nrqueue: 0\nwqueue: 0\npending: 0\ninflight: -\n");
	detail_is(snap, 200, IPC_UNIX, "3", "stream listen /tmp/ipcfs-fixture/stream.sock");
	detail_is(snap, 200, IPC_UNIX, "5", "stream listen @ipcfs-fixture-abstract");
	detail_is(snap, 202, IPC_UNIX, "3", "stream established");
}

/* A backslash and DEL in a path: escaped once, as \ooo, in info and in
 * the channels table (DETAIL is raw until the table escapes it). */
static void test_unix_path_escaped_once(void **state)
{
	struct source_log log = { .listener_path = "/tmp/s2-back\\slash del\x7f" };
	struct ipc_snapshot *snap = NULL;
	struct textbuf tb;

	(void)state;
	assert_int_equal(build(&log, &snap), 0);
	info_is(snap, 200, IPC_UNIX, "3",
		"type: stream\nstate: listen\npath: /tmp/s2-back\\134slash del\\177\n"
		"peer_id: -\nrqueue: 1\nwqueue: 8\npending: 1\ninflight: 0\n");
	detail_is(snap, 200, IPC_UNIX, "3", "stream listen /tmp/s2-back\\slash del\x7f");
	textbuf_init(&tb);
	render_process_table(snap, 200, &tb);
	assert_non_null(strstr(tb.data, "\tstream\\040listen\\040/tmp/s2-back\\134slash\\040del\\177\n"));
	/* JSON: \ooo as in info, its backslash then JSON-escaped. */
	tb.len = 0;
	ipc_endpoint_json(snap, fixture_endpoint(snap, 200, IPC_UNIX, "3"), NULL, &tb);
	assert_non_null(strstr(tb.data, ",\"type\":\"stream\",\"state\":\"listen\","
					"\"path\":\"/tmp/s2-back\\\\134slash del\\\\177\",\"peer_id\":null,"
					"\"rqueue\":1,\"wqueue\":8,\"pending\":1,\"inflight\":0}"));
	textbuf_free(&tb);
	ipc_snapshot_free(snap);
}

/* ---- tcp / udp in one namespace ------------------------------------------ */

/* 7896 (211:3) <-> 7897 (210:4) by mirrored address pair; 7898 (211:4)
 * is still in the accept queue of 7895 (210:3): its mirror has inode 0,
 * so it pairs with the listener. tcp6: 7900 (213:3) <-> 7901 (212:4);
 * the listener 7899 has no queued connection. */
static void test_tcp_mirrored_and_queued(void **state)
{
	const struct ipc_snapshot *snap = *state;

	PEERS(211, IPC_TCP4, "3", "210:4");
	PEERS(210, IPC_TCP4, "4", "211:3");
	PEERS(211, IPC_TCP4, "4", "210:3");
	PEERS(210, IPC_TCP4, "3", "211:4");
	PEERS(213, IPC_TCP6, "3", "212:4");
	PEERS(212, IPC_TCP6, "4", "213:3");
	PEERS(212, IPC_TCP6, "3", "-");
}

/* tcp4 7903 (214:3) reached the dual-stack listener 7902 (212:5); its
 * accepted end 7904 (212:6) is a tcp6 socket with v4-mapped addresses. */
static void test_tcp4_client_of_tcp6_listener(void **state)
{
	const struct ipc_snapshot *snap = *state;

	PEERS(214, IPC_TCP4, "3", "212:6");
	PEERS(212, IPC_TCP6, "6", "214:3");
	PEERS(212, IPC_TCP6, "5", "-");
	/* E: the same, with the accepted end still queued (inode 0): the
	 * client pairs with the [::] listener. */
	PEERS(223, IPC_TCP4, "3", "222:3");
	PEERS(222, IPC_TCP6, "3", "223:3");
	/* A's listener on the same port is in another namespace. */
	PEERS(230, IPC_TCP6, "3", "-");
}

/* udp4 7905 (215:3) <-> 7906 (216:3), both connected; udp6 client 7908
 * (218:3) of the unconnected server 7907 bound to [::1]:40041 (217:3). */
static void test_udp(void **state)
{
	const struct ipc_snapshot *snap = *state;

	PEERS(215, IPC_UDP4, "3", "216:3");
	PEERS(216, IPC_UDP4, "3", "215:3");
	PEERS(218, IPC_UDP6, "3", "217:3");
	PEERS(217, IPC_UDP6, "3", "218:3");
}

/* E: an unconnected udp4 server on 0.0.0.0:5353 (220:3) takes clients of
 * any v4 address on that port (221:3 on loopback, 221:4 on 10.1.2.3), not a
 * udp6 client of [::1]:5353 (221:5). */
static void test_udp_wildcard_server(void **state)
{
	const struct ipc_snapshot *snap = *state;

	PEERS(220, IPC_UDP4, "3", "221:3 221:4");
	PEERS(221, IPC_UDP4, "3", "220:3");
	PEERS(221, IPC_UDP4, "4", "220:3");
	PEERS(221, IPC_UDP6, "5", "-");
}

/* E: a tcp4 client of 93.184.216.34:8080 (223:4) and a udp4 client of
 * 8.8.8.8:5353 (221:6), from 192.168.1.5: remote hosts, not the listener
 * on [::]:8080 nor the server on 0.0.0.0:5353 that happen to use the same
 * ports (as ssh to another host is no peer of the local sshd). */
static void test_client_of_remote_host(void **state)
{
	const struct ipc_snapshot *snap = *state;

	PEERS(223, IPC_TCP4, "4", "-");
	PEERS(221, IPC_UDP4, "6", "-");
	PEERS(222, IPC_TCP6, "3", "223:3");
	PEERS(220, IPC_UDP4, "3", "221:3 221:4");
}

/* ---- across namespaces ------------------------------------------------------ */

static void test_across_namespaces(void **state)
{
	const struct ipc_snapshot *snap = *state;

	/* 10.0.0.1:41000 (A) <-> 10.0.0.2:80 (B): the only match, linked.
	 * B's listener on 0.0.0.0:80 is no peer (its connection was accepted). */
	PEERS(230, IPC_TCP4, "4", "240:3");
	PEERS(240, IPC_TCP4, "3", "230:4");
	PEERS(240, IPC_TCP4, "4", "-");
	/* tcp6 2001:db8::1 (A) <-> 2001:db8::2 (C). */
	PEERS(230, IPC_TCP6, "7", "250:4");
	PEERS(250, IPC_TCP6, "4", "230:7");
	/* Loopback: every namespace has its own 127.0.0.1, not linked. */
	PEERS(230, IPC_TCP4, "5", "-");
	PEERS(240, IPC_TCP4, "5", "-");
}

/* 10.0.0.1:41002 (A) has two candidate far ends, 10.0.0.3:443 in B and the
 * same pair in C: ambiguous, linked to neither — from either side. */
static void test_across_namespaces_ambiguous(void **state)
{
	const struct ipc_snapshot *snap = *state;

	PEERS(230, IPC_TCP4, "6", "-");
	PEERS(240, IPC_TCP4, "6", "-");
	PEERS(250, IPC_TCP4, "3", "-");
}

/* ---- info of inet sockets -------------------------------------------------- */

/* The recorded tcp dumps predate INET_DIAG_INFO: no counter. */
#define NO_TCP_INFO "bytes_sent: -\nbytes_received: -\nsegs_out: -\nsegs_in: -\nretrans: -\n" \
		    "rtt_us: -\nlast_send_ms: -\nlast_recv_ms: -\n"

/* The sockets' part of a build's profile: the wait for the preparation,
 * the endpoints, the links, in that order, then the module's own end. */
static void test_socket_phases(void **state)
{
	static const char *const order[] = {
		"sockets: prepared", "sockets: endpoints", "sockets: links", "sockets", "freeze",
	};
	const struct ipc_snapshot *snap = *state;
	size_t i, k = 0;

	for (i = 0; i < snap->n_phases && k < sizeof(order) / sizeof(order[0]); i++)
		if (strcmp(snap->phases[i].name, order[k]) == 0)
			k++;
	assert_int_equal(k, sizeof(order) / sizeof(order[0]));
	assert_int_equal(i, snap->n_phases);
}

static void test_inet_info(void **state)
{
	const struct ipc_snapshot *snap = *state;
	struct textbuf tb;

	textbuf_init(&tb);
	ipc_endpoint_info_lines(snap, fixture_endpoint(snap, 210, IPC_TCP4, "4"), IPC_FIELDS_ALL, NULL, &tb);
	assert_string_equal(tb.data,
			    "kind: tcp4\npid: 210\ncomm: tcp-server\nname: 4\nfd: 4\nid: 7897\n"
			    "access: rw\npeers: 211:3\ncgroup: -\n"
			    "local: 127.0.0.1:40001\nremote: 127.0.0.1:40011\nstate: established\n"
			    "rqueue: 11\nwqueue: 0\n" NO_TCP_INFO "netns: 4026531840\n");
	tb.len = 0;
	render_process_table(snap, 210, &tb);
	assert_string_equal(tb.data, CHANNELS_HEADER
			    "tcp4\t210\ttcp-server\t3\trw\t7895\t211:4\t"
			    "127.0.0.1:40001\\0400.0.0.0:0\\040listen\n"
			    "tcp4\t210\ttcp-server\t4\trw\t7897\t211:3\t"
			    "127.0.0.1:40001\\040127.0.0.1:40011\\040established\n");
	textbuf_free(&tb);
	info_is(snap, 210, IPC_TCP4, "3",
		"local: 127.0.0.1:40001\nremote: 0.0.0.0:0\nstate: listen\n"
		"rqueue: 1\nwqueue: 8\n" NO_TCP_INFO "netns: 4026531840\n");
	info_is(snap, 212, IPC_TCP6, "6",
		"local: [::ffff:127.0.0.1]:40003\n"
		"remote: [::ffff:127.0.0.1]:40013\nstate: established\nrqueue: 0\nwqueue: 0\n"
		NO_TCP_INFO "netns: 4026531840\n");
	info_is(snap, 217, IPC_UDP6, "3",
		"local: [::1]:40041\nremote: [::]:0\nstate: unconnected\n"
		"rqueue: 0\nwqueue: 0\nnetns: 4026531840\n");
	info_is(snap, 240, IPC_TCP4, "3",
		"local: 10.0.0.2:80\nremote: 10.0.0.1:41000\nstate: established\n"
		"rqueue: 0\nwqueue: 0\nbytes_sent: -\nbytes_received: 92011\nsegs_out: 92012\n"
		"segs_in: 92013\nretrans: 92014\nrtt_us: 92015\nlast_send_ms: 92016\n"
		"last_recv_ms: 92017\nnetns: 4026532200\n");
	detail_is(snap, 213, IPC_TCP6, "3", "[::1]:40021 [::1]:40002 established");
	/* The counters are info keys, so JSON numbers; the one missing null. */
	textbuf_init(&tb);
	ipc_endpoint_json(snap, fixture_endpoint(snap, 240, IPC_TCP4, "3"), NULL, &tb);
	assert_non_null(strstr(tb.data, ",\"rqueue\":0,\"wqueue\":0,\"bytes_sent\":null,"
					"\"bytes_received\":92011,\"segs_out\":92012,\"segs_in\":92013,"
					"\"retrans\":92014,\"rtt_us\":92015,\"last_send_ms\":92016,"
					"\"last_recv_ms\":92017,\"netns\":4026532200}"));
	textbuf_free(&tb);
}

/* ---- vsock ----------------------------------------------------------------- */

/* vsock.bin (a loopback host): the client bound to cid -1 and its
 * accepted end; the queued client's far end has no inode; the listener,
 * a client of the host and an unbound socket have none.  Across
 * namespaces (A and B), the mirrored pair, but not a pair whose cids
 * differ. */
static void test_vsock_peers(void **state)
{
	const struct ipc_snapshot *snap = *state;

	PEERS(209, IPC_VSOCK, "3", "208:4");
	PEERS(208, IPC_VSOCK, "4", "209:3");
	PEERS(209, IPC_VSOCK, "4", "-");
	PEERS(208, IPC_VSOCK, "3", "-");
	PEERS(209, IPC_VSOCK, "5", "-");
	PEERS(209, IPC_VSOCK, "6", "-");
	PEERS(230, IPC_VSOCK, "8", "240:7");
	PEERS(240, IPC_VSOCK, "7", "230:8");
	PEERS(230, IPC_VSOCK, "9", "-");
	PEERS(240, IPC_VSOCK, "8", "-");
	assert_int_equal(ipc_snapshot_process(snap, 209)->kinds, 1u << IPC_VSOCK);
}

/* type, state, local and remote as cid:port, "*" for an unset cid or
 * port; the namespace the dump found it in. */
static void test_vsock_info(void **state)
{
	const struct ipc_snapshot *snap = *state;
	struct textbuf tb;

	info_is(snap, 208, IPC_VSOCK, "3",
		"type: stream\nstate: listen\nlocal: *:1234\nremote: *:*\nnetns: 4026531840\n");
	info_is(snap, 209, IPC_VSOCK, "3",
		"type: stream\nstate: established\nlocal: *:52001\nremote: 1:1234\n"
		"netns: 4026531840\n");
	info_is(snap, 240, IPC_VSOCK, "7",
		"type: stream\nstate: established\nlocal: 2:7000\nremote: 3:52010\n"
		"netns: 4026532200\n");
	detail_is(snap, 208, IPC_VSOCK, "4", "stream established 1:1234 1:52001");
	detail_is(snap, 209, IPC_VSOCK, "5", "seqpacket established *:52003 2:5000");
	detail_is(snap, 209, IPC_VSOCK, "6", "stream unconnected *:* *:*");
	textbuf_init(&tb);
	render_process_table(snap, 208, &tb);
	assert_string_equal(tb.data, CHANNELS_HEADER
			    "vsock\t208\tvsock-server\t3\trw\t8101\t-\t"
			    "stream\\040listen\\040*:1234\\040*:*\n"
			    "vsock\t208\tvsock-server\t4\trw\t8103\t209:3\t"
			    "stream\\040established\\0401:1234\\0401:52001\n");
	tb.len = 0;
	ipc_endpoint_json(snap, fixture_endpoint(snap, 209, IPC_VSOCK, "3"), NULL, &tb);
	assert_non_null(strstr(tb.data, "\"peers\":[{\"pid\":208,\"kind\":\"vsock\",\"name\":\"4\"}]"));
	assert_non_null(strstr(tb.data, ",\"type\":\"stream\",\"state\":\"established\","
					"\"local\":\"*:52001\",\"remote\":\"1:1234\","
					"\"netns\":4026531840}"));
	textbuf_free(&tb);
}

/* ---- sockets in no dump -------------------------------------------------- */

/* socket:[9999] (207:5) is in no dump. With a source that is not the live
 * kernel, nothing tells its protocol: kind_socket.c drops it (it could be
 * netlink or packet). */
static void test_socket_in_no_dump(void **state)
{
	const struct ipc_snapshot *snap = *state;
	const struct ipc_process *proc = ipc_snapshot_process(snap, 207);

	assert_non_null(proc);
	assert_int_equal(proc->n_endpoints, 2);
	for (int k = 0; k < IPC_KIND_COUNT; k++)
		assert_null(ipc_snapshot_endpoint(snap, proc, k, "5"));
	assert_int_equal(proc->kinds, 1u << IPC_UNIX);
}

/* A namespace that cannot be dumped (its list left empty): its sockets are
 * dropped, the others are unaffected; a failing source fails the build. */
static void test_source_failures(void **state)
{
	struct source_log log = { .skip_ns = NS_B };
	struct ipc_snapshot *snap = NULL;

	(void)state;
	assert_int_equal(build(&log, &snap), 0);
	assert_int_equal(ipc_snapshot_process(snap, 240)->n_endpoints, 0);
	PEERS(230, IPC_TCP4, "4", "-");
	PEERS(230, IPC_TCP6, "7", "250:4");
	PEERS(200, IPC_UNIX, "3", "201:4");
	ipc_snapshot_free(snap);

	memset(&log, 0, sizeof(log));
	log.fail = -ENOMEM;
	snap = NULL;
	assert_int_equal(build(&log, &snap), -ENOMEM);
	assert_null(snap);
}

/* Every endpoint in the tree exists with the kind its record tells, and
 * peers are symmetric. */
static void test_kinds_and_symmetry(void **state)
{
	const struct ipc_snapshot *snap = *state;
	static const struct {
		pid_t pid;
		enum ipc_kind kind;
		const char *name;
	} all[] = {
		{ 200, IPC_UNIX, "3" }, { 200, IPC_UNIX, "4" }, { 200, IPC_UNIX, "5" },
		{ 201, IPC_UNIX, "3" }, { 201, IPC_UNIX, "4" }, { 202, IPC_UNIX, "3" },
		{ 202, IPC_UNIX, "4" }, { 203, IPC_UNIX, "3" }, { 204, IPC_UNIX, "3" },
		{ 205, IPC_UNIX, "3" }, { 206, IPC_UNIX, "3" }, { 207, IPC_UNIX, "3" },
		{ 207, IPC_UNIX, "4" }, { 210, IPC_TCP4, "3" }, { 210, IPC_TCP4, "4" },
		{ 211, IPC_TCP4, "3" }, { 211, IPC_TCP4, "4" }, { 212, IPC_TCP6, "3" },
		{ 212, IPC_TCP6, "4" }, { 212, IPC_TCP6, "5" }, { 212, IPC_TCP6, "6" },
		{ 213, IPC_TCP6, "3" }, { 214, IPC_TCP4, "3" }, { 215, IPC_UDP4, "3" },
		{ 216, IPC_UDP4, "3" }, { 217, IPC_UDP6, "3" }, { 218, IPC_UDP6, "3" },
		{ 220, IPC_UDP4, "3" }, { 221, IPC_UDP4, "3" }, { 221, IPC_UDP4, "4" },
		{ 221, IPC_UDP6, "5" }, { 221, IPC_UDP4, "6" }, { 222, IPC_TCP6, "3" },
		{ 223, IPC_TCP4, "3" }, { 223, IPC_TCP4, "4" },
		{ 230, IPC_TCP6, "3" }, { 230, IPC_TCP4, "4" }, { 230, IPC_TCP4, "5" },
		{ 230, IPC_TCP4, "6" }, { 230, IPC_TCP6, "7" }, { 240, IPC_TCP4, "3" },
		{ 240, IPC_TCP4, "4" }, { 240, IPC_TCP4, "5" }, { 240, IPC_TCP4, "6" },
		{ 250, IPC_TCP4, "3" }, { 250, IPC_TCP6, "4" },
		{ 208, IPC_VSOCK, "3" }, { 208, IPC_VSOCK, "4" }, { 209, IPC_VSOCK, "3" },
		{ 209, IPC_VSOCK, "4" }, { 209, IPC_VSOCK, "5" }, { 209, IPC_VSOCK, "6" },
		{ 230, IPC_VSOCK, "8" }, { 230, IPC_VSOCK, "9" }, { 240, IPC_VSOCK, "7" },
		{ 240, IPC_VSOCK, "8" },
	};
	size_t total = 0, i;

	for (i = 0; i < sizeof(all) / sizeof(all[0]); i++) {
		const struct ipc_endpoint *ep =
			fixture_endpoint(snap, all[i].pid, all[i].kind, all[i].name);

		assert_non_null(ep);
		assert_int_equal(ep->access, IPC_ACCESS_R | IPC_ACCESS_W);
		for (uint32_t p = 0; p < ep->n_peers; p++) {
			const struct ipc_endpoint *peer = ipc_endpoint_peer(snap, ep, p);
			uint32_t q, back = 0;

			for (q = 0; q < peer->n_peers; q++)
				back += ipc_endpoint_peer(snap, peer, q) == ep;
			assert_int_equal(back, 1);
		}
	}
	for (i = 0; i < snap->n_processes; i++)
		total += snap->processes[i].n_endpoints;
	assert_int_equal(total, sizeof(all) / sizeof(all[0]));
}

/* Lookups find every socket endpoint and peer (tcp4 with tcp6 too). */
static void test_lookups(void **state)
{
	fixture_check_lookups(*state);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_namespaces_dumped),
		cmocka_unit_test(test_unix_socketpair),
		cmocka_unit_test(test_unix_listener_and_clients),
		cmocka_unit_test(test_unix_dgram_server),
		cmocka_unit_test(test_unix_info),
		cmocka_unit_test(test_unix_path_escaped_once),
		cmocka_unit_test(test_tcp_mirrored_and_queued),
		cmocka_unit_test(test_tcp4_client_of_tcp6_listener),
		cmocka_unit_test(test_udp),
		cmocka_unit_test(test_udp_wildcard_server),
		cmocka_unit_test(test_client_of_remote_host),
		cmocka_unit_test(test_across_namespaces),
		cmocka_unit_test(test_across_namespaces_ambiguous),
		cmocka_unit_test(test_inet_info),
		cmocka_unit_test(test_socket_phases),
		cmocka_unit_test(test_vsock_peers),
		cmocka_unit_test(test_vsock_info),
		cmocka_unit_test(test_socket_in_no_dump),
		cmocka_unit_test(test_source_failures),
		cmocka_unit_test(test_kinds_and_symmetry),
		cmocka_unit_test(test_lookups),
	};

	return cmocka_run_group_tests(tests, setup, fixture_teardown);
}
