/* memfd: "/memfd:NAME (deleted)" links and mappings, objects keyed by
 * (device, inode) as shmem.h says. */
#include <string.h>

#include "shmem.h"

#define MEMFD_PREFIX "/memfd:"

static int memfd_probe_fd(struct fd_probe *probe)
{
	if (strncmp(probe->link, MEMFD_PREFIX, strlen(MEMFD_PREFIX)) != 0)
		return 0;
	return shmem_probe_fd(probe);
}

static int memfd_add_fd(struct builder *b, const struct fd_probe *probe)
{
	return shmem_add_fd(b, probe, IPC_MEMFD);
}

/* A memfd reached only by mapping has no size to ask for without an fd. */
static int memfd_resolve(struct builder *b)
{
	return shmem_resolve(b, IPC_MEMFD, MAPS_MEMFD, NULL);
}

const struct kind_module memfd_module = {
	.name = "memfd",
	.probe_fd = memfd_probe_fd,
	.add_fd = memfd_add_fd,
	.resolve = memfd_resolve,
	.fields = shmem_fields,
};
