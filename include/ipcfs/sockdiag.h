/* sock_diag dumps through libmnl, parsed into flat records.
 * No FUSE types; the parser works on plain bytes so tests feed it
 * recorded netlink messages. */
#pragma once
#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* TCP counters from INET_DIAG_INFO (struct tcp_info), in info's order. */
enum sock_tcp_counter {
	SOCK_TCP_BYTES_SENT,		/* tcpi_bytes_sent */
	SOCK_TCP_BYTES_RECEIVED,	/* tcpi_bytes_received */
	SOCK_TCP_SEGS_OUT,		/* tcpi_segs_out */
	SOCK_TCP_SEGS_IN,		/* tcpi_segs_in */
	SOCK_TCP_RETRANS,		/* tcpi_total_retrans */
	SOCK_TCP_RTT_US,		/* tcpi_rtt */
	SOCK_TCP_LAST_SEND_MS,		/* tcpi_last_data_sent */
	SOCK_TCP_LAST_RECV_MS,		/* tcpi_last_data_recv */
	SOCK_TCP_COUNTERS
};

struct sock_record {
	uint64_t ino;           /* socket inode, as in "socket:[N]" */
	uint8_t family;         /* AF_UNIX, AF_INET, AF_INET6, AF_NETLINK,
				   AF_PACKET, AF_VSOCK */
	uint8_t protocol;       /* IPPROTO_TCP / IPPROTO_UDP for inet, 0 for unix,
				   NETLINK_* for netlink */
	uint8_t type;           /* SOCK_STREAM / SOCK_DGRAM / SOCK_SEQPACKET */
	uint8_t state;          /* TCP_* numbering (unix and vsock use the same
				   values) */
	uint32_t rqueue;        /* unix: UNIX_DIAG_RQLEN rq; inet: idiag_rqueue */
	uint32_t wqueue;        /* unix: UNIX_DIAG_RQLEN wq; inet: idiag_wqueue */
	/* AF_UNIX */
	uint64_t peer_ino;      /* UNIX_DIAG_PEER, 0 when absent */
	uint32_t n_icons;       /* UNIX_DIAG_ICONS: inodes of queued connections */
	uint32_t *icons;        /* owned by the sock_list (see sock_list_free) */
	bool has_vfs;
	uint64_t vfs_dev, vfs_ino; /* UNIX_DIAG_VFS: the bound file; vfs_dev
				      re-encoded as a userspace dev_t
				      (comparable with st_dev) */
	uint16_t path_len;      /* bytes in path; 0 = unnamed */
	char path[109];         /* UNIX_DIAG_NAME; abstract names start with '\0'
				   and are stored as-is (path_len counts it);
				   always NUL-terminated after path_len */
	/* AF_INET / AF_INET6: addresses in network byte order, v4 as the
	 * first 4 bytes of the 16 */
	uint8_t local_addr[16], remote_addr[16];
	uint16_t local_port, remote_port; /* host byte order */
	uint32_t ifindex;
	union {
		struct {
			/* AF_NETLINK: protocol is the netlink protocol
			 * (NETLINK_ROUTE...) */
			uint32_t nl_portid, nl_dst_portid;
			/* NETLINK_DIAG_GROUPS: groups 1..128 (bit g-1), the
			 * rest dropped; nl_groups_more says some were */
			uint32_t nl_groups[4];
			bool nl_groups_more;
		};
		/* AF_VSOCK: context ids and ports as the kernel keeps them
		 * (VMADDR_CID_ANY, VMADDR_PORT_ANY where unset) */
		struct {
			uint32_t vm_local_cid, vm_local_port;
			uint32_t vm_remote_cid, vm_remote_port;
		};
		/* TCP: the counters of INET_DIAG_INFO; bit c of tcp_have
		 * says tcp[c] was there (an older kernel's shorter
		 * tcp_info lacks the newer ones) */
		struct {
			uint64_t tcp[SOCK_TCP_COUNTERS];
			uint8_t tcp_have;
		};
	};
	/* AF_PACKET: the ethertype it takes (host order; 3 = ETH_P_ALL);
	 * PACKET_DIAG_INFO's interface is in ifindex, 0 for every one */
	uint16_t ethertype;
};

struct sock_list {
	struct sock_record *items;
	size_t count, capacity;
};

void sock_list_free(struct sock_list *list);

/* Outcome of feeding one netlink receive buffer to the parser. */
enum sockdiag_step {
	SOCKDIAG_MORE = 0,   /* messages consumed, dump not finished */
	SOCKDIAG_DONE = 1,   /* NLMSG_DONE seen */
};

/* Parses one buffer of a sock_diag dump reply (one or more nlmsghdrs,
 * 4-byte aligned), appending one record per SOCK_DIAG_BY_FAMILY message to
 * list.  protocol is the sdiag_protocol of the request the buffer answers
 * (inet_diag_msg does not carry it): 0 for AF_UNIX, IPPROTO_TCP or
 * IPPROTO_UDP for AF_INET/AF_INET6; other values get -EINVAL.  Messages of
 * a family the request did not ask for, or shorter than their diag struct,
 * are skipped.
 * Returns SOCKDIAG_MORE / SOCKDIAG_DONE, -EINTR when a message carries
 * NLM_F_DUMP_INTR (caller retries the whole dump), -errno from an
 * NLMSG_ERROR message or an NLMSG_DONE carrying an error, -EBADMSG when the
 * buffer is malformed (truncated header, length past the buffer), -ENOMEM.
 * On error, records appended before the failing message stay in list.
 * Malformed attributes inside an otherwise sound message are skipped, never
 * read past. */
int sockdiag_parse(const void *buf, size_t len, int protocol, struct sock_list *list);

/* sockdiag_parse for any family ipcfs dumps: AF_NETLINK, AF_PACKET and
 * AF_VSOCK (protocol ignored: the messages carry it, or there is none) as
 * well as those above, which sockdiag_parse tells apart by protocol
 * alone. */
int sockdiag_parse_family(const void *buf, size_t len, int family, int protocol,
			  struct sock_list *list);

struct nlmsghdr;
/* Writes the dump request ipcfs sends for family/protocol (every state,
 * the unix attributes it reads, INET_DIAG_INFO for TCP) into buf, which has room for a netlink
 * header and a request; returns the message. */
struct nlmsghdr *sockdiag_put_request(void *buf, int family, int protocol);

/* Dumps one family/protocol (AF_UNIX with protocol 0; AF_INET/AF_INET6 with
 * IPPROTO_TCP or IPPROTO_UDP; AF_NETLINK, AF_PACKET or AF_VSOCK with 0,
 * every protocol) in the caller's current network namespace
 * through a fresh NETLINK_SOCK_DIAG libmnl socket, retrying on DUMP_INTR
 * a bounded number of times. Appends to list. Returns 0 or -errno
 * (-EINVAL for another family/protocol, -EAGAIN when every attempt was
 * interrupted, -ENOENT when the kernel has no sock_diag module for the
 * family, e.g. no vsock_diag); on failure list is left as it was. */
int sockdiag_dump(int family, int protocol, struct sock_list *list);

/* Parses the text of /proc/net/raw (family AF_INET) or raw6 (AF_INET6),
 * the kernel's only account of raw sockets where it has no raw_diag:
 * appends one record per line (type SOCK_RAW, protocol the IP protocol,
 * addresses, state, queues, inode).  Lines that do not parse are skipped.
 * Returns 0, -EINVAL for another family, -ENOMEM. */
int procnet_raw_parse(const char *text, size_t len, int family, struct sock_list *list);
