/* /proc/sysvipc/{shm,msg,sem} and the boot time in /proc/stat: parsers
 * over text, and their reading relative to the procfs root. */
#pragma once
#include <stddef.h>
#include <stdint.h>

#include "ipcfs/snapshot.h"
#include "proc_root.h"

/* Parses one line of /proc/sysvipc/<cls> (no '\n') into out.  Returns 1
 * for an object, 0 for the header or a blank line, -EBADMSG for a line
 * cut short or garbled. */
int sysvipc_parse_line(enum ipc_sysv_class cls, const char *text, struct ipc_sysv_object *out);

struct sysv_list {
	struct ipc_sysv_object *items;
	size_t n, cap;
	size_t bad_lines;	/* skipped: cut short, garbled or too long */
};

/* Appends the objects of <root>/<dir>/<cls> (dir "sysvipc" in the
 * namespace being visited, see snapshot.h, ipc_namespaces), reading
 * through buf (READ_LINES_BUF bytes).  No such file (no System V IPC, a
 * fixture without it) is no object.  Returns 0 or -errno. */
int sysvipc_read(const struct proc_root *root, const char *dir, enum ipc_sysv_class cls,
		 char *buf, size_t size, struct sysv_list *list);
void sysv_list_free(struct sysv_list *list);

/* The "btime" of <root>/stat: boot time in seconds since the epoch.
 * Returns 0 or -errno (-ENOENT when absent). */
int proc_boot_time(const struct proc_root *root, char *buf, size_t size, int64_t *btime);
