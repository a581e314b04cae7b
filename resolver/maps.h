/* Shared memory reached through mappings: the /proc/<pid>/maps parser and
 * the deadline-bound reading of every scanned process's maps. */
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "builder.h"

enum maps_class {
	MAPS_NONE,
	MAPS_MEMFD,	/* "/memfd:NAME (deleted)" */
	MAPS_SHM,	/* a file under /dev/shm/, or on ipcfs's own /dev/shm */
	MAPS_SYSV,	/* "/SYSV<key %08x> (deleted)", the inode is the shmid */
	MAPS_ANONSHM,	/* "/dev/zero (deleted)" mapped shared (MAP_SHARED|MAP_ANONYMOUS) */
};

/* One line of a maps file. */
struct maps_line {
	uint64_t start, end;
	unsigned access;	/* IPC_ACCESS_* from the r and w bits */
	dev_t dev;
	uint64_t ino;
	const char *path;	/* into the line; "" for an anonymous mapping */
	size_t path_len;
	uint32_t sysv_key;	/* MAPS_SYSV only */
};

/* Whether a path as the kernel prints it ends in " (deleted)". */
bool maps_path_deleted(const char *path, size_t len);

/* The class of a mapping of path (len bytes, unescaped or as maps text
 * writes it: the prefixes and suffixes looked for read the same), shared
 * or private; *sysv_key is set for MAPS_SYSV. */
int maps_class(const char *path, size_t len, bool shared, uint32_t *sysv_key);

/* Parses one maps line (no '\n').  Returns its enum maps_class (MAPS_NONE
 * for anything that is no IPC object) or -EBADMSG. */
int maps_parse_line(const char *text, size_t len, struct maps_line *out);

/* One object a process maps, all its mappings of it folded together. */
struct maps_object {
	uint8_t class;		/* enum maps_class */
	uint8_t access;		/* union over its mappings */
	dev_t dev;
	uint64_t ino;
	uint64_t start;		/* lowest start address */
	uint64_t length;	/* bytes mapped, summed over its mappings */
	uint32_t sysv_key;
	const char *path;	/* of the lowest mapping, into the result */
};

/* What one process's maps tell, sorted by class, dev, ino. */
struct maps_result {
	struct maps_object *objects;
	size_t n_objects;
	size_t dropped_lines;
	char *paths;		/* storage of the paths */
};

/* Parses a maps text from fd into a new result (NULL when the text holds
 * no IPC object).  buf as for read_lines (proc_root.h).  A file on device
 * shm_dev (proc_root.shm_dev; 0: none) is MAPS_SHM whatever its path.
 * Returns 0 or -errno. */
int maps_parse_fd(int fd, char *buf, size_t size, dev_t shm_dev, struct maps_result **out);
/* The same from an open /proc/<pid>/maps through PROCMAP_QUERY, with buf
 * (size bytes, up to PATH_MAX used) holding one name at a time: a path as
 * its fd link reads, unescaped.  -ENOTTY or -EINVAL where the kernel (or
 * a plain file) has no such query. */
int maps_query_fd(int fd, char *buf, size_t size, dev_t shm_dev, struct maps_result **out);
void maps_result_free(struct maps_result *result);

/* The maps of every scanned process (by index), once all are read or
 * MAPS_DEADLINE_MS after the first call of a build, which alone waits.
 * Entries are NULL for processes with nothing of ours mapped; processes
 * whose read failed or did not finish are marked maps_unavailable.  NULL
 * when out of memory. */
struct maps_result *const *maps_collect(struct builder *b);
/* Pids whose maps reads are stuck past their build's deadline (tests). */
size_t maps_stuck_readers(void);
