/* Reading the procfs through a proc_root: paths, small files, lines and
 * the inodes that link texts name.  Nothing here knows the builder. */
#pragma once
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "ipcfs/snapshot.h"

/* Room for "<pid>/<file>/<n>" with file up to 32 bytes. */
#define PROC_PATH_MAX 64

/* Writes "<id>" (id >= 0), then "/<file>" when file is set, then "/<n>"
 * when n >= 0: a path relative to the procfs root such as "42/fdinfo/7",
 * or an fd's name in its directory ("7").  file is a short constant
 * ("stat", "ns/net").  Returns path. */
const char *proc_path(char path[PROC_PATH_MAX], pid_t id, const char *file, int n);

/* Reads a whole small file relative to the procfs root into buf, NUL
 * terminated; returns the length or -errno.  Only for files rendered whole
 * on open (stat, status, fdinfo; plain files in fixtures): a read that
 * leaves room in buf was the last, so no read is spent to see EOF. */
ssize_t proc_read_file(const struct proc_root *root, const char *path, char *buf, size_t size);
/* The value after "key:" on its line in text, whitespace trimmed. */
int text_field(const char *text, const char *key, char *out, size_t size);

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

/* The device of the filesystem mounted at path when it is a mount of
 * its own of that type (statfs magic), else 0. */
dev_t mount_dev(const char *path, long magic);

/* The inode in a link text such as "pipe:[N]" for prefix "pipe:[", or 0. */
uint64_t link_inode(const char *link, const char *prefix);
/* The inode of the namespace link at path relative to dirfd ("<pid>/ns/net"
 * reads "net:[N]" for prefix "net:["), or 0 when it cannot be read. */
uint64_t proc_ns_inode(int dirfd, const char *path, const char *prefix);

/* Orders namespace refs by inode (for qsort). */
int ns_ref_order(const void *a, const void *b);
/* Moves the calling thread into namespace ref (its link file "ns/net" in
 * /proc/<pid>/, of type nstype, CLONE_NEWNET) when ref->pid is still in
 * it.  Only for helper threads.  Returns 0 or -errno. */
int proc_ns_enter(const struct proc_root *root, const struct ns_ref *ref, const char *file,
		  int nstype);
/* The default root->ipc_namespaces (see snapshot.h), in ipcns.c. */
int ipc_namespaces_kernel(const struct proc_root *root, uint64_t own, const struct ns_ref *refs,
			  size_t n, int (*visit)(void *context, size_t i, const char *sysvipc),
			  void *context);
