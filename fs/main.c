/* ipcfs: mounts the IPC graph of the system as a read-only tree. */
#include <errno.h>
#include <fcntl.h>
#include <fuse_lowlevel.h>
#include <limits.h>
#include <malloc.h>
#include <math.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <syslog.h>
#include <unistd.h>

#include "ops.h"

struct options {
	char *ttl;
	unsigned max_user_mb;
};

enum { KEY_GENERIC };

/* Options mount(8) and fstab pass for any filesystem (libfuse itself takes
 * rw, ro, [no]suid, [no]dev, [no]exec, [no]atime, async, sync, dirsync):
 * meaningless for a read-only tree without times, so accepted and dropped. */
static const struct fuse_opt option_spec[] = {
	{ "ttl=%s", offsetof(struct options, ttl), 0 },
	{ "max_user_mb=%u", offsetof(struct options, max_user_mb), 0 },
	FUSE_OPT_KEY("defaults", KEY_GENERIC),
	FUSE_OPT_KEY("auto", KEY_GENERIC),
	FUSE_OPT_KEY("noauto", KEY_GENERIC),
	FUSE_OPT_KEY("user", KEY_GENERIC),
	FUSE_OPT_KEY("nouser", KEY_GENERIC),
	FUSE_OPT_KEY("users", KEY_GENERIC),
	FUSE_OPT_KEY("nofail", KEY_GENERIC),
	FUSE_OPT_KEY("_netdev", KEY_GENERIC),
	FUSE_OPT_KEY("relatime", KEY_GENERIC),
	FUSE_OPT_KEY("norelatime", KEY_GENERIC),
	FUSE_OPT_KEY("strictatime", KEY_GENERIC),
	FUSE_OPT_KEY("nostrictatime", KEY_GENERIC),
	FUSE_OPT_KEY("lazytime", KEY_GENERIC),
	FUSE_OPT_KEY("nolazytime", KEY_GENERIC),
	FUSE_OPT_KEY("diratime", KEY_GENERIC),
	FUSE_OPT_KEY("nodiratime", KEY_GENERIC),
	FUSE_OPT_KEY("iversion", KEY_GENERIC),
	FUSE_OPT_KEY("noiversion", KEY_GENERIC),
	FUSE_OPT_KEY("mand", KEY_GENERIC),
	FUSE_OPT_KEY("nomand", KEY_GENERIC),
	FUSE_OPT_KEY("loud", KEY_GENERIC),
	FUSE_OPT_KEY("silent", KEY_GENERIC),
	FUSE_OPT_END
};

/* Drops the generic options and mount(8)'s x-* comments (x-systemd.*);
 * keeps the rest for libfuse, which rejects what it does not know. */
static int option_proc(void *data, const char *arg, int key, struct fuse_args *outargs)
{
	(void)data;
	(void)outargs;
	if (key == KEY_GENERIC)
		return 0;
	if (key == FUSE_OPT_KEY_OPT && strncmp(arg, "x-", 2) == 0)
		return 0;
	return 1;
}

/* mount.fuse3 (mount -t fuse.ipcfs, fstab) runs "ipcfs SOURCE MOUNTPOINT
 * -o ...": with two words that are not options, the first is the source,
 * which names nothing for ipcfs and is dropped.  More words are refused. */
static int drop_source_argument(int *argc, char *argv[])
{
	int i, first = 0, words = 0;

	for (i = 1; i < *argc; i++) {
		if (strcmp(argv[i], "-o") == 0) {
			i++;
		} else if (argv[i][0] != '-') {
			if (!words++)
				first = i;
		}
	}
	if (words > 2) {
		fprintf(stderr, "ipcfs: too many arguments (usage: %s [SOURCE] MOUNTPOINT [options])\n",
			argv[0]);
		return -1;
	}
	if (words == 2) {
		memmove(&argv[first], &argv[first + 1], (size_t)(*argc - first) * sizeof(*argv));
		(*argc)--;
	}
	return 0;
}

static void usage(const char *prog)
{
	printf("usage: %s [SOURCE] MOUNTPOINT [options]\n\n"
	       "Mounts a read-only tree of every process's IPC channels and their peers.\n\n"
	       "ipcfs options:\n"
	       "    -o ttl=SECONDS         rebuild what is shown when older than this\n"
	       "                           (default 1, fractions allowed, 0 = every request)\n"
	       "    -o max_user_mb=N       MiB of open files' text one user other than root\n"
	       "                           may hold (default 64, 0 = no limit)\n"
	       "    SOURCE                 ignored (mount -t fuse.ipcfs ipcfs MOUNTPOINT)\n",
	       prog);
}

/* One clear line for a mount point that cannot be used. */
static int check_mountpoint(const char *path)
{
	char parent[PATH_MAX];
	struct stat st, up;

	if (stat(path, &st) < 0) {
		if (errno == ENOTCONN)
			fprintf(stderr, "ipcfs: %s: a dead FUSE mount is there; unmount it first "
				"(fusermount3 -u %s)\n", path, path);
		else
			fprintf(stderr, "ipcfs: %s: %s\n", path, strerror(errno));
		return -1;
	}
	if (!S_ISDIR(st.st_mode)) {
		fprintf(stderr, "ipcfs: %s: not a directory\n", path);
		return -1;
	}
	if (snprintf(parent, sizeof(parent), "%s/..", path) >= (int)sizeof(parent) ||
	    stat(parent, &up) < 0) {
		fprintf(stderr, "ipcfs: %s: cannot check the parent directory\n", path);
		return -1;
	}
	if (st.st_dev != up.st_dev && st.st_ino != up.st_ino) {
		fprintf(stderr, "ipcfs: %s: busy: something is already mounted there\n", path);
		return -1;
	}
	return 0;
}

static int parse_ttl(const char *text, double *ttl)
{
	char *end;

	if (!text)
		return 0;
	errno = 0;
	*ttl = strtod(text, &end);
	if (errno || end == text || *end || !isfinite(*ttl) || *ttl < 0 || *ttl > 86400) {
		fprintf(stderr, "ipcfs: invalid ttl '%s': want seconds between 0 and 86400\n", text);
		return -1;
	}
	return 0;
}

/* Whether GLIBC_TUNABLES sets this tunable: then it is left as given. */
static bool tunable_given(const char *name)
{
	const char *t = getenv("GLIBC_TUNABLES");

	return t && strstr(t, name);
}

/* The allocator of a daemon that runs for months must give back what a
 * build or a burst of readers took (bench/memory.sh measures it):
 *  - glibc raises its mmap threshold to the size of every large block
 *    freed, so after the first big channels text all later ones, the
 *    builder's arrays and the snapshots' arena chunks come from the heaps
 *    and stay there.  A fixed threshold keeps blocks of 128 KiB and more in
 *    mappings of their own, returned on free (it also fixes the trim
 *    threshold: a heap whose top has 128 KiB free shrinks).
 *  - glibc gives every thread that allocates (scan threads, maps workers,
 *    FUSE threads) its own arena, up to 8 per CPU, each keeping its free
 *    memory; two are enough for the scan threads of a build. */
static void tune_malloc(void)
{
	if (!tunable_given("glibc.malloc.mmap_threshold"))
		mallopt(M_MMAP_THRESHOLD, 128 * 1024);
	if (!tunable_given("glibc.malloc.arena_max"))
		mallopt(M_ARENA_MAX, 2);
}

int main(int argc, char *argv[])
{
	struct fuse_args args;
	struct fuse_cmdline_opts cmdline;
	struct options options = { .max_user_mb = 64 };
	struct fuse_loop_config *loop;
	struct held_snapshot *first;
	struct fuse_session *se;
	struct ipcfs fs = { .ttl = 1.0 };
	int status = 1, r;

	tune_malloc();
	if (drop_source_argument(&argc, argv) < 0)
		return 1;
	args = (struct fuse_args)FUSE_ARGS_INIT(argc, argv);
	if (fuse_parse_cmdline(&args, &cmdline) != 0)
		return 1;
	if (cmdline.show_help) {
		usage(argv[0]);
		fuse_cmdline_help();
		fuse_lowlevel_help();
		status = 0;
		goto out_args;
	}
	if (cmdline.show_version) {
		printf("ipcfs version %s\n", IPCFS_VERSION);
		fuse_lowlevel_version();
		status = 0;
		goto out_args;
	}
	if (fuse_opt_parse(&args, &options, option_spec, option_proc) != 0 ||
	    parse_ttl(options.ttl, &fs.ttl) < 0)
		goto out_args;
	if (!cmdline.mountpoint) {
		fprintf(stderr, "ipcfs: no mount point given (usage: %s MOUNTPOINT [options])\n",
			argv[0]);
		goto out_args;
	}
	/* Only its existence: users without access mount through fusermount3. */
	if (access("/dev/fuse", F_OK) < 0) {
		fprintf(stderr, "ipcfs: /dev/fuse: %s (is the fuse module loaded?)\n",
			strerror(errno));
		goto out_args;
	}
	if (check_mountpoint(cmdline.mountpoint) < 0)
		goto out_args;
	/* The kernel enforces each <pid>/ directory's mode; root serves all
	 * users, each seeing what /proc lets them see. */
	if (fuse_opt_add_arg(&args, "-odefault_permissions,ro,fsname=ipcfs,subtype=ipcfs") ||
	    (geteuid() == 0 && fuse_opt_add_arg(&args, "-oallow_other")))
		goto out_args;

	/* What goes wrong while serving (a failed build) goes to syslog, and
	 * to stderr too while ipcfs stays in the foreground. */
	openlog("ipcfs", LOG_PID | (cmdline.foreground ? LOG_PERROR : 0), LOG_DAEMON);
	r = snapcache_init(&fs.cache, "/proc", fs.ttl);
	if (r < 0) {
		fprintf(stderr, "ipcfs: /proc: %s\n", strerror(-r));
		goto out_args;
	}
	handles_init(&fs.handles, (size_t)options.max_user_mb << 20);
	events_init(&fs.events, &fs.cache, &fs.handles);
	fs.nodes = nodes_new();
	first = fs.nodes ? snapcache_acquire(&fs.cache) : NULL;
	if (!first) {
		fprintf(stderr, "ipcfs: cannot read the process table: out of memory\n");
		goto out_cache;
	}
	snapcache_release(first);

	se = fuse_session_new(&args, &ipcfs_ops, sizeof(ipcfs_ops), &fs);
	if (!se)
		goto out_cache;
	if (fuse_set_signal_handlers(se) != 0)
		goto out_session;
	if (fuse_session_mount(se, cmdline.mountpoint) != 0)
		goto out_signals;
	if (fuse_daemonize(cmdline.foreground) != 0)
		goto out_unmount;
	if (cmdline.singlethread) {
		status = fuse_session_loop(se);
	} else {
		loop = fuse_loop_cfg_create();
		if (!loop)
			goto out_unmount;
		fuse_loop_cfg_set_clone_fd(loop, (unsigned)cmdline.clone_fd);
		if (cmdline.max_idle_threads != UINT_MAX)
			fuse_loop_cfg_set_idle_threads(loop, cmdline.max_idle_threads);
		if (cmdline.max_threads != UINT_MAX)
			fuse_loop_cfg_set_max_threads(loop, cmdline.max_threads);
		status = fuse_session_loop_mt(se, loop);
		fuse_loop_cfg_destroy(loop);
	}
	/* Reads kept waiting on MNT/events get their end of file while the
	 * session can still send it (before it unmounts). */
	events_shutdown(&fs.events);
	/* The loop returns the signal that ended it: SIGTERM, SIGINT and
	 * SIGHUP are the way to stop ipcfs, a clean exit. */
	status = status != 0 && status != SIGTERM && status != SIGINT && status != SIGHUP;
out_unmount:
	fuse_session_unmount(se);
out_signals:
	fuse_remove_signal_handlers(se);
out_session:
	fuse_session_destroy(se);
out_cache:
	events_destroy(&fs.events);
	nodes_free(fs.nodes);
	handles_destroy(&fs.handles);
	snapcache_destroy(&fs.cache);
out_args:
	free(cmdline.mountpoint);
	free(options.ttl);
	fuse_opt_free_args(&args);
	return status;
}
