/* libFuzzer target: one sock_diag receive buffer through sockdiag_parse.
 * The first byte picks the request's protocol (unix, TCP, UDP); the rest
 * is the buffer, copied to memory of exactly its size so that any read
 * past it is caught. */
#include <netinet/in.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ipcfs/sockdiag.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const int protocols[] = { 0, IPPROTO_TCP, IPPROTO_UDP };
	struct sock_list list = { 0 };
	void *buf;

	if (size < 1)
		return 0;
	buf = malloc(size - 1 ? size - 1 : 1);
	if (!buf)
		return 0;
	memcpy(buf, data + 1, size - 1);
	sockdiag_parse(buf, size - 1, protocols[data[0] % 3], &list);
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
