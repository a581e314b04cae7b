/* Shared memory reached through mappings: the /proc/<pid>/maps parser, the
 * deadline-bound reading of every scanned process's maps, and the helpers
 * the memfd and POSIX shm modules share. */
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "builder.h"

/* The buffer maps and /proc/sysvipc files are read through.  A line longer
 * than it can hold is counted and dropped: in maps only a path can be that
 * long, and memfd names (249 bytes) and SysV names are short, so only a
 * /dev/shm path deeper than 32 KiB could be lost. */
#define READ_LINES_BUF 32768

/* Calls line() with each line of fd (NUL terminated, without its '\n'; a
 * last line lacking '\n' is passed as is), reading in chunks into buf.
 * Lines longer than size - 2 are skipped and counted in *dropped.  Stops at
 * the first non-zero return of line().  Returns that value, 0 at the end,
 * or -errno. */
int read_lines(int fd, char *buf, size_t size, size_t *dropped,
	       int (*line)(void *context, char *text, size_t len), void *context);

enum maps_class {
	MAPS_NONE,
	MAPS_MEMFD,	/* "/memfd:NAME (deleted)" */
	MAPS_SHM,	/* a file under /dev/shm/ */
	MAPS_SYSV,	/* "/SYSV<key %08x> (deleted)", the inode is the shmid */
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
	uint32_t sysv_key;
	const char *path;	/* of the lowest mapping, into the result */
};

/* What one process's maps tell, sorted by class, dev, ino. */
struct maps_result {
	struct maps_object *objects;
	size_t n_objects;
	uint64_t ipc_ns;	/* inode of its IPC namespace, read only when it
				   maps SysV segments; 0 unknown */
	size_t dropped_lines;
	char *paths;		/* storage of the paths */
};

/* Parses a maps text from fd into a new result (NULL when the text holds
 * no IPC object).  buf as for read_lines.  Returns 0 or -errno. */
int maps_parse_fd(int fd, char *buf, size_t size, struct maps_result **out);
void maps_result_free(struct maps_result *result);

/* The maps of every scanned process (by index), once all are read or
 * MAPS_DEADLINE_MS after the first call of a build, which alone waits.
 * Entries are NULL for processes with nothing of ours mapped; processes
 * whose read failed or did not finish are marked maps_unavailable.  NULL
 * when out of memory. */
struct maps_result *const *maps_collect(struct builder *b);
/* Pids whose maps reads are stuck past their build's deadline (tests). */
size_t maps_stuck_readers(void);

extern const struct kind_module maps_module;

/* The memfd and POSIX shm modules: same object model, found by fd link or
 * by mapping.  The detail of their endpoints: */
struct shmem_detail {
	struct file_detail file;
	uint64_t size;
	bool size_known;
	bool mapped;
};

/* memfd and shm: takes the fd in probe, its link already matched, when it
 * is a regular file; then adds its endpoint of kind with the size. */
int shmem_probe_fd(struct fd_probe *probe);
int shmem_add_fd(struct builder *b, const struct fd_probe *probe, enum ipc_kind kind);
/* Adds the map-<start> endpoints for objects of class reached only by
 * mapping, marks mapped fds, and peers all of kind by object.  size_of, when
 * set, tells the size of a mapped-only object no fd shows. */
int shmem_resolve(struct builder *b, enum ipc_kind kind, enum maps_class class,
		  bool (*size_of)(const struct maps_object *object, uint64_t *size));
void shmem_info(const struct ipc_snapshot *snap, const struct ipc_endpoint *ep,
		struct textbuf *tb);
void shmem_detail_text(const struct ipc_snapshot *snap, const struct ipc_endpoint *ep,
		       struct textbuf *tb);
