/* pidfds: fds referring to a process (pidfd_open, clone's CLONE_PIDFD).
 * No peers; the id is the target's pid as fdinfo gives it in ipcfs's pid
 * namespace, 0 once the target is gone or not visible from there. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "builder.h"

/* found[0] is the target pid, 0 for none; the access is in fdinfo's
 * flags, read anyway. */
static int pidfd_probe_fd(struct fd_probe *probe)
{
	char text[1024], value[32];
	long pid;
	ssize_t n;
	int r;

	if (strcmp(probe->link, "anon_inode:[pidfd]") != 0)
		return 0;
	n = fd_probe_fdinfo(probe, text, sizeof(text));
	if (n < 0)
		return (int)n;
	r = text_field(text, "Pid", value, sizeof(value));
	if (r < 0)
		return r;
	/* -1: it has exited; 0: it lives outside our pid namespace. */
	pid = strtol(value, NULL, 10);
	probe->found[0] = pid > 0 ? (uint64_t)pid : 0;
	probe->facts.access = fdinfo_access(text);
	return 1;
}

static int pidfd_add_fd(struct builder *b, const struct fd_probe *probe)
{
	struct ipc_endpoint ep = {
		.process = probe->process, .kind = IPC_PIDFD, .fd = probe->fd,
		.access = (uint8_t)probe->facts.access, .id = probe->found[0],
	};
	long r = builder_add_endpoint(b, &ep);

	return r < 0 ? (int)r : 0;
}

const struct ipc_process *ipc_pidfd_target(const struct ipc_snapshot *snap,
					   const struct ipc_endpoint *ep)
{
	if (ep->kind != IPC_PIDFD || !ep->id)
		return NULL;
	return ipc_snapshot_process(snap, (pid_t)ep->id);
}

static void pidfd_fields(const struct ipc_snapshot *snap, const struct ipc_endpoint *ep,
			 struct ipc_field_sink *sink)
{
	(void)snap;
	field_u64_known(sink, "target", IPC_DETAIL_KEYED, ep->id != 0, ep->id);
}

const struct kind_module pidfd_module = {
	.probe_fd = pidfd_probe_fd,
	.add_fd = pidfd_add_fd,
	.fields = pidfd_fields,
};
