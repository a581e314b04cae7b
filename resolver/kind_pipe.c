/* Pipes (pipefs, named by the link) and FIFOs (a path whose target is a
 * FIFO): peers are the fds holding the other end. */
#include <sys/stat.h>

#include "builder.h"

/* A pipe by its link's inode (found[0]); a FIFO, a path, by its type. */
static int pipe_probe_fd(struct fd_probe *probe)
{
	int r;

	probe->found[0] = link_inode(probe->link, "pipe:[");
	if (probe->found[0])
		return fd_probe_take(probe);
	if (probe->link[0] != '/')
		return 0;
	r = fd_probe_facts(probe, FD_FACT_STAT);
	if (r < 0)
		return r;
	return probe->facts.type == S_IFIFO ? fd_probe_take(probe) : 0;
}

static int pipe_add_fd(struct builder *b, const struct fd_probe *probe)
{
	struct ipc_endpoint ep = {
		.process = probe->process, .kind = IPC_PIPE, .fd = probe->fd,
		.access = (uint8_t)probe->facts.access, .id = probe->found[0],
		.object = { 0, probe->found[0] },
	};
	void *detail;
	long r;

	if (!probe->found[0])
		return builder_add_file_endpoint(b, probe, IPC_FIFO, sizeof(struct file_detail),
						 &detail);
	r = builder_add_endpoint(b, &ep);
	return r < 0 ? (int)r : 0;
}

static int pipe_resolve(struct builder *b)
{
	int r = builder_link_by_object(b, 1u << IPC_PIPE, PAIR_OPPOSITE_ENDS);

	return r < 0 ? r : builder_link_by_object(b, 1u << IPC_FIFO, PAIR_OPPOSITE_ENDS);
}

/* A FIFO's path; a pipe has nothing beyond its id. */
static void pipe_fields(const struct ipc_snapshot *snap, const struct ipc_endpoint *ep,
			struct ipc_field_sink *sink)
{
	const struct file_detail *detail = ep->detail;

	(void)snap;
	if (detail)
		field_text(sink, "path", IPC_DETAIL_VALUE, detail->path);
}

const struct kind_module pipe_module = {
	.name = "pipes and FIFOs",
	.probe_fd = pipe_probe_fd,
	.add_fd = pipe_add_fd,
	.resolve = pipe_resolve,
	.fields = pipe_fields,
};
