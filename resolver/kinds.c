/* The table of channel-kind modules. */
#include <errno.h>
#include <string.h>

#include "builder.h"

/* Claims are offered in this order and resolves run in it.  Path links are
 * stat'ed once (fd_probe caches it) whichever module looks first.  The
 * modules that need maps come after sockets, so that waiting for the maps
 * readers overlaps the sock_diag dumps. */
const struct kind_module *const kind_modules[] = {
	/* pty first: its links are paths, and a master's fdinfo saves pipes'
	 * stat of them. */
	&pty_module,
	&pipe_module,
	&eventfd_module,
	&pidfd_module,
	&socket_module,
	&memfd_module,
	&shm_module,
	&anonshm_module,
	&mqueue_module,
	/* No fds: resolve from maps and /proc/sysvipc; maps_module reads the
	 * maps of each process as it is scanned. */
	&sysv_module,
	&maps_module,
};
const size_t n_kind_modules = sizeof(kind_modules) / sizeof(kind_modules[0]);

static const struct {
	const char *dir;
	const struct kind_module *module;
} kinds[IPC_KIND_COUNT] = {
	[IPC_PIPE] = { "pipes", &pipe_module },
	[IPC_FIFO] = { "fifos", &pipe_module },
	[IPC_UNIX] = { "unix", &socket_module },
	[IPC_TCP4] = { "tcp4", &socket_module },
	[IPC_TCP6] = { "tcp6", &socket_module },
	[IPC_UDP4] = { "udp4", &socket_module },
	[IPC_UDP6] = { "udp6", &socket_module },
	[IPC_MEMFD] = { "memfd", &memfd_module },
	[IPC_SHM] = { "shm", &shm_module },
	[IPC_MQUEUE] = { "mqueue", &mqueue_module },
	[IPC_EVENTFD] = { "eventfd", &eventfd_module },
	[IPC_SYSV] = { "sysv", &sysv_module },
	[IPC_PTY] = { "pty", &pty_module },
	[IPC_PIDFD] = { "pidfd", &pidfd_module },
	[IPC_ANONSHM] = { "anonshm", &anonshm_module },
	[IPC_NETLINK] = { "netlink", &socket_module },
	[IPC_PACKET] = { "packet", &socket_module },
	[IPC_RAW] = { "raw", &socket_module },
	[IPC_VSOCK] = { "vsock", &socket_module },
};

const char *ipc_kind_dir(enum ipc_kind kind)
{
	return (unsigned)kind < IPC_KIND_COUNT ? kinds[kind].dir : "?";
}

int ipc_kind_from_dir(const char *name)
{
	int k;

	for (k = 0; k < IPC_KIND_COUNT; k++)
		if (strcmp(kinds[k].dir, name) == 0)
			return k;
	return -ENOENT;
}

const struct kind_module *kind_module_of(enum ipc_kind kind)
{
	return (unsigned)kind < IPC_KIND_COUNT ? kinds[kind].module : NULL;
}

const char *ipc_access_text(unsigned access)
{
	static const char *const text[] = { "-", "r", "w", "rw" };

	return text[access & 3];
}
