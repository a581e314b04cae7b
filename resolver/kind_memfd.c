/* memfd: "/memfd:NAME (deleted)" links; every fd on the same object
 * (device, inode) peers with every other. */
#include <errno.h>
#include <inttypes.h>
#include <string.h>

#include "builder.h"

struct memfd_detail {
	const char *path;
	uint64_t size;
};

#define MEMFD_PREFIX "/memfd:"

static int memfd_claim_fd(struct builder *b, struct fd_probe *probe)
{
	struct ipc_endpoint ep = {
		.process = probe->process, .kind = IPC_MEMFD, .fd = probe->fd,
	};
	struct memfd_detail *detail;
	int r;

	if (strncmp(probe->link, MEMFD_PREFIX, strlen(MEMFD_PREFIX)) != 0)
		return 0;
	r = fd_probe_facts(probe, true);
	if (r < 0)
		return r;
	detail = arena_alloc(b->arena, sizeof(*detail));
	if (!detail)
		return -ENOMEM;
	detail->path = arena_strndup(b->arena, probe->link, probe->link_len);
	if (!detail->path)
		return -ENOMEM;
	detail->size = probe->facts.size;
	ep.access = (uint8_t)probe->facts.access;
	ep.id = probe->facts.ino;
	ep.object[0] = probe->facts.dev;
	ep.object[1] = probe->facts.ino;
	ep.detail = detail;
	r = (int)builder_add_endpoint(b, &ep);
	return r < 0 ? r : 1;
}

static int memfd_resolve(struct builder *b)
{
	return builder_link_by_object(b, 1u << IPC_MEMFD, NULL);
}

static void memfd_info(const struct ipc_snapshot *snap, const struct ipc_endpoint *ep,
		       struct textbuf *tb)
{
	const struct memfd_detail *detail = ep->detail;

	(void)snap;
	textbuf_puts(tb, "path: ");
	textbuf_escaped(tb, detail->path, strlen(detail->path), 0x20);
	textbuf_printf(tb, "\nsize: %" PRIu64 "\nmapped: no\n", detail->size);
}

static void memfd_detail(const struct ipc_snapshot *snap, const struct ipc_endpoint *ep,
			 struct textbuf *tb)
{
	const struct memfd_detail *detail = ep->detail;

	(void)snap;
	textbuf_printf(tb, "%s size=%" PRIu64, detail->path, detail->size);
}

const struct kind_module memfd_module = {
	.claim_fd = memfd_claim_fd,
	.resolve = memfd_resolve,
	.info = memfd_info,
	.detail = memfd_detail,
};
