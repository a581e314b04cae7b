/* The table of channel-kind modules. */
#include <errno.h>
#include <string.h>

#include "builder.h"

/* memfd before pipe: both look at path links, memfd by name alone. */
const struct kind_module *const kind_modules[] = {
	&memfd_module,
	&pipe_module,
	&eventfd_module,
	&socket_module,
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
	[IPC_SHM] = { "shm", NULL },
	[IPC_MQUEUE] = { "mqueue", NULL },
	[IPC_EVENTFD] = { "eventfd", &eventfd_module },
	[IPC_SYSV] = { "sysv", NULL },
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
