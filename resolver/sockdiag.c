/* sock_diag dumps (AF_UNIX, AF_INET/AF_INET6 x TCP/UDP, AF_NETLINK,
 * AF_PACKET, AF_VSOCK) through libmnl,
 * parsed into flat sock_records.  The parser trusts nothing in the bytes:
 * every length is checked against the buffer before it is used, so
 * recorded or patched fixtures can be fed to it directly. */
#include "ipcfs/sockdiag.h"

#include <errno.h>
#include <limits.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/sysmacros.h>

#include <libmnl/libmnl.h>
#include <linux/inet_diag.h>
#include <linux/tcp.h>
#include <linux/netlink.h>
#include <linux/netlink_diag.h>
#include <linux/packet_diag.h>
#include <linux/sock_diag.h>
#include <linux/unix_diag.h>
#include <linux/vm_sockets_diag.h>

#include "array.h"

/* The kernel builds dump skbs of at most 32 KiB; a smaller buffer would
 * truncate them (MSG_TRUNC). libmnl >= 1.0.5 calls this
 * MNL_SOCKET_DUMP_SIZE; Debian 12 ships 1.0.4. */
#define SOCKDIAG_BUF_SIZE 32768

/* DUMP_INTR means the tables changed under the dump; a retry normally
 * succeeds at once, so a few attempts are plenty. */
#define SOCKDIAG_ATTEMPTS 4

/* Only the attributes we read; later ones (MEMINFO, UID...) are ignored. */
#define UNIX_ATTR_MAX UNIX_DIAG_RQLEN

void sock_list_free(struct sock_list *list)
{
	for (size_t i = 0; i < list->count; i++)
		free(list->items[i].icons);
	free(list->items);
	list->items = NULL;
	list->count = list->capacity = 0;
}

/* Drops the records appended after the first `count` (a failed attempt). */
static void sock_list_truncate(struct sock_list *list, size_t count)
{
	for (size_t i = count; i < list->count; i++)
		free(list->items[i].icons);
	list->count = count;
}

/* Returns a zeroed record at the end of list, or NULL when out of memory. */
static struct sock_record *sock_list_append(struct sock_list *list)
{
	if (array_reserve(list->items, list->capacity, list->count + 1) < 0)
		return NULL;
	struct sock_record *rec = &list->items[list->count++];
	memset(rec, 0, sizeof(*rec));
	return rec;
}

/* Keeps the last well-formed instance of each attribute we know; an
 * attribute whose length does not fit its type is left out. */
static int unix_attr_cb(const struct nlattr *attr, void *data)
{
	const struct nlattr **tb = data;
	uint16_t type = mnl_attr_get_type(attr);
	uint16_t len = mnl_attr_get_payload_len(attr);
	bool ok;

	switch (type) {
	case UNIX_DIAG_NAME:
		/* sun_path without the family: a path of 108 bytes comes
		 * with its NUL (see parse_unix) */
		ok = len > 0 && len <= sizeof(((struct sock_record *)0)->path);
		break;
	case UNIX_DIAG_VFS:
		ok = mnl_attr_validate2(attr, MNL_TYPE_UNSPEC,
					sizeof(struct unix_diag_vfs)) == 0;
		break;
	case UNIX_DIAG_PEER:
		ok = mnl_attr_validate(attr, MNL_TYPE_U32) == 0;
		break;
	case UNIX_DIAG_ICONS:
		ok = len % sizeof(uint32_t) == 0;
		break;
	case UNIX_DIAG_RQLEN:
		ok = mnl_attr_validate2(attr, MNL_TYPE_UNSPEC,
					sizeof(struct unix_diag_rqlen)) == 0;
		break;
	default:
		ok = false;
	}
	if (ok)
		tb[type] = attr;
	return MNL_CB_OK;
}

static int parse_unix(const uint8_t *payload, size_t len, struct sock_list *list)
{
	struct unix_diag_msg msg;
	const struct nlattr *tb[UNIX_ATTR_MAX + 1] = { 0 };
	size_t hdr = NLMSG_ALIGN(sizeof(msg));
	uint32_t *icons = NULL;
	uint32_t n_icons = 0;

	if (len < sizeof(msg))
		return 0;
	memcpy(&msg, payload, sizeof(msg));
	if (len > hdr)
		mnl_attr_parse_payload(payload + hdr, len - hdr, unix_attr_cb, tb);

	if (tb[UNIX_DIAG_ICONS]) {
		n_icons = mnl_attr_get_payload_len(tb[UNIX_DIAG_ICONS]) / sizeof(uint32_t);
		if (n_icons) {
			icons = malloc(n_icons * sizeof(uint32_t));
			if (!icons)
				return -ENOMEM;
			memcpy(icons, mnl_attr_get_payload(tb[UNIX_DIAG_ICONS]),
			       n_icons * sizeof(uint32_t));
		}
	}
	struct sock_record *rec = sock_list_append(list);
	if (!rec) {
		free(icons);
		return -ENOMEM;
	}
	rec->ino = msg.udiag_ino;
	rec->family = AF_UNIX;
	rec->type = msg.udiag_type;
	rec->state = msg.udiag_state;
	rec->icons = icons;
	rec->n_icons = n_icons;

	if (tb[UNIX_DIAG_NAME]) {
		const char *name = mnl_attr_get_payload(tb[UNIX_DIAG_NAME]);
		uint16_t n = mnl_attr_get_payload_len(tb[UNIX_DIAG_NAME]);

		/* A filesystem path comes with its terminating NUL (and the
		 * kernel may count more); an abstract name is all n bytes. */
		if (name[0] != '\0')
			n = strnlen(name, n);
		/* Either way at most 108 bytes, sun_path's size. */
		if (n < sizeof(rec->path)) {
			memcpy(rec->path, name, n);
			rec->path[n] = '\0';
			rec->path_len = n;
		}
	}
	if (tb[UNIX_DIAG_VFS]) {
		struct unix_diag_vfs vfs;

		memcpy(&vfs, mnl_attr_get_payload(tb[UNIX_DIAG_VFS]), sizeof(vfs));
		rec->has_vfs = true;
		rec->vfs_ino = vfs.udiag_vfs_ino;
		/* The kernel sends its internal dev_t (major << 20 | minor);
		 * re-encode it so it compares with st_dev. */
		rec->vfs_dev = makedev(vfs.udiag_vfs_dev >> 20,
				       vfs.udiag_vfs_dev & 0xfffff);
	}
	if (tb[UNIX_DIAG_PEER])
		rec->peer_ino = mnl_attr_get_u32(tb[UNIX_DIAG_PEER]);
	if (tb[UNIX_DIAG_RQLEN]) {
		struct unix_diag_rqlen rql;

		memcpy(&rql, mnl_attr_get_payload(tb[UNIX_DIAG_RQLEN]), sizeof(rql));
		rec->rqueue = rql.udiag_rqueue;
		rec->wqueue = rql.udiag_wqueue;
	}
	return 0;
}

/* Where each counter lies in struct tcp_info, and its size. */
static const struct {
	uint16_t offset, size;
} tcp_counters[SOCK_TCP_COUNTERS] = {
#define AT(field) { offsetof(struct tcp_info, field), sizeof(((struct tcp_info *)0)->field) }
	[SOCK_TCP_BYTES_SENT] = AT(tcpi_bytes_sent),
	[SOCK_TCP_BYTES_RECEIVED] = AT(tcpi_bytes_received),
	[SOCK_TCP_SEGS_OUT] = AT(tcpi_segs_out),
	[SOCK_TCP_SEGS_IN] = AT(tcpi_segs_in),
	[SOCK_TCP_RETRANS] = AT(tcpi_total_retrans),
	[SOCK_TCP_RTT_US] = AT(tcpi_rtt),
	[SOCK_TCP_LAST_SEND_MS] = AT(tcpi_last_data_sent),
	[SOCK_TCP_LAST_RECV_MS] = AT(tcpi_last_data_recv),
#undef AT
};

/* INET_DIAG_INFO is the only attribute read; a later instance replaces
 * an earlier one. */
static int inet_attr_cb(const struct nlattr *attr, void *data)
{
	const struct nlattr **tb = data;

	if (mnl_attr_get_type(attr) == INET_DIAG_INFO)
		*tb = attr;
	return MNL_CB_OK;
}

/* The counters the tcp_info in attr reaches: as long as the kernel's
 * struct, which grew over the years, so a short one leaves the newer
 * counters out rather than being read past. */
static void parse_tcp_info(const struct nlattr *attr, struct sock_record *rec)
{
	const uint8_t *info = mnl_attr_get_payload(attr);
	size_t len = mnl_attr_get_payload_len(attr);
	uint32_t v32;
	int c;

	for (c = 0; c < SOCK_TCP_COUNTERS; c++) {
		if (len < (size_t)tcp_counters[c].offset + tcp_counters[c].size)
			continue;
		if (tcp_counters[c].size == sizeof(uint64_t)) {
			memcpy(&rec->tcp[c], info + tcp_counters[c].offset, sizeof(uint64_t));
		} else {
			memcpy(&v32, info + tcp_counters[c].offset, sizeof(v32));
			rec->tcp[c] = v32;
		}
		rec->tcp_have |= (uint8_t)(1u << c);
	}
}

static int parse_inet(const uint8_t *payload, size_t len, int protocol,
		      struct sock_list *list)
{
	struct inet_diag_msg msg;
	const struct nlattr *info = NULL;
	size_t hdr = NLMSG_ALIGN(sizeof(msg));

	if (len < sizeof(msg))
		return 0;
	memcpy(&msg, payload, sizeof(msg));
	if (protocol == IPPROTO_TCP && len > hdr)
		mnl_attr_parse_payload(payload + hdr, len - hdr, inet_attr_cb, &info);

	struct sock_record *rec = sock_list_append(list);
	if (!rec)
		return -ENOMEM;
	rec->ino = msg.idiag_inode;
	rec->family = msg.idiag_family;
	rec->protocol = protocol;
	rec->type = protocol == IPPROTO_TCP ? SOCK_STREAM : SOCK_DGRAM;
	rec->state = msg.idiag_state;
	rec->rqueue = msg.idiag_rqueue;
	rec->wqueue = msg.idiag_wqueue;
	/* AF_INET uses only the first word; the rest stays zero. */
	size_t alen = msg.idiag_family == AF_INET6 ? 16 : 4;
	memcpy(rec->local_addr, msg.id.idiag_src, alen);
	memcpy(rec->remote_addr, msg.id.idiag_dst, alen);
	rec->local_port = ntohs(msg.id.idiag_sport);
	rec->remote_port = ntohs(msg.id.idiag_dport);
	rec->ifindex = msg.id.idiag_if;
	if (info)
		parse_tcp_info(info, rec);
	return 0;
}

/* NETLINK_DIAG_GROUPS is the only attribute read; a later instance
 * replaces an earlier one, as for unix. */
static int netlink_attr_cb(const struct nlattr *attr, void *data)
{
	const struct nlattr **tb = data;

	if (mnl_attr_get_type(attr) == NETLINK_DIAG_GROUPS &&
	    mnl_attr_get_payload_len(attr) % sizeof(uint32_t) == 0)
		*tb = attr;
	return MNL_CB_OK;
}

static int parse_netlink(const uint8_t *payload, size_t len, struct sock_list *list)
{
	struct netlink_diag_msg msg;
	const struct nlattr *groups = NULL;
	size_t hdr = NLMSG_ALIGN(sizeof(msg));

	if (len < sizeof(msg))
		return 0;
	memcpy(&msg, payload, sizeof(msg));
	if (len > hdr)
		mnl_attr_parse_payload(payload + hdr, len - hdr, netlink_attr_cb, &groups);

	struct sock_record *rec = sock_list_append(list);
	if (!rec)
		return -ENOMEM;
	rec->ino = msg.ndiag_ino;
	rec->family = AF_NETLINK;
	rec->protocol = msg.ndiag_protocol;
	rec->type = msg.ndiag_type;
	rec->state = msg.ndiag_state;
	rec->nl_portid = msg.ndiag_portid;
	rec->nl_dst_portid = msg.ndiag_dst_portid;
	if (groups) {
		const uint8_t *words = mnl_attr_get_payload(groups);
		size_t n = mnl_attr_get_payload_len(groups) / sizeof(uint32_t);
		size_t keep = n < 4 ? n : 4;
		uint32_t w;

		memcpy(rec->nl_groups, words, keep * sizeof(uint32_t));
		/* only set bits past the kept words count as dropped */
		for (size_t i = keep; i < n && !rec->nl_groups_more; i++) {
			memcpy(&w, words + i * sizeof(w), sizeof(w));
			rec->nl_groups_more = w != 0;
		}
	}
	return 0;
}

/* PACKET_DIAG_INFO is the only attribute read (for its interface). */
static int packet_attr_cb(const struct nlattr *attr, void *data)
{
	const struct nlattr **tb = data;

	if (mnl_attr_get_type(attr) == PACKET_DIAG_INFO &&
	    mnl_attr_validate2(attr, MNL_TYPE_UNSPEC, sizeof(struct packet_diag_info)) == 0)
		*tb = attr;
	return MNL_CB_OK;
}

static int parse_packet(const uint8_t *payload, size_t len, struct sock_list *list)
{
	struct packet_diag_msg msg;
	const struct nlattr *info = NULL;
	size_t hdr = NLMSG_ALIGN(sizeof(msg));

	if (len < sizeof(msg))
		return 0;
	memcpy(&msg, payload, sizeof(msg));
	if (len > hdr)
		mnl_attr_parse_payload(payload + hdr, len - hdr, packet_attr_cb, &info);

	struct sock_record *rec = sock_list_append(list);
	if (!rec)
		return -ENOMEM;
	rec->ino = msg.pdiag_ino;
	rec->family = AF_PACKET;
	rec->type = msg.pdiag_type;
	rec->ethertype = msg.pdiag_num;	/* the kernel sends it in host order */
	if (info) {
		struct packet_diag_info pdi;

		memcpy(&pdi, mnl_attr_get_payload(info), sizeof(pdi));
		rec->ifindex = pdi.pdi_index;
	}
	return 0;
}

/* vsock_diag sends no attributes: the message is all there is. */
static int parse_vsock(const uint8_t *payload, size_t len, struct sock_list *list)
{
	struct vsock_diag_msg msg;

	if (len < sizeof(msg))
		return 0;
	memcpy(&msg, payload, sizeof(msg));

	struct sock_record *rec = sock_list_append(list);
	if (!rec)
		return -ENOMEM;
	rec->ino = msg.vdiag_ino;
	rec->family = AF_VSOCK;
	rec->type = msg.vdiag_type;
	rec->state = msg.vdiag_state;
	rec->vm_local_cid = msg.vdiag_src_cid;
	rec->vm_local_port = msg.vdiag_src_port;
	rec->vm_remote_cid = msg.vdiag_dst_cid;
	rec->vm_remote_port = msg.vdiag_dst_port;
	return 0;
}

/* One SOCK_DIAG_BY_FAMILY message. Messages too short for their diag
 * struct, or of a family the request did not ask for, are skipped. */
static int parse_diag(const struct nlmsghdr *nlh, int family, int protocol,
		      struct sock_list *list)
{
	const uint8_t *payload = mnl_nlmsg_get_payload(nlh);
	size_t len = mnl_nlmsg_get_payload_len(nlh);
	bool inet = family == AF_INET || family == AF_INET6;

	if (len < 1)
		return 0;
	switch (payload[0]) {
	case AF_UNIX:
		return family == AF_UNIX ? parse_unix(payload, len, list) : 0;
	case AF_INET:
	case AF_INET6:
		return inet ? parse_inet(payload, len, protocol, list) : 0;
	case AF_NETLINK:
		return family == AF_NETLINK ? parse_netlink(payload, len, list) : 0;
	case AF_PACKET:
		return family == AF_PACKET ? parse_packet(payload, len, list) : 0;
	case AF_VSOCK:
		return family == AF_VSOCK ? parse_vsock(payload, len, list) : 0;
	default:
		return 0;
	}
}

/* NLMSG_ERROR and NLMSG_DONE carry an int error first (DONE since 4.x;
 * a DONE without it is a clean end). */
static int msg_error(const struct nlmsghdr *nlh, int *err)
{
	int e;

	if (mnl_nlmsg_get_payload_len(nlh) < sizeof(e))
		return -1;
	memcpy(&e, mnl_nlmsg_get_payload(nlh), sizeof(e));
	*err = e;
	return 0;
}

/* What mnl_nlmsg_ok means to check, done unsigned: it compares
 * nlmsg_len as an int, so a length of 2 GiB or more passes it and
 * mnl_nlmsg_next then steps that far past the buffer. */
static bool msg_fits(const struct nlmsghdr *nlh, int rem)
{
	return rem >= (int)sizeof(*nlh) && nlh->nlmsg_len >= sizeof(*nlh) &&
	       nlh->nlmsg_len <= (uint32_t)rem;
}

int sockdiag_parse(const void *buf, size_t len, int protocol, struct sock_list *list)
{
	return sockdiag_parse_family(buf, len, protocol == 0 ? AF_UNIX : AF_INET, protocol,
				     list);
}

int sockdiag_parse_family(const void *buf, size_t len, int family, int protocol,
			  struct sock_list *list)
{
	bool inet = (family == AF_INET || family == AF_INET6) &&
		    (protocol == IPPROTO_TCP || protocol == IPPROTO_UDP);

	if (!inet && !(family == AF_UNIX && protocol == 0) && family != AF_NETLINK &&
	    family != AF_PACKET && family != AF_VSOCK)
		return -EINVAL;
	if (len > INT_MAX)
		return -EBADMSG;

	const struct nlmsghdr *nlh = buf;
	int rem = (int)len;
	int err;

	/* mnl_nlmsg_next steps over alignment padding, so after an unpadded
	 * last message rem goes negative: that is a clean end too. */
	for (; rem > 0; nlh = mnl_nlmsg_next(nlh, &rem)) {
		if (!msg_fits(nlh, rem))
			return -EBADMSG;
		if (nlh->nlmsg_flags & NLM_F_DUMP_INTR)
			return -EINTR;
		switch (nlh->nlmsg_type) {
		case NLMSG_DONE:
			if (msg_error(nlh, &err) == 0 && err < 0)
				return err;
			return SOCKDIAG_DONE;
		case NLMSG_ERROR:
			/* We never ask for acks: error 0 here is nonsense. */
			if (msg_error(nlh, &err) < 0 || err >= 0 || err < -4095)
				return -EBADMSG;
			return err;
		case SOCK_DIAG_BY_FAMILY:
			err = parse_diag(nlh, family, protocol, list);
			if (err < 0)
				return err;
			break;
		default:
			/* NLMSG_NOOP and anything newer: nothing for us */
			break;
		}
	}
	return SOCKDIAG_MORE;
}

/* Opens a socket that only the kernel can send to: connected to port 0,
 * so no other process can slip forged replies into the dump. */
static struct mnl_socket *open_diag_socket(void)
{
	struct sockaddr_nl kernel = { .nl_family = AF_NETLINK };
	struct mnl_socket *nl = mnl_socket_open2(NETLINK_SOCK_DIAG, SOCK_CLOEXEC);

	if (!nl)
		return NULL;
	if (connect(mnl_socket_get_fd(nl), (struct sockaddr *)&kernel,
		    sizeof(kernel)) < 0) {
		int e = errno;

		mnl_socket_close(nl);
		errno = e;
		return NULL;
	}
	return nl;
}

struct nlmsghdr *sockdiag_put_request(void *buf, int family, int protocol)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);

	nlh->nlmsg_type = SOCK_DIAG_BY_FAMILY;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
	if (family == AF_UNIX) {
		struct unix_diag_req *req = mnl_nlmsg_put_extra_header(nlh, sizeof(*req));

		req->sdiag_family = AF_UNIX;
		req->udiag_states = ~0u;
		req->udiag_show = UDIAG_SHOW_NAME | UDIAG_SHOW_VFS | UDIAG_SHOW_PEER |
				  UDIAG_SHOW_ICONS | UDIAG_SHOW_RQLEN;
	} else if (family == AF_NETLINK) {
		struct netlink_diag_req *req = mnl_nlmsg_put_extra_header(nlh, sizeof(*req));

		req->sdiag_family = AF_NETLINK;
		req->sdiag_protocol = NDIAG_PROTO_ALL;
		req->ndiag_show = NDIAG_SHOW_GROUPS;
	} else if (family == AF_PACKET) {
		struct packet_diag_req *req = mnl_nlmsg_put_extra_header(nlh, sizeof(*req));

		req->sdiag_family = AF_PACKET;
		req->pdiag_show = PACKET_SHOW_INFO;
	} else if (family == AF_VSOCK) {
		struct vsock_diag_req *req = mnl_nlmsg_put_extra_header(nlh, sizeof(*req));

		req->sdiag_family = AF_VSOCK;
		req->vdiag_states = ~0u;
	} else {
		struct inet_diag_req_v2 *req = mnl_nlmsg_put_extra_header(nlh, sizeof(*req));

		req->sdiag_family = family;
		req->sdiag_protocol = protocol;
		/* every state, including unconnected UDP (TCP_CLOSE) */
		req->idiag_states = ~0u;
		if (protocol == IPPROTO_TCP)
			req->idiag_ext = 1u << (INET_DIAG_INFO - 1);
	}
	return nlh;
}

/* One complete dump on a fresh socket; records go to list. */
static int dump_once(void *buf, int family, int protocol, struct sock_list *list)
{
	struct mnl_socket *nl = open_diag_socket();
	int ret;

	if (!nl)
		return -errno;
	struct nlmsghdr *nlh = sockdiag_put_request(buf, family, protocol);
	if (mnl_socket_sendto(nl, nlh, nlh->nlmsg_len) < 0) {
		ret = -errno;
		goto out;
	}
	do {
		ssize_t n;

		/* a signal interrupting recv is not DUMP_INTR: just recv again */
		do
			n = mnl_socket_recvfrom(nl, buf, SOCKDIAG_BUF_SIZE);
		while (n < 0 && errno == EINTR);
		if (n < 0) {
			ret = -errno;
			goto out;
		}
		/* the kernel never sends an empty datagram; do not spin */
		if (n == 0) {
			ret = -EBADMSG;
			goto out;
		}
		ret = sockdiag_parse_family(buf, n, family, protocol, list);
	} while (ret == SOCKDIAG_MORE);
out:
	mnl_socket_close(nl);
	return ret < 0 ? ret : 0;
}

int sockdiag_dump(int family, int protocol, struct sock_list *list)
{
	bool inet = (family == AF_INET || family == AF_INET6) &&
		    (protocol == IPPROTO_TCP || protocol == IPPROTO_UDP);

	if (!inet &&
	    !((family == AF_UNIX || family == AF_NETLINK || family == AF_PACKET ||
	       family == AF_VSOCK) && protocol == 0))
		return -EINVAL;

	void *buf = malloc(SOCKDIAG_BUF_SIZE);
	size_t start = list->count;
	int ret = 0;

	if (!buf)
		return -ENOMEM;
	for (int i = 0; i < SOCKDIAG_ATTEMPTS; i++) {
		ret = dump_once(buf, family, protocol, list);
		if (ret != -EINTR)
			break;
		/* an interrupted dump may hold duplicates or miss sockets */
		sock_list_truncate(list, start);
	}
	if (ret == -EINTR)
		ret = -EAGAIN;  /* the tables kept changing under every attempt */
	if (ret < 0)
		sock_list_truncate(list, start);
	free(buf);
	return ret;
}

/* One hex field of at most 8 digits ending at a char in `end`; advances *p. */
static bool hex_u32(const char **p, const char *limit, const char *end, uint32_t *out)
{
	const char *q = *p;
	uint32_t v = 0;
	int digits = 0;

	for (; q < limit && digits < 9; q++, digits++) {
		char c = *q;
		unsigned d;

		if (c >= '0' && c <= '9')
			d = (unsigned)(c - '0');
		else if (c >= 'A' && c <= 'F')
			d = (unsigned)(c - 'A' + 10);
		else if (c >= 'a' && c <= 'f')
			d = (unsigned)(c - 'a' + 10);
		else
			break;
		v = v << 4 | d;
	}
	if (digits == 0 || digits > 8 || q >= limit || !*q || !strchr(end, *q))
		return false;
	*p = q + 1;
	*out = v;
	return true;
}

/* Exactly 8 hex digits at p (the limit checked by the caller). */
static bool hex8(const char *p, uint32_t *out)
{
	char word[9];
	const char *wp = word;

	memcpy(word, p, 8);
	word[8] = ' ';
	return hex_u32(&wp, word + 9, " ", out) && wp == word + 9;
}

/* "ADDR:PORT": ADDR as the kernel prints it, each 32-bit word of the
 * network-order address as %08X of its host-order value, so the word's
 * bytes in memory are the address's. */
static bool raw_address(const char **p, const char *limit, int words, uint8_t addr[16],
			uint16_t *port)
{
	uint32_t w, v;

	if (limit - *p < 8 * words + 1)
		return false;
	for (int i = 0; i < words; i++) {
		if (!hex8(*p + 8 * i, &w))
			return false;
		memcpy(addr + 4 * i, &w, 4);
	}
	*p += 8 * words;
	if (**p != ':')
		return false;
	(*p)++;
	if (!hex_u32(p, limit, " ", &v) || v > 0xffff)
		return false;
	*port = (uint16_t)v;
	return true;
}

static const char *skip_spaces(const char *p, const char *limit)
{
	while (p < limit && *p == ' ')
		p++;
	return p;
}

/* One line after the header:
 *   sl: local rem st tx_queue:rx_queue tr:tm->when retrnsmt uid timeout inode ...
 * The "port" of a raw socket's local address is its protocol. */
static int raw_line(const char *p, const char *limit, int family, struct sock_list *list)
{
	int words = family == AF_INET6 ? 4 : 1;
	uint8_t local[16] = { 0 }, remote[16] = { 0 };
	uint16_t proto, rport;
	uint32_t state, tx, rx;
	uint64_t ino = 0;

	p = skip_spaces(p, limit);
	while (p < limit && *p >= '0' && *p <= '9')
		p++;
	if (p >= limit || *p++ != ':')
		return 0;
	p = skip_spaces(p, limit);
	if (!raw_address(&p, limit, words, local, &proto))
		return 0;
	p = skip_spaces(p, limit);
	if (!raw_address(&p, limit, words, remote, &rport))
		return 0;
	p = skip_spaces(p, limit);
	if (!hex_u32(&p, limit, " ", &state) || !hex_u32(&p, limit, ":", &tx) ||
	    !hex_u32(&p, limit, " ", &rx))
		return 0;
	/* tr:tm->when, retrnsmt, uid, timeout: skipped */
	for (int i = 0; i < 4; i++) {
		p = skip_spaces(p, limit);
		while (p < limit && *p != ' ')
			p++;
	}
	p = skip_spaces(p, limit);
	while (p < limit && *p >= '0' && *p <= '9') {
		if (__builtin_mul_overflow(ino, 10, &ino) ||
		    __builtin_add_overflow(ino, (uint64_t)(*p - '0'), &ino))
			return 0;
		p++;
	}
	if (p < limit && *p != ' ')
		return 0;
	struct sock_record *rec = sock_list_append(list);
	if (!rec)
		return -ENOMEM;
	rec->ino = ino;
	rec->family = (uint8_t)family;
	rec->protocol = (uint8_t)proto;
	rec->type = SOCK_RAW;
	rec->state = (uint8_t)state;
	rec->rqueue = rx;
	rec->wqueue = tx;
	memcpy(rec->local_addr, local, 16);
	memcpy(rec->remote_addr, remote, 16);
	return 0;
}

int procnet_raw_parse(const char *text, size_t len, int family, struct sock_list *list)
{
	const char *p = text, *limit = text + len, *eol;
	bool header = true;
	int r;

	if (family != AF_INET && family != AF_INET6)
		return -EINVAL;
	for (; p < limit; p = eol + 1) {
		eol = memchr(p, '\n', (size_t)(limit - p));
		if (!eol)
			break;	/* a last line without its newline was cut short */
		if (header) {
			header = false;
			continue;
		}
		if ((r = raw_line(p, eol, family, list)) < 0)
			return r;
	}
	return 0;
}
