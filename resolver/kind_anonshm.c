/* Shared anonymous memory: MAP_SHARED|MAP_ANONYMOUS, or a shared mapping
 * of /dev/zero, is a shmem object the kernel names "/dev/zero (deleted)"
 * in maps, one per mmap call, shared across fork.  Same object model as
 * memfd (shmem.h), reached only by mapping. */
#include "shmem.h"

/* The object is as long as the mapping made it; what a process still
 * maps of it is the nearest the maps tell. */
static bool anonshm_size_of(const struct maps_object *object, uint64_t *size)
{
	*size = object->length;
	return true;
}

static int anonshm_resolve(struct builder *b)
{
	return shmem_resolve(b, IPC_ANONSHM, MAPS_ANONSHM, anonshm_size_of);
}

const struct kind_module anonshm_module = {
	.name = "anonshm",
	.resolve = anonshm_resolve,
	.fields = shmem_fields,
};
