/* eventfd: all share one anonymous inode, so the object is the eventfd-id
 * from fdinfo; every fd with the same id peers with every other. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "builder.h"

struct eventfd_detail {
	uint64_t count;
};

/* found[0] is the eventfd-id, found[1] the count; the access is in
 * fdinfo's flags, read anyway. */
static int eventfd_probe_fd(struct fd_probe *probe)
{
	char text[1024], value[32];
	ssize_t n;
	int r;

	if (strcmp(probe->link, "anon_inode:[eventfd]") != 0)
		return 0;
	n = fd_probe_fdinfo(probe, text, sizeof(text));
	if (n < 0)
		return (int)n;
	r = text_field(text, "eventfd-id", value, sizeof(value));
	if (r < 0)
		return r;
	probe->found[0] = strtoull(value, NULL, 10);
	/* The kernel prints the counter in hex. */
	if (text_field(text, "eventfd-count", value, sizeof(value)) == 0)
		probe->found[1] = strtoull(value, NULL, 16);
	probe->facts.access = fdinfo_access(text);
	return 1;
}

static int eventfd_add_fd(struct builder *b, const struct fd_probe *probe)
{
	struct ipc_endpoint ep = {
		.process = probe->process, .kind = IPC_EVENTFD, .fd = probe->fd,
		.access = (uint8_t)probe->facts.access, .id = probe->found[0],
		.object = { 0, probe->found[0] },
	};
	struct eventfd_detail *detail;
	long r;

	detail = arena_alloc(b->arena, sizeof(*detail));
	if (!detail)
		return -ENOMEM;
	detail->count = probe->found[1];
	ep.detail = detail;
	r = builder_add_endpoint(b, &ep);
	return r < 0 ? (int)r : 0;
}

static int eventfd_resolve(struct builder *b)
{
	return builder_link_by_object(b, 1u << IPC_EVENTFD, PAIR_ALL);
}

static void eventfd_fields(const struct ipc_snapshot *snap, const struct ipc_endpoint *ep,
			   struct ipc_field_sink *sink)
{
	const struct eventfd_detail *detail = ep->detail;

	(void)snap;
	field_u64(sink, "count", IPC_DETAIL_KEYED, detail->count);
}

const struct kind_module eventfd_module = {
	.name = "eventfd",
	.probe_fd = eventfd_probe_fd,
	.add_fd = eventfd_add_fd,
	.resolve = eventfd_resolve,
	.fields = eventfd_fields,
};
