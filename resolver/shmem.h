/* What the memfd and POSIX shm modules share: the same object model,
 * objects keyed by (device, inode) and reached by fd or by mapping; every
 * fd or mapping of an object peers with every other. */
#pragma once
#include <stdbool.h>
#include <stdint.h>

#include "builder.h"
#include "maps.h"

/* The detail of their endpoints. */
struct shmem_detail {
	struct file_detail file;
	uint64_t size;
	bool size_known;
	bool mapped;
};

/* Takes the fd in probe, its link already matched, when it is a regular
 * file; then adds its endpoint of kind with the size. */
int shmem_probe_fd(struct fd_probe *probe);
int shmem_add_fd(struct builder *b, const struct fd_probe *probe, enum ipc_kind kind);
/* Adds the map-<start> endpoints for objects of class reached only by
 * mapping, marks mapped fds, and peers all of kind by object.  size_of, when
 * set, tells the size of a mapped-only object no fd shows. */
int shmem_resolve(struct builder *b, enum ipc_kind kind, enum maps_class class,
		  bool (*size_of)(const struct maps_object *object, uint64_t *size));
void shmem_fields(const struct ipc_snapshot *snap, const struct ipc_endpoint *ep,
		  struct ipc_field_sink *sink);
