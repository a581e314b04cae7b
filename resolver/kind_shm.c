/* POSIX shared memory: regular files under /dev/shm/, reached by fd or by
 * mapping.  Same object model as memfd (shmem.h). */
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include "shmem.h"

#define SHM_PREFIX "/dev/shm/"

/* A file under /dev/shm/ as its holder's root names it (a container's own
 * /dev/shm), or any file on ipcfs's own /dev/shm reached under another
 * name (a chroot, a bind mount). */
static int shm_probe_fd(struct fd_probe *probe)
{
	dev_t dev = probe->root->shm_dev;
	int r;

	if (strncmp(probe->link, SHM_PREFIX, strlen(SHM_PREFIX)) == 0)
		return shmem_probe_fd(probe);
	if (!dev || probe->link[0] != '/')
		return 0;
	r = fd_probe_facts(probe, FD_FACT_STAT);	/* done already for a FIFO's sake */
	if (r < 0)
		return r;
	return probe->facts.dev == dev ? shmem_probe_fd(probe) : 0;
}

static int shm_add_fd(struct builder *b, const struct fd_probe *probe)
{
	return shmem_add_fd(b, probe, IPC_SHM);
}

/* The size of an object mapped where no fd shows it: stat its name in our
 * own /dev/shm, a tmpfs that answers without waiting.  Only names as
 * shm_open makes them (one component, not deleted), and only when the
 * file found is the object mapped: another mount namespace, or a name
 * reused since, leave the size unknown. */
static bool shm_size_of(const struct maps_object *object, uint64_t *size)
{
	const char *name;
	struct statx stx;

	/* Another name may lead through any mount, a hung one too. */
	if (strncmp(object->path, SHM_PREFIX, strlen(SHM_PREFIX)) != 0)
		return false;
	name = object->path + strlen(SHM_PREFIX);
	if (strchr(name, '/') || maps_path_deleted(object->path, strlen(object->path)) ||
	    statx(AT_FDCWD, object->path,
		  AT_SYMLINK_NOFOLLOW | AT_NO_AUTOMOUNT | AT_STATX_DONT_SYNC,
		  STATX_TYPE | STATX_INO | STATX_SIZE, &stx) < 0)
		return false;
	if (makedev(stx.stx_dev_major, stx.stx_dev_minor) != object->dev ||
	    stx.stx_ino != object->ino || !S_ISREG(stx.stx_mode))
		return false;
	*size = stx.stx_size;
	return true;
}

static int shm_resolve(struct builder *b)
{
	return shmem_resolve(b, IPC_SHM, MAPS_SHM, shm_size_of);
}

const struct kind_module shm_module = {
	.name = "shm",
	.probe_fd = shm_probe_fd,
	.add_fd = shm_add_fd,
	.resolve = shm_resolve,
	.fields = shmem_fields,
};
