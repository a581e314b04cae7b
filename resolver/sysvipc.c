/* /proc/sysvipc/{shm,msg,sem}: one object per line after a header, in
 * columns the kernel prints as
 *   shm: key shmid perms size cpid lpid nattch uid gid cuid cgid atime dtime ctime [rss swap]
 *   msg: key msqid perms cbytes qnum lspid lrpid uid gid cuid cgid stime rtime ctime
 *   sem: key semid perms nsems uid gid cuid cgid otime ctime
 * with key a signed decimal and perms octal. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "array.h"
#include "proc_root.h"
#include "sysvipc.h"

#define MAX_FIELDS 16

/* The class names are those of the /proc/sysvipc files. */
static const char *const class_names[IPC_SYSV_CLASS_COUNT] = { "shm", "msg", "sem" };

const char *ipc_sysv_class_dir(enum ipc_sysv_class cls)
{
	return (unsigned)cls < IPC_SYSV_CLASS_COUNT ? class_names[cls] : "?";
}

int ipc_sysv_class_from_dir(const char *name)
{
	int c;

	for (c = 0; c < IPC_SYSV_CLASS_COUNT; c++)
		if (strcmp(class_names[c], name) == 0)
			return c;
	return -ENOENT;
}

static const size_t fields_needed[IPC_SYSV_CLASS_COUNT] = {
	[IPC_SYSV_SHM] = 14,
	[IPC_SYSV_MSG] = 14,
	[IPC_SYSV_SEM] = 10,
};

int sysvipc_parse_line(enum ipc_sysv_class cls, const char *text, struct ipc_sysv_object *out)
{
	const char *p = text + strspn(text, " \t");
	unsigned long long v[MAX_FIELDS];
	long long key = 0;
	size_t n = 0;
	char *end;

	/* The header names its columns; only object lines start with a number. */
	if ((*p < '0' || *p > '9') && *p != '-')
		return 0;
	for (; n < MAX_FIELDS; n++) {
		p += strspn(p, " \t");
		if (!*p)
			break;
		/* Only the key is signed (printed as an int); perms are octal. */
		if (*p == '-' && n > 0)
			return -EBADMSG;
		errno = 0;
		if (n == 0)
			key = strtoll(p, &end, 10);
		else
			v[n] = strtoull(p, &end, n == 2 ? 8 : 10);
		if (end == p || errno || (*end && *end != ' ' && *end != '\t'))
			return -EBADMSG;
		p = end;
	}
	if (n < fields_needed[cls] || key < INT32_MIN || key > UINT32_MAX || v[1] > INT32_MAX ||
	    v[2] > 07777777)
		return -EBADMSG;
	*out = (struct ipc_sysv_object){
		.cls = (uint8_t)cls,
		.key = (uint32_t)key,
		.id = (int)v[1],
		.perms = (mode_t)v[2],
	};
	switch (cls) {
	case IPC_SYSV_SHM:
		out->size = (uint64_t)v[3];
		out->cpid = (pid_t)v[4];
		out->lpid = (pid_t)v[5];
		out->nattch = (uint64_t)v[6];
		out->uid = (uid_t)v[7];
		out->gid = (gid_t)v[8];
		out->cuid = (uid_t)v[9];
		out->cgid = (gid_t)v[10];
		out->atime = (int64_t)v[11];
		out->dtime = (int64_t)v[12];
		out->ctime = (int64_t)v[13];
		break;
	case IPC_SYSV_MSG:
		out->size = (uint64_t)v[3];
		out->qnum = (uint64_t)v[4];
		out->lspid = (pid_t)v[5];
		out->lrpid = (pid_t)v[6];
		out->uid = (uid_t)v[7];
		out->gid = (gid_t)v[8];
		out->cuid = (uid_t)v[9];
		out->cgid = (gid_t)v[10];
		out->stime = (int64_t)v[11];
		out->rtime = (int64_t)v[12];
		out->ctime = (int64_t)v[13];
		break;
	default:
		out->nsems = (uint32_t)v[3];
		out->uid = (uid_t)v[4];
		out->gid = (gid_t)v[5];
		out->cuid = (uid_t)v[6];
		out->cgid = (gid_t)v[7];
		out->otime = (int64_t)v[8];
		out->ctime = (int64_t)v[9];
		break;
	}
	return 1;
}

struct read_context {
	enum ipc_sysv_class cls;
	struct sysv_list *list;
};

static int add_line(void *context, char *text, size_t len)
{
	struct read_context *c = context;
	struct sysv_list *list = c->list;
	struct ipc_sysv_object object;
	int r;

	(void)len;
	r = sysvipc_parse_line(c->cls, text, &object);
	if (r < 0)
		list->bad_lines++;
	if (r <= 0)
		return 0;
	if (array_reserve(list->items, list->cap, list->n + 1) < 0)
		return -ENOMEM;
	list->items[list->n++] = object;
	return 0;
}

int sysvipc_read(const struct proc_root *root, const char *dir, enum ipc_sysv_class cls,
		 char *buf, size_t size, struct sysv_list *list)
{
	struct read_context context = { .cls = cls, .list = list };
	char path[PATH_MAX];
	int fd, r;

	if ((size_t)snprintf(path, sizeof(path), "%s/%s", dir, class_names[cls]) >= sizeof(path))
		return -ENAMETOOLONG;
	fd = openat(root->dirfd, path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return errno == ENOENT ? 0 : -errno;
	r = read_lines(fd, buf, size, &list->bad_lines, add_line, &context);
	close(fd);
	return r;
}

void sysv_list_free(struct sysv_list *list)
{
	free(list->items);
	*list = (struct sysv_list){0};
}

static int find_btime(void *context, char *text, size_t len)
{
	(void)len;
	if (strncmp(text, "btime ", 6) != 0)
		return 0;
	*(int64_t *)context = strtoll(text + 6, NULL, 10);
	return 1;
}

/* /proc/stat can be long (an "intr" line per interrupt), so it is read
 * line by line rather than into a fixed buffer. */
int proc_boot_time(const struct proc_root *root, char *buf, size_t size, int64_t *btime)
{
	int fd, r;

	fd = openat(root->dirfd, "stat", O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	r = read_lines(fd, buf, size, NULL, find_btime, btime);
	close(fd);
	return r == 1 ? 0 : r < 0 ? r : -ENOENT;
}
