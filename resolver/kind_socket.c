/* Sockets: unix, tcp4/6, udp4/6, netlink, packet, raw, vsock.  fds are
 * matched to sock_diag records (raw: /proc/net/raw records) by inode;
 * peers come from UNIX_DIAG_PEER and ICONS for unix, from the mirrored
 * address pair for inet and vsock, from the destination port id for
 * netlink; packet and raw sockets have none. */
#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <linux/netlink.h>
#include <linux/vm_sockets.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "array.h"
#include "builder.h"
#include "ipcfs/sockdiag.h"

struct socket_detail {
	struct sock_record rec;	/* icons dropped: only their count is kept */
	uint64_t netns;
	bool known;		/* found in a dump */
	bool has_inflight;
	uint32_t inflight;
};

struct pending_socket {
	uint32_t process;
	int32_t fd;
	uint64_t ino, netns;
};

struct socket_resolve;
struct socket_fact;

struct socket_state {
	struct pending_socket *pending;
	size_t n_pending, cap_pending;
	struct sock_ahead *ahead;	/* the kernel's: our namespace's dumps */
	/* What socket_prepare made, on a thread of its own from
	 * socket_resolve_start while the other modules resolve. */
	struct socket_resolve *s;
	struct socket_fact *facts;	/* per pending socket */
	pthread_t preparer;
	bool preparing;			/* preparer to be joined */
	int prepared;			/* its result */
};

/* A record found in a dump, with where it was found. */
struct located {
	const struct sock_record *rec;
	uint64_t netns;
	uint64_t ino;	/* rec's: sorting and searching by it touch no record */
};

/* What inet sockets are paired by: a socket's own, or its mirror (local
 * and remote swapped), addresses as IPv6 (see address16). */
struct pair_key {
	uint64_t netns;
	uint8_t protocol;
	uint8_t local[16], remote[16];
	uint16_t local_port, remote_port;
};

/* A socket endpoint by inode: the holders of one socket. */
struct holder {
	uint64_t ino;
	uint32_t endpoint;
};

struct socket_resolve {
	struct builder *b;
	struct sock_ahead *ahead;
	struct ns_ref *refs;
	size_t n_refs, cap_refs;
	struct sock_list *lists;	/* one per ref */
	size_t cap_lists;
	struct located *by_ino;		/* sorted by inode */
	size_t n_located, cap_located;
	struct located *by_pair;	/* inet sockets sorted by address pair */
	struct pair_key *pair_keys;	/* by_pair's keys, made once */
	size_t n_pairs, cap_pairs, cap_keys;
	struct holder *holders;		/* sorted by inode */
	size_t n_holders;
	/* The inet sockets with holders that take a connection to their
	 * local address: tcp listeners and udp sockets with no remote,
	 * sorted by bound_order, so link_bound finds a port's in O(log n). */
	const struct located **bound;
	size_t n_bound;
};

static uint64_t read_netns(int dirfd, pid_t pid)
{
	char path[PROC_PATH_MAX];

	return proc_ns_inode(dirfd, proc_path(path, pid, "ns/net", -1), "net:[");
}

/* found[0] is the socket's inode; the holder's network namespace is read
 * once per process, into *probe->netns. */
static int socket_probe_fd(struct fd_probe *probe)
{
	probe->found[0] = link_inode(probe->link, "socket:[");
	if (!probe->found[0])
		return 0;
	if (!*probe->netns)
		*probe->netns = read_netns(probe->root->dirfd, probe->pid);
	return 1;
}

static int socket_add_fd(struct builder *b, const struct fd_probe *probe)
{
	struct socket_state *state = builder_state(b, &socket_module);
	struct pending_socket *p;

	if (array_reserve(state->pending, state->cap_pending, state->n_pending + 1) < 0)
		return -ENOMEM;
	p = &state->pending[state->n_pending++];
	*p = (struct pending_socket){
		.process = probe->process, .fd = probe->fd, .ino = probe->found[0],
		.netns = *probe->netns,
	};
	return 0;
}

/* Our own namespace holds most sockets: its dumps run while /proc is
 * scanned. */
static int socket_begin(struct builder *b)
{
	struct socket_state *state = builder_state(b, &socket_module);

	if (!b->options->sockets || b->options->sockets == &sock_source_kernel)
		state->ahead = sock_ahead_start(b->root);
	return 0;
}

static void release_resolve(struct socket_state *state);

static void socket_finish(struct builder *b)
{
	struct socket_state *state = builder_state(b, &socket_module);

	/* A build that failed before the sockets resolved leaves these. */
	if (state->preparing)
		pthread_join(state->preparer, NULL);
	release_resolve(state);
	free(state->pending);
	sock_ahead_free(state->ahead);
}

static int compare_u64(uint64_t a, uint64_t b)
{
	return (a > b) - (a < b);
}

static int compare_located_ino(const void *x, const void *y)
{
	return compare_u64(((const struct located *)x)->ino, ((const struct located *)y)->ino);
}

static int compare_holder(const void *x, const void *y)
{
	const struct holder *a = x, *b = y;
	int c = compare_u64(a->ino, b->ino);

	return c ? c : compare_u64(a->endpoint, b->endpoint);
}

/* inet addresses as IPv6, v4 mapped, so a tcp4 client pairs with a tcp6
 * listener reached through ::ffff:a.b.c.d. */
static void address16(const struct sock_record *rec, const uint8_t *addr, uint8_t out[16])
{
	if (rec->family == AF_INET) {
		memset(out, 0, 10);
		out[10] = out[11] = 0xff;
		memcpy(out + 12, addr, 4);
	} else {
		memcpy(out, addr, 16);
	}
}

static void pair_key_of(const struct located *l, bool mirrored, struct pair_key *key)
{
	const struct sock_record *rec = l->rec;

	memset(key, 0, sizeof(*key));
	key->netns = l->netns;
	key->protocol = rec->protocol;
	address16(rec, mirrored ? rec->remote_addr : rec->local_addr, key->local);
	address16(rec, mirrored ? rec->local_addr : rec->remote_addr, key->remote);
	key->local_port = mirrored ? rec->remote_port : rec->local_port;
	key->remote_port = mirrored ? rec->local_port : rec->remote_port;
}

static int compare_pair_key(const struct pair_key *a, const struct pair_key *b)
{
	int c = compare_u64(a->netns, b->netns);

	if (c)
		return c;
	if (a->protocol != b->protocol)
		return a->protocol < b->protocol ? -1 : 1;
	if ((c = memcmp(a->local, b->local, 16)) || (c = memcmp(a->remote, b->remote, 16)))
		return c;
	if (a->local_port != b->local_port)
		return a->local_port < b->local_port ? -1 : 1;
	return (a->remote_port > b->remote_port) - (a->remote_port < b->remote_port);
}

/* An inet socket with its key, while by_pair is sorted. */
struct keyed {
	struct pair_key key;
	struct located l;
};

static int compare_keyed(const void *x, const void *y)
{
	return compare_pair_key(&((const struct keyed *)x)->key, &((const struct keyed *)y)->key);
}

static const struct located *find_ino(const struct socket_resolve *s, uint64_t ino)
{
	struct located key = { .ino = ino };

	return bsearch(&key, s->by_ino, s->n_located, sizeof(key), compare_located_ino);
}

/* The holders of socket ino: *count endpoints from the returned one. */
static const struct holder *find_holders(const struct socket_resolve *s, uint64_t ino,
					 size_t *count)
{
	size_t lo = 0, hi = s->n_holders, end;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (s->holders[mid].ino < ino)
			lo = mid + 1;
		else
			hi = mid;
	}
	for (end = lo; end < s->n_holders && s->holders[end].ino == ino; end++)
		;
	*count = end - lo;
	return *count ? &s->holders[lo] : NULL;
}

/* Peers every holder of socket a with every holder of socket b. */
static int link_sockets(struct socket_resolve *s, uint64_t a, uint64_t b)
{
	const struct holder *ha, *hb;
	size_t na, nb, i, j;
	int r;

	ha = find_holders(s, a, &na);
	hb = find_holders(s, b, &nb);
	for (i = 0; i < na; i++)
		for (j = 0; j < nb; j++)
			if ((r = builder_add_peer(s->b, ha[i].endpoint, hb[j].endpoint)) < 0)
				return r;
	return 0;
}

static bool has_holders(const struct socket_resolve *s, uint64_t ino)
{
	size_t n;

	return ino && find_holders(s, ino, &n);
}

static enum ipc_kind kind_of_record(const struct sock_record *rec)
{
	if (rec->family == AF_UNIX)
		return IPC_UNIX;
	if (rec->family == AF_NETLINK)
		return IPC_NETLINK;
	if (rec->family == AF_PACKET)
		return IPC_PACKET;
	if (rec->family == AF_VSOCK)
		return IPC_VSOCK;
	if (rec->type == SOCK_RAW)
		return IPC_RAW;
	if (rec->protocol == IPPROTO_TCP)
		return rec->family == AF_INET ? IPC_TCP4 : IPC_TCP6;
	return rec->family == AF_INET ? IPC_UDP4 : IPC_UDP6;
}

/* For a socket in no dump: the kind its protocol name tells, or -1 for a
 * socket that is no channel of ours (netlink, packet...). */
static int kind_of_unlisted(const struct builder *b, const struct pending_socket *p)
{
	static const struct {
		const char *name;
		enum ipc_kind kind;
	} names[] = {
		{ "UNIX", IPC_UNIX }, { "TCP", IPC_TCP4 }, { "TCPv6", IPC_TCP6 },
		{ "UDP", IPC_UDP4 }, { "UDPv6", IPC_UDP6 }, { "NETLINK", IPC_NETLINK },
		{ "PACKET", IPC_PACKET }, { "RAW", IPC_RAW }, { "RAWv6", IPC_RAW },
	};
	const struct sock_source *source = b->options->sockets;
	char path[32 + PROC_PATH_MAX], name[32];
	ssize_t n;
	size_t i;

	if (source && !source->real)
		return -1;
	/* getxattr resolves the fd link like stat, without opening it; it
	 * takes no directory fd, so the root is reached through ours. */
	n = snprintf(path, 32, "/proc/self/fd/%d/", b->root->dirfd);
	proc_path(path + n, b->processes[p->process].pid, "fd", p->fd);
	n = getxattr(path, "system.sockprotoname", name, sizeof(name) - 1);
	if (n <= 0)
		return -1;
	name[n] = '\0';
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (strcmp(names[i].name, name) == 0)
			return (int)names[i].kind;
	return -1;
}

/* The distinct namespaces of the pending sockets not yet in refs. */
static int add_refs(struct socket_resolve *s, const struct ns_ref *wanted, size_t n_wanted)
{
	struct ns_ref *refs;
	size_t i, j, n = s->n_refs;

	if (array_reserve(s->refs, s->cap_refs, s->n_refs + n_wanted + 1) < 0)
		return -ENOMEM;
	refs = s->refs;
	for (i = 0; i < n_wanted; i++) {
		if (!wanted[i].ino)
			continue;
		for (j = 0; j < n && refs[j].ino != wanted[i].ino; j++)
			;
		if (j == n)
			refs[n++] = wanted[i];
	}
	qsort(refs + s->n_refs, n - s->n_refs, sizeof(*refs), ns_ref_order);
	return (int)(n - s->n_refs);
}

/* Dumps the namespaces from refs[first] on and indexes every record. */
static int dump_new_refs(struct socket_resolve *s, size_t first, size_t added)
{
	const struct sock_source *source = s->b->options->sockets;
	struct sock_list *lists;
	size_t total = 0, i, j;
	struct keyed *keyed;
	int r;

	if (!source)
		source = &sock_source_kernel;
	if (array_reserve(s->lists, s->cap_lists, first + added + 1) < 0)
		return -ENOMEM;
	lists = s->lists;
	memset(lists + first, 0, (added + 1) * sizeof(*lists));
	s->n_refs = first + added;
	if (source == &sock_source_kernel)
		r = sock_kernel_dump(s->b->root, s->ahead, s->refs + first, added, lists + first);
	else
		r = source->dump(source, s->b->root, s->refs + first, added, lists + first);
	if (r < 0)
		return r;
	for (i = 0; i < s->n_refs; i++)
		total += lists[i].count;
	/* Keys are made once per socket, not twice per comparison. */
	keyed = malloc((total + 1) * sizeof(*keyed));
	if (!keyed || array_reserve(s->by_ino, s->cap_located, total + 1) < 0 ||
	    array_reserve(s->by_pair, s->cap_pairs, total + 1) < 0 ||
	    array_reserve(s->pair_keys, s->cap_keys, total + 1) < 0) {
		free(keyed);
		return -ENOMEM;
	}
	s->n_located = s->n_pairs = 0;
	for (i = 0; i < s->n_refs; i++)
		for (j = 0; j < lists[i].count; j++) {
			struct located l = { &lists[i].items[j], s->refs[i].ino,
					     lists[i].items[j].ino };

			if (l.rec->ino)
				s->by_ino[s->n_located++] = l;
			if ((l.rec->family == AF_INET || l.rec->family == AF_INET6) &&
			    l.rec->type != SOCK_RAW) {
				keyed[s->n_pairs].l = l;
				pair_key_of(&l, false, &keyed[s->n_pairs++].key);
			}
		}
	qsort(s->by_ino, s->n_located, sizeof(*s->by_ino), compare_located_ino);
	qsort(keyed, s->n_pairs, sizeof(*keyed), compare_keyed);
	for (i = 0; i < s->n_pairs; i++) {
		s->by_pair[i] = keyed[i].l;
		s->pair_keys[i] = keyed[i].key;
	}
	free(keyed);
	return 0;
}

struct ref_vector {
	struct ns_ref *items;
	size_t count, cap;
};

static int ref_push(struct ref_vector *v, uint64_t ino, pid_t pid)
{
	if (array_reserve(v->items, v->cap, v->count + 1) < 0)
		return -ENOMEM;
	v->items[v->count++] = (struct ns_ref){ ino, pid };
	return 0;
}

/* The namespaces of every thread of a process, entered through the
 * thread so setns finds it there. */
static int push_task_namespaces(const struct builder *b, pid_t pid, struct ref_vector *v)
{
	char path[PROC_PATH_MAX];
	struct dirent *de;
	uint64_t ino;
	DIR *dir;
	pid_t tid;
	int fd, r = 0;

	fd = openat(b->root->dirfd, proc_path(path, pid, "task", -1),
		    O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return 0;
	dir = fdopendir(fd);
	if (!dir) {
		close(fd);
		return 0;
	}
	while (r == 0 && (de = readdir(dir))) {
		if (de->d_name[0] < '0' || de->d_name[0] > '9')
			continue;
		tid = (pid_t)atoi(de->d_name);
		ino = read_netns(dirfd(dir), tid);
		if (ino)
			r = ref_push(v, ino, tid);
	}
	closedir(dir);
	return r;
}

/* Every namespace the sockets' holders are in; then, for sockets found in
 * none, the namespaces of those holders' threads (a thread may have
 * entered another namespace and made a socket there). */
static int dump_namespaces(struct socket_resolve *s, const struct socket_state *state)
{
	const struct sock_source *source = s->b->options->sockets;
	struct ref_vector wanted = {0};
	uint32_t last_process = UINT32_MAX;
	size_t i, first;
	int added, r = 0;

	for (i = 0; r == 0 && i < state->n_pending; i++)
		r = ref_push(&wanted, state->pending[i].netns,
			     s->b->processes[state->pending[i].process].pid);
	added = r < 0 ? r : add_refs(s, wanted.items, wanted.count);
	r = added < 0 ? added : dump_new_refs(s, 0, (size_t)added);
	wanted.count = 0;
	for (i = 0; r == 0 && (!source || source->real) && i < state->n_pending; i++) {
		const struct pending_socket *p = &state->pending[i];

		if (p->process == last_process || find_ino(s, p->ino))
			continue;
		last_process = p->process;
		r = push_task_namespaces(s->b, s->b->processes[p->process].pid, &wanted);
	}
	if (r == 0 && wanted.count) {
		first = s->n_refs;
		added = add_refs(s, wanted.items, wanted.count);
		r = added <= 0 ? added : dump_new_refs(s, first, (size_t)added);
	}
	free(wanted.items);
	return r;
}

/* What a pending socket's endpoint is made of, found for all of them
 * before any is added, so that their fdinfo reads run on several threads. */
struct socket_fact {
	const struct located *l;	/* its record, NULL in no dump */
	int kind;			/* -1: no channel of ours */
	bool has_inflight;
	uint32_t inflight;
};

/* fds passed over a unix socket and not yet received: its fdinfo's
 * scm_fds. */
static void read_inflight(const struct builder *b, const struct pending_socket *p,
			  struct socket_fact *fact)
{
	char path[PROC_PATH_MAX], text[1024], value[32];

	proc_path(path, b->processes[p->process].pid, "fdinfo", p->fd);
	if (proc_read_file(b->root, path, text, sizeof(text)) >= 0 &&
	    text_field(text, "scm_fds", value, sizeof(value)) == 0) {
		fact->has_inflight = true;
		fact->inflight = (uint32_t)strtoul(value, NULL, 10);
	}
}

/* One thread's share of the reads: every stride-th from first. */
struct inflight_reads {
	const struct builder *b;
	const struct pending_socket *pending;
	struct socket_fact *facts;
	const uint32_t *todo;
	size_t n_todo, first, stride;
};

static void *inflight_thread(void *arg)
{
	const struct inflight_reads *r = arg;
	size_t i;

	for (i = r->first; i < r->n_todo; i += r->stride)
		read_inflight(r->b, &r->pending[r->todo[i]], &r->facts[r->todo[i]]);
	return NULL;
}

#define INFLIGHT_PER_THREAD 4	/* fewer reads cost less than a thread */

/* Reads the todo facts' fdinfo, on as many threads as the scan uses. */
static void read_all_inflight(const struct builder *b, const struct pending_socket *pending,
			      struct socket_fact *facts, const uint32_t *todo, size_t n_todo)
{
	struct inflight_reads reads[BUILD_THREADS_MAX];
	pthread_t threads[BUILD_THREADS_MAX];
	size_t wanted = builder_threads(b), n = 1, started, k;

	while (n < wanted && n * INFLIGHT_PER_THREAD < n_todo)
		n++;
	for (k = 0; k < n; k++)
		reads[k] = (struct inflight_reads){ b, pending, facts, todo, n_todo, k, n };
	/* The calling thread takes share 0 and any whose thread did not start. */
	for (k = 1; k < n; k++)
		if (pthread_create(&threads[k], NULL, inflight_thread, &reads[k]) != 0)
			break;
	started = k;
	inflight_thread(&reads[0]);
	for (; k < n; k++)
		inflight_thread(&reads[k]);
	for (k = 1; k < started; k++)
		pthread_join(threads[k], NULL);
}

/* The kind and record of each pending socket, and its fds in flight. */
static int find_facts(struct socket_resolve *s, const struct socket_state *state,
		      struct socket_fact *facts)
{
	uint32_t *todo = malloc((state->n_pending + 1) * sizeof(*todo));
	size_t i, n_todo = 0;

	if (!todo)
		return -ENOMEM;
	for (i = 0; i < state->n_pending; i++) {
		const struct pending_socket *p = &state->pending[i];
		struct socket_fact *f = &facts[i];

		f->l = find_ino(s, p->ino);
		f->kind = f->l ? (int)kind_of_record(f->l->rec) : kind_of_unlisted(s->b, p);
		f->has_inflight = false;
		if (f->kind != IPC_UNIX)
			continue;
		/* A stream socket carries fds only with data, so an empty
		 * queue (or a listener's, which holds connections) has none
		 * and costs no fdinfo read. */
		if (f->l && f->l->rec->type == SOCK_STREAM &&
		    (f->l->rec->state == TCP_LISTEN || f->l->rec->rqueue == 0)) {
			f->has_inflight = true;
			f->inflight = 0;
		} else {
			todo[n_todo++] = (uint32_t)i;
		}
	}
	read_all_inflight(s->b, state->pending, facts, todo, n_todo);
	free(todo);
	return 0;
}

static int add_endpoint(struct socket_resolve *s, const struct pending_socket *p,
			const struct socket_fact *fact)
{
	struct builder *b = s->b;
	const struct located *l = fact->l;
	struct ipc_endpoint ep = {
		.process = p->process, .fd = p->fd, .id = p->ino,
		.access = IPC_ACCESS_R | IPC_ACCESS_W, .object = { 0, p->ino },
	};
	struct socket_detail *detail;
	long index;

	if (fact->kind < 0)
		return 0;	/* bluetooth..., vsock without vsock_diag: not ours */
	detail = arena_alloc(b->arena, sizeof(*detail));
	if (!detail)
		return -ENOMEM;
	detail->netns = l ? l->netns : p->netns;
	if (l) {
		detail->known = true;
		detail->rec = *l->rec;
		detail->rec.icons = NULL;
	}
	detail->has_inflight = fact->has_inflight;
	detail->inflight = fact->inflight;
	ep.kind = (uint8_t)fact->kind;
	ep.detail = detail;
	index = builder_add_endpoint(b, &ep);
	if (index < 0)
		return (int)index;
	s->holders[s->n_holders++] = (struct holder){ p->ino, (uint32_t)index };
	return 0;
}

/* UNIX_DIAG_PEER both ways; a listener and the clients of its queued
 * connections (ICONS names the clients). */
static int link_unix(struct socket_resolve *s)
{
	size_t i, k;
	int r;

	for (i = 0; i < s->n_located; i++) {
		const struct sock_record *rec = s->by_ino[i].rec;

		if (rec->family != AF_UNIX || !has_holders(s, rec->ino))
			continue;
		if (rec->peer_ino && (r = link_sockets(s, rec->ino, rec->peer_ino)) < 0)
			return r;
		for (k = 0; k < rec->n_icons; k++)
			if ((r = link_sockets(s, rec->ino, rec->icons[k])) < 0)
				return r;
	}
	return 0;
}

static bool is_loopback(const uint8_t addr[16])
{
	static const uint8_t v6_loopback[16] = { [15] = 1 };
	static const uint8_t v4_mapped[12] = { [10] = 0xff, [11] = 0xff };

	return memcmp(addr, v6_loopback, 16) == 0 ||
	       (memcmp(addr, v4_mapped, 12) == 0 && addr[12] == 127);
}

static bool is_wildcard_for(const uint8_t bound[16], const uint8_t remote[16])
{
	static const uint8_t any6[16], any4[16] = { [10] = 0xff, [11] = 0xff };
	static const uint8_t v4_mapped[12] = { [10] = 0xff, [11] = 0xff };

	/* :: takes v4 too (unless v6only, which the dump does not tell). */
	return memcmp(bound, any6, 16) == 0 ||
	       (memcmp(bound, any4, 16) == 0 && memcmp(remote, v4_mapped, 12) == 0);
}

/* The sockets whose key is the mirror of l's, in namespace netns. */
static const struct located *find_mirror(const struct socket_resolve *s, const struct located *l,
					 uint64_t netns, size_t *count)
{
	struct pair_key want;
	size_t lo = 0, hi = s->n_pairs, end;

	pair_key_of(l, true, &want);
	want.netns = netns;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (compare_pair_key(&s->pair_keys[mid], &want) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	for (end = lo; end < s->n_pairs && compare_pair_key(&s->pair_keys[end], &want) == 0; end++)
		;
	*count = end - lo;
	return &s->by_pair[lo];
}

/* Namespace, protocol, local port: what link_bound looks bound sockets
 * up by. */
static int bound_order(uint64_t netns, uint8_t protocol, uint16_t port, const struct located *b)
{
	int c = compare_u64(netns, b->netns);

	if (c)
		return c;
	if (protocol != b->rec->protocol)
		return protocol < b->rec->protocol ? -1 : 1;
	return (port > b->rec->local_port) - (port < b->rec->local_port);
}

static int compare_bound(const void *x, const void *y)
{
	const struct located *a = *(const struct located *const *)x;

	return bound_order(a->netns, a->rec->protocol, a->rec->local_port,
			   *(const struct located *const *)y);
}

/* Indexes the sockets link_bound may link to (see socket_resolve.bound);
 * the holders must be sorted. */
static int index_bound(struct socket_resolve *s)
{
	size_t i;

	s->bound = malloc((s->n_pairs + 1) * sizeof(*s->bound));
	if (!s->bound)
		return -ENOMEM;
	for (i = 0; i < s->n_pairs; i++) {
		const struct sock_record *b = s->by_pair[i].rec;

		if (b->remote_port == 0 && (b->protocol != IPPROTO_TCP || b->state == TCP_LISTEN) &&
		    has_holders(s, b->ino))
			s->bound[s->n_bound++] = &s->by_pair[i];
	}
	qsort(s->bound, s->n_bound, sizeof(*s->bound), compare_bound);
	return 0;
}

/* The far side has no fd (still in the accept queue) or is an unconnected
 * server: the bound sockets whose local address is our remote.  Returns
 * how many were linked. */
static int link_bound(struct socket_resolve *s, const struct located *l, uint8_t remote[16])
{
	const struct sock_record *rec = l->rec;
	uint8_t local[16], own[16];
	size_t lo = 0, hi = s->n_bound, i;
	int r, linked = 0;
	/* A wildcard takes only a remote that is an address of this
	 * namespace: loopback, or our own local address (connecting to a
	 * local address picks it as the source).  Else a client of a remote
	 * host would pair with a local server on the same port. */
	bool remote_is_local;

	address16(rec, rec->local_addr, own);
	remote_is_local = is_loopback(remote) || memcmp(remote, own, 16) == 0;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (bound_order(l->netns, rec->protocol, rec->remote_port, s->bound[mid]) > 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	for (i = lo; i < s->n_bound &&
		     bound_order(l->netns, rec->protocol, rec->remote_port, s->bound[i]) == 0; i++) {
		const struct sock_record *b = s->bound[i]->rec;

		address16(b, b->local_addr, local);
		if (memcmp(local, remote, 16) != 0 &&
		    !(remote_is_local && is_wildcard_for(local, remote)))
			continue;
		if ((r = link_sockets(s, rec->ino, b->ino)) < 0)
			return r;
		linked++;
	}
	return linked;
}

/* The one socket with holders whose address pair mirrors l's in another
 * namespace than l's; NULL when there is none or more than one. */
static const struct located *cross_mirror(const struct socket_resolve *s,
					  const struct located *l)
{
	const struct located *mirror, *unique = NULL;
	size_t n, i, k, matches = 0;

	for (k = 0; k < s->n_refs; k++) {
		if (s->refs[k].ino == l->netns)
			continue;
		mirror = find_mirror(s, l, s->refs[k].ino, &n);
		for (i = 0; i < n; i++)
			if (has_holders(s, mirror[i].rec->ino)) {
				unique = &mirror[i];
				matches++;
			}
	}
	return matches == 1 ? unique : NULL;
}

static int link_inet_one(struct socket_resolve *s, const struct located *l)
{
	const struct sock_record *rec = l->rec;
	const struct located *mirror, *unique, *back;
	uint8_t local[16], remote[16];
	size_t n, i, matches = 0;
	bool waiting = false;
	int r;

	if (!rec->remote_port || (rec->protocol == IPPROTO_TCP && rec->state == TCP_LISTEN))
		return 0;
	mirror = find_mirror(s, l, l->netns, &n);
	for (i = 0; i < n; i++) {
		if (has_holders(s, mirror[i].rec->ino)) {
			if ((r = link_sockets(s, rec->ino, mirror[i].rec->ino)) < 0)
				return r;
			matches++;
		} else if (mirror[i].rec->state == TCP_ESTABLISHED ||
			   mirror[i].rec->state == TCP_SYN_RECV) {
			waiting = true;		/* accepted by the kernel, not by the server */
		}
	}
	if (matches)
		return 0;
	address16(rec, rec->remote_addr, remote);
	if (n == 0 || waiting) {
		r = link_bound(s, l, remote);
		if (r != 0)
			return r < 0 ? r : 0;
	}
	/* Across namespaces, only a unique match between real addresses:
	 * unique from both sides, or two candidates in two namespaces would
	 * each see l as their only match and both be linked to it. */
	address16(rec, rec->local_addr, local);
	if (n || is_loopback(remote) || is_loopback(local))
		return 0;
	unique = cross_mirror(s, l);
	if (!unique)
		return 0;
	find_mirror(s, unique, unique->netns, &n);
	back = cross_mirror(s, unique);
	if (n || !back || back->rec != rec)
		return 0;
	return link_sockets(s, rec->ino, unique->rec->ino);
}

static int link_inet(struct socket_resolve *s)
{
	size_t i;
	int r;

	for (i = 0; i < s->n_pairs; i++)
		if (has_holders(s, s->by_pair[i].rec->ino) &&
		    (r = link_inet_one(s, &s->by_pair[i])) < 0)
			return r;
	return 0;
}

/* A netlink socket by what its peers name it by. */
struct nl_port {
	uint64_t netns;
	uint32_t protocol, portid;
	uint64_t ino;
};

static int compare_nl_port(const void *x, const void *y)
{
	const struct nl_port *a = x, *b = y;
	int c = compare_u64(a->netns, b->netns);

	if (c)
		return c;
	if ((c = compare_u64(a->protocol, b->protocol)))
		return c;
	return compare_u64(a->portid, b->portid);
}

/* A user socket whose destination port id (set by connect) is another
 * socket's port id in its protocol and namespace talks to it; 0 is the
 * kernel, never a peer.  Linked from the sender's side, so a pair
 * connected both ways is linked twice, which the builder merges. */
static int link_netlink(struct socket_resolve *s)
{
	struct nl_port *ports;
	size_t n = 0, i;
	int r = 0;

	ports = malloc((s->n_located + 1) * sizeof(*ports));
	if (!ports)
		return -ENOMEM;
	for (i = 0; i < s->n_located; i++) {
		const struct located *l = &s->by_ino[i];

		if (l->rec->family == AF_NETLINK && l->rec->nl_portid &&
		    has_holders(s, l->rec->ino))
			ports[n++] = (struct nl_port){ l->netns, l->rec->protocol,
						       l->rec->nl_portid, l->rec->ino };
	}
	qsort(ports, n, sizeof(*ports), compare_nl_port);
	for (i = 0; r == 0 && i < n; i++) {
		const struct sock_record *rec = find_ino(s, ports[i].ino)->rec;
		struct nl_port want = { ports[i].netns, ports[i].protocol, rec->nl_dst_portid, 0 };
		const struct nl_port *to;

		if (!rec->nl_dst_portid || rec->nl_dst_portid == rec->nl_portid)
			continue;
		/* port ids are unique per protocol and namespace */
		to = bsearch(&want, ports, n, sizeof(*ports), compare_nl_port);
		if (to)
			r = link_sockets(s, ports[i].ino, to->ino);
	}
	free(ports);
	return r;
}

/* A connected vsock socket by its address pair. */
struct vm_pair {
	uint32_t local_port, remote_port, local_cid, remote_cid;
	uint64_t ino;
};

static int compare_vm_ports(const struct vm_pair *a, uint32_t local_port, uint32_t remote_port)
{
	int c = compare_u64(a->local_port, local_port);

	return c ? c : compare_u64(a->remote_port, remote_port);
}

static int compare_vm_pair(const void *x, const void *y)
{
	const struct vm_pair *b = y;

	return compare_vm_ports(x, b->local_port, b->remote_port);
}

/* A socket bound to VMADDR_CID_ANY keeps that as its local cid (a
 * loopback client does): it stands for every cid of the host. */
static bool vm_cid_match(uint32_t a, uint32_t b)
{
	return a == b || a == VMADDR_CID_ANY || b == VMADDR_CID_ANY;
}

/* vsock addresses are the host's, not a namespace's: a connected socket
 * talks to the one, in any namespace, whose local (cid, port) is its
 * remote and whose remote is its local.  Each pair is linked once, from
 * its lower inode. */
static int link_vsock(struct socket_resolve *s)
{
	struct vm_pair *pairs;
	size_t n = 0, i, lo, hi;
	int r = 0;

	pairs = malloc((s->n_located + 1) * sizeof(*pairs));
	if (!pairs)
		return -ENOMEM;
	for (i = 0; i < s->n_located; i++) {
		const struct sock_record *rec = s->by_ino[i].rec;

		if (rec->family == AF_VSOCK && rec->state != TCP_LISTEN &&
		    rec->vm_remote_port != VMADDR_PORT_ANY && rec->vm_remote_cid != VMADDR_CID_ANY &&
		    has_holders(s, rec->ino))
			pairs[n++] = (struct vm_pair){ rec->vm_local_port, rec->vm_remote_port,
						       rec->vm_local_cid, rec->vm_remote_cid, rec->ino };
	}
	qsort(pairs, n, sizeof(*pairs), compare_vm_pair);
	for (i = 0; r == 0 && i < n; i++) {
		const struct vm_pair *a = &pairs[i];

		/* the first whose ports mirror a's */
		for (lo = 0, hi = n; lo < hi;) {
			size_t mid = lo + (hi - lo) / 2;

			if (compare_vm_ports(&pairs[mid], a->remote_port, a->local_port) < 0)
				lo = mid + 1;
			else
				hi = mid;
		}
		for (; r == 0 && lo < n && !compare_vm_ports(&pairs[lo], a->remote_port, a->local_port);
		     lo++)
			if (a->ino < pairs[lo].ino && vm_cid_match(a->local_cid, pairs[lo].remote_cid) &&
			    vm_cid_match(a->remote_cid, pairs[lo].local_cid))
				r = link_sockets(s, a->ino, pairs[lo].ino);
	}
	free(pairs);
	return r;
}

/* What needs the scan's results, but neither the builder's arena nor its
 * endpoints, which the other modules' resolves add to meanwhile: the
 * dumps of every namespace, and each pending socket's facts (its fdinfo
 * reads included). */
static int socket_prepare(struct socket_state *state)
{
	struct socket_resolve *s = state->s;
	int r = dump_namespaces(s, state);

	if (r < 0)
		return r;
	s->holders = malloc(state->n_pending * sizeof(*s->holders));
	state->facts = malloc(state->n_pending * sizeof(*state->facts));
	return s->holders && state->facts ? find_facts(s, state, state->facts) : -ENOMEM;
}

static void *preparer_main(void *arg)
{
	struct socket_state *state = arg;

	state->prepared = socket_prepare(state);
	return NULL;
}

static int socket_resolve_start(struct builder *b)
{
	struct socket_state *state = builder_state(b, &socket_module);

	if (!state->n_pending)
		return 0;
	state->s = calloc(1, sizeof(*state->s));
	if (!state->s)
		return -ENOMEM;
	state->s->b = b;
	state->s->ahead = state->ahead;
	/* Without a thread, socket_resolve prepares on its own. */
	state->preparing = pthread_create(&state->preparer, NULL, preparer_main, state) == 0;
	return 0;
}

static void release_resolve(struct socket_state *state)
{
	struct socket_resolve *s = state->s;
	size_t i;

	free(state->facts);
	state->facts = NULL;
	if (!s)
		return;
	for (i = 0; i < s->n_refs; i++)
		sock_list_free(&s->lists[i]);
	free(s->lists);
	free(s->refs);
	free(s->by_ino);
	free(s->by_pair);
	free(s->pair_keys);
	free(s->holders);
	free(s->bound);
	free(s);
	state->s = NULL;
}

static int socket_resolve(struct builder *b)
{
	struct socket_state *state = builder_state(b, &socket_module);
	struct socket_resolve *s = state->s;
	size_t i;
	int r;

	if (!s)
		return 0;	/* no socket */
	if (state->preparing) {
		pthread_join(state->preparer, NULL);
		state->preparing = false;
		r = state->prepared;
	} else {
		r = socket_prepare(state);
	}
	builder_mark(b, "sockets: prepared");
	for (i = 0; r == 0 && i < state->n_pending; i++)
		r = add_endpoint(s, &state->pending[i], &state->facts[i]);
	builder_mark(b, "sockets: endpoints");
	if (r == 0) {
		qsort(s->holders, s->n_holders, sizeof(*s->holders), compare_holder);
		r = link_unix(s);
	}
	if (r == 0)
		r = index_bound(s);
	if (r == 0)
		r = link_inet(s);
	if (r == 0)
		r = link_netlink(s);
	if (r == 0)
		r = link_vsock(s);
	builder_mark(b, "sockets: links");
	release_resolve(state);
	return r;
}

static const char *state_name(const struct socket_detail *d)
{
	static const char *const tcp[] = {
		[TCP_ESTABLISHED] = "established", [TCP_SYN_SENT] = "syn-sent",
		[TCP_SYN_RECV] = "syn-recv", [TCP_FIN_WAIT1] = "fin-wait-1",
		[TCP_FIN_WAIT2] = "fin-wait-2", [TCP_TIME_WAIT] = "time-wait",
		[TCP_CLOSE] = "close", [TCP_CLOSE_WAIT] = "close-wait",
		[TCP_LAST_ACK] = "last-ack", [TCP_LISTEN] = "listen", [TCP_CLOSING] = "closing",
	};

	if (!d->known)
		return "unknown";
	/* Unconnected datagram and unix sockets are CLOSE to the kernel. */
	if (d->rec.state == TCP_CLOSE && d->rec.protocol != IPPROTO_TCP)
		return "unconnected";
	if (d->rec.state < sizeof(tcp) / sizeof(tcp[0]) && tcp[d->rec.state])
		return tcp[d->rec.state];
	return "unknown";
}

static const char *socket_type_name(const struct socket_detail *d)
{
	if (!d->known)
		return "unknown";
	switch (d->rec.type) {
	case SOCK_STREAM: return "stream";
	case SOCK_DGRAM: return "dgram";
	case SOCK_SEQPACKET: return "seqpacket";
	default: return "unknown";
	}
}

/* The path field: "path", "@abstract", absent for an unnamed socket. */
static void unix_path_field(const struct sock_record *rec, struct ipc_field_sink *sink)
{
	char text[sizeof(rec->path) + 1];
	size_t n = strnlen(rec->path, rec->path_len);

	if (!rec->path_len) {
		field_none(sink, "path");
	} else if (rec->path[0] == '\0') {
		/* Abstract: every byte counts, NULs included. */
		text[0] = '@';
		memcpy(text + 1, rec->path + 1, rec->path_len - 1u);
		field_bytes(sink, "path", IPC_DETAIL_VALUE, text, rec->path_len);
	} else {
		field_bytes(sink, "path", IPC_DETAIL_VALUE, rec->path, n);
	}
}

#define ADDRESS_MAX (INET6_ADDRSTRLEN + 8)	/* "[addr]:port" */

/* "a.b.c.d:port" or "[v6]:port" into text (ADDRESS_MAX bytes). */
static void address_text(const struct sock_record *rec, const uint8_t *addr, uint16_t port,
			 char *text)
{
	char *p = text;
	int i;

	/* v4 by hand, as inet_ntop writes it, and the port: two addresses
	 * in every inet row of the channels table. */
	if (rec->family == AF_INET6) {
		*p++ = '[';
		inet_ntop(AF_INET6, addr, p, INET6_ADDRSTRLEN);
		p += strlen(p);
		*p++ = ']';
	} else {
		for (i = 0; i < 4; i++) {
			if (i)
				*p++ = '.';
			if (addr[i] >= 100)
				*p++ = (char)('0' + addr[i] / 100);
			if (addr[i] >= 10)
				*p++ = (char)('0' + addr[i] / 10 % 10);
			*p++ = (char)('0' + addr[i] % 10);
		}
	}
	*p++ = ':';
	p += port >= 10000 ? 5 : port >= 1000 ? 4 : port >= 100 ? 3 : port >= 10 ? 2 : 1;
	*p = '\0';
	do
		*--p = (char)('0' + port % 10);
	while ((port /= 10));
}

/* Netlink protocol names as linux/netlink.h spells them, lower case;
 * another protocol as its number. */
static void netlink_protocol_field(const struct sock_record *rec, struct ipc_field_sink *sink)
{
	static const char *const names[] = {
		[NETLINK_ROUTE] = "route", [NETLINK_UNUSED] = "unused",
		[NETLINK_USERSOCK] = "usersock", [NETLINK_FIREWALL] = "firewall",
		[NETLINK_SOCK_DIAG] = "sock_diag", [NETLINK_NFLOG] = "nflog",
		[NETLINK_XFRM] = "xfrm", [NETLINK_SELINUX] = "selinux",
		[NETLINK_ISCSI] = "iscsi", [NETLINK_AUDIT] = "audit",
		[NETLINK_FIB_LOOKUP] = "fib_lookup", [NETLINK_CONNECTOR] = "connector",
		[NETLINK_NETFILTER] = "netfilter", [NETLINK_IP6_FW] = "ip6_fw",
		[NETLINK_DNRTMSG] = "dnrtmsg", [NETLINK_KOBJECT_UEVENT] = "kobject_uevent",
		[NETLINK_GENERIC] = "generic", [NETLINK_SCSITRANSPORT] = "scsitransport",
		[NETLINK_ECRYPTFS] = "ecryptfs", [NETLINK_RDMA] = "rdma",
		[NETLINK_CRYPTO] = "crypto", [NETLINK_SMC] = "smc",
	};

	if (rec->protocol < sizeof(names) / sizeof(names[0]) && names[rec->protocol])
		field_text(sink, "protocol", IPC_DETAIL_VALUE, names[rec->protocol]);
	else
		field_u64(sink, "protocol", IPC_DETAIL_VALUE, rec->protocol);
}

/* The groups as their numbers (group g is bit g-1, as bind's nl_groups
 * and NETLINK_ADD_MEMBERSHIP count them), comma separated; "-" for none. */
static void netlink_groups_field(const struct sock_record *rec, struct ipc_field_sink *sink)
{
	char text[32 * 4 * 4 + 8], *p = text;
	unsigned g;

	for (g = 0; g < 32 * 4; g++)
		if (rec->nl_groups[g / 32] >> (g % 32) & 1)
			p += sprintf(p, p == text ? "%u" : ",%u", g + 1);
	if (rec->nl_groups_more)
		strcpy(p, p == text ? "..." : ",...");
	else if (p == text)
		strcpy(p, "-");
	field_text(sink, "groups", IPC_DETAIL_KEYED, text);
}

static void netlink_fields(const struct socket_detail *d, struct ipc_field_sink *sink)
{
	const struct sock_record *rec = &d->rec;

	if (!d->known) {
		field_none(sink, "protocol");
		field_none(sink, "portid");
		field_none(sink, "dst_portid");
		field_none(sink, "groups");
		return;
	}
	netlink_protocol_field(rec, sink);
	field_u64(sink, "portid", IPC_DETAIL_KEYED, rec->nl_portid);
	field_u64(sink, "dst_portid", IPC_DETAIL_KEYED, rec->nl_dst_portid);
	netlink_groups_field(rec, sink);
}

/* Type; the ethertype by name where it is a common one, else 0xNNNN; the
 * interface index (the names are the namespace's, which ipcfs may not be
 * in), "*" for every interface. */
static void packet_fields(const struct socket_detail *d, struct ipc_field_sink *sink)
{
	const struct sock_record *rec = &d->rec;
	char text[8];

	if (!d->known) {
		field_none(sink, "type");
		field_none(sink, "protocol");
		field_none(sink, "interface");
		return;
	}
	field_text(sink, "type", IPC_DETAIL_VALUE,
		   rec->type == SOCK_RAW ? "raw" : rec->type == SOCK_DGRAM ? "dgram" : "unknown");
	switch (rec->ethertype) {
	case 0x0003: strcpy(text, "all"); break;
	case 0x0800: strcpy(text, "ip"); break;
	case 0x0806: strcpy(text, "arp"); break;
	case 0x86dd: strcpy(text, "ipv6"); break;
	case 0x0000: strcpy(text, "none"); break;	/* receives nothing until bound */
	default: snprintf(text, sizeof(text), "0x%04x", rec->ethertype);
	}
	field_text(sink, "protocol", IPC_DETAIL_VALUE, text);
	if (rec->ifindex)
		field_u64(sink, "interface", IPC_DETAIL_VALUE, rec->ifindex);
	else
		field_text(sink, "interface", IPC_DETAIL_VALUE, "*");
}

/* The protocol by name where it is a common one, else its number; the
 * addresses without port. */
static void raw_fields(const struct socket_detail *d, struct ipc_field_sink *sink)
{
	const struct sock_record *rec = &d->rec;
	const char *name = NULL;
	char text[INET6_ADDRSTRLEN];

	if (!d->known) {
		field_none(sink, "protocol");
		field_none(sink, "local");
		field_none(sink, "remote");
		return;
	}
	switch (rec->protocol) {
	case IPPROTO_ICMP: name = "icmp"; break;
	case IPPROTO_ICMPV6: name = "icmpv6"; break;
	case IPPROTO_TCP: name = "tcp"; break;
	case IPPROTO_UDP: name = "udp"; break;
	case IPPROTO_RAW: name = "raw"; break;
	}
	if (name)
		field_text(sink, "protocol", IPC_DETAIL_VALUE, name);
	else
		field_u64(sink, "protocol", IPC_DETAIL_VALUE, rec->protocol);
	inet_ntop(rec->family, rec->local_addr, text, sizeof(text));
	field_text(sink, "local", IPC_DETAIL_VALUE, text);
	inet_ntop(rec->family, rec->remote_addr, text, sizeof(text));
	field_text(sink, "remote", IPC_DETAIL_VALUE, text);
}

static void unix_fields(const struct socket_detail *d, struct ipc_field_sink *sink)
{
	const struct sock_record *rec = &d->rec;

	field_text(sink, "type", IPC_DETAIL_VALUE, socket_type_name(d));
	field_text(sink, "state", IPC_DETAIL_VALUE, state_name(d));
	unix_path_field(rec, sink);
	field_u64_known(sink, "peer_id", IPC_DETAIL_NO, d->known && rec->peer_ino, rec->peer_ino);
	/* A listener's rqueue is its accept queue. */
	field_u64_known(sink, "rqueue", IPC_DETAIL_NO, d->known, rec->rqueue);
	field_u64_known(sink, "wqueue", IPC_DETAIL_NO, d->known, rec->wqueue);
	field_u64_known(sink, "pending", IPC_DETAIL_NO, d->known, rec->n_icons);
	field_u64_known(sink, "inflight", IPC_DETAIL_NO, d->has_inflight, d->inflight);
}

/* tcp and udp: the address pair, then the state, as DETAIL shows them;
 * tcp's counters, "-" where the kernel's tcp_info did not reach them. */
static void inet_fields(const struct ipc_endpoint *ep, const struct socket_detail *d,
			struct ipc_field_sink *sink)
{
	static const char *const counters[SOCK_TCP_COUNTERS] = {
		[SOCK_TCP_BYTES_SENT] = "bytes_sent", [SOCK_TCP_BYTES_RECEIVED] = "bytes_received",
		[SOCK_TCP_SEGS_OUT] = "segs_out", [SOCK_TCP_SEGS_IN] = "segs_in",
		[SOCK_TCP_RETRANS] = "retrans", [SOCK_TCP_RTT_US] = "rtt_us",
		[SOCK_TCP_LAST_SEND_MS] = "last_send_ms", [SOCK_TCP_LAST_RECV_MS] = "last_recv_ms",
	};
	const struct sock_record *rec = &d->rec;
	char text[ADDRESS_MAX];
	int c;

	if (d->known) {
		address_text(rec, rec->local_addr, rec->local_port, text);
		field_text(sink, "local", IPC_DETAIL_VALUE, text);
		address_text(rec, rec->remote_addr, rec->remote_port, text);
		field_text(sink, "remote", IPC_DETAIL_VALUE, text);
	} else {
		field_none(sink, "local");
		field_none(sink, "remote");
	}
	field_text(sink, "state", IPC_DETAIL_VALUE, state_name(d));
	field_u64_known(sink, "rqueue", IPC_DETAIL_NO, d->known, rec->rqueue);
	field_u64_known(sink, "wqueue", IPC_DETAIL_NO, d->known, rec->wqueue);
	if (ep->kind == IPC_TCP4 || ep->kind == IPC_TCP6)
		for (c = 0; c < SOCK_TCP_COUNTERS; c++)
			field_u64_known(sink, counters[c], IPC_DETAIL_NO,
					d->known && (rec->tcp_have >> c & 1), rec->tcp[c]);
}

/* "cid:port", each "*" when unset (VMADDR_CID_ANY, VMADDR_PORT_ANY). */
static void vsock_address_field(const char *key, uint32_t cid, uint32_t port,
				struct ipc_field_sink *sink)
{
	char text[24];
	int n = cid == VMADDR_CID_ANY ? snprintf(text, sizeof(text), "*:")
				      : snprintf(text, sizeof(text), "%" PRIu32 ":", cid);

	if (port == VMADDR_PORT_ANY)
		snprintf(text + n, sizeof(text) - (size_t)n, "*");
	else
		snprintf(text + n, sizeof(text) - (size_t)n, "%" PRIu32, port);
	field_text(sink, key, IPC_DETAIL_VALUE, text);
}

/* Always from a dump: without vsock_diag there is no vsock endpoint. */
static void vsock_fields(const struct socket_detail *d, struct ipc_field_sink *sink)
{
	const struct sock_record *rec = &d->rec;

	field_text(sink, "type", IPC_DETAIL_VALUE, socket_type_name(d));
	field_text(sink, "state", IPC_DETAIL_VALUE, state_name(d));
	vsock_address_field("local", rec->vm_local_cid, rec->vm_local_port, sink);
	vsock_address_field("remote", rec->vm_remote_cid, rec->vm_remote_port, sink);
}

static void socket_fields(const struct ipc_snapshot *snap, const struct ipc_endpoint *ep,
			  struct ipc_field_sink *sink)
{
	const struct socket_detail *d = ep->detail;

	(void)snap;
	switch (ep->kind) {
	case IPC_UNIX:
		unix_fields(d, sink);
		return;	/* unix info names no namespace */
	case IPC_NETLINK:
		netlink_fields(d, sink);
		break;
	case IPC_PACKET:
		packet_fields(d, sink);
		break;
	case IPC_RAW:
		raw_fields(d, sink);
		break;
	case IPC_VSOCK:
		vsock_fields(d, sink);
		break;
	default:
		inet_fields(ep, d, sink);
		break;
	}
	field_u64(sink, "netns", IPC_DETAIL_NO, d->netns);
}

const struct kind_module socket_module = {
	.name = "sockets",
	.begin = socket_begin,
	.resolve_start = socket_resolve_start,
	.probe_fd = socket_probe_fd,
	.add_fd = socket_add_fd,
	.resolve = socket_resolve,
	.finish = socket_finish,
	.fields = socket_fields,
	.state_size = sizeof(struct socket_state),
};
