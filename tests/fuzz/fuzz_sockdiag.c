/* libFuzzer target: one sock_diag receive buffer through sockdiag_parse.
 * The first byte picks the request (unix, TCP, UDP, netlink, packet,
 * vsock) or the /proc/net/raw parser (v4, v6); the rest
 * is the buffer, copied to memory of exactly its size so that any read
 * past it is caught. */
#include <netinet/in.h>
#include <sys/socket.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ipcfs/sockdiag.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const struct {
		int family, protocol;
	} requests[] = {
		{ AF_UNIX, 0 }, { AF_INET, IPPROTO_TCP }, { AF_INET, IPPROTO_UDP }, { AF_NETLINK, 0 },
		{ AF_PACKET, 0 }, { AF_VSOCK, 0 },
	};
	unsigned pick;
	struct sock_list list = { 0 };
	void *buf;

	if (size < 1)
		return 0;
	/* 5 and 6 the raw parser, 7 vsock: the seeds' first bytes keep
	 * their meaning */
	pick = data[0] % 8u;
	buf = malloc(size - 1 ? size - 1 : 1);
	if (!buf)
		return 0;
	memcpy(buf, data + 1, size - 1);
	if (pick == 5 || pick == 6)
		procnet_raw_parse(buf, size - 1, pick == 5 ? AF_INET : AF_INET6, &list);
	else
		sockdiag_parse_family(buf, size - 1, requests[pick == 7 ? 5 : pick].family,
				      requests[pick == 7 ? 5 : pick].protocol, &list);
	for (size_t i = 0; i < list.count; i++) {
		const struct sock_record *rec = &list.items[i];

		/* what kind_socket.c relies on */
		if (rec->path_len >= sizeof(rec->path) || rec->path[rec->path_len] != '\0' ||
		    (rec->n_icons && !rec->icons))
			abort();
	}
	sock_list_free(&list);
	free(buf);
	return 0;
}
