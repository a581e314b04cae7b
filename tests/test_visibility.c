/* What the procfs hides: hidepid= read from its mount's options.
 * Who may enter a <pid>/: /proc/<pid>/fd's owner only where the ptrace
 * rule would let that owner read the fd links (real, effective and saved
 * uids and gids all the owner's, no capabilities held); else root. Each
 * case is a one-process /proc tree written in a temporary directory. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "fixture_root.h"

#define PID 4242

/* The owner the fd directory gets: an ordinary user, as the tests run. */
static uid_t user;
static gid_t group;

static void write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "we");

	assert_non_null(f);
	assert_true(fputs(text, f) >= 0);
	assert_int_equal(fclose(f), 0);
}

/* The fd_owner:fd_group ipcfs gives a process with these status lines. */
static void owner_for(const char *uid_line, const char *gid_line, const char *cap_line,
		      uid_t *owner, gid_t *owner_group)
{
	char tree[] = "/tmp/ipcfs-visibility.XXXXXX", path[256], status[512];
	struct ipc_snapshot *snap = NULL;
	const struct ipc_process *proc;

	assert_non_null(mkdtemp(tree));
	snprintf(path, sizeof(path), "%s/%d", tree, PID);
	assert_int_equal(mkdir(path, 0755), 0);
	snprintf(path, sizeof(path), "%s/%d/stat", tree, PID);
	write_file(path, "4242 (mixed) S 1 4242 4242 0 -1 4194304 100 0 0 0 1 2 0 0 20 0 1 0 "
			 "1000 5000000 300 18446744073709551615 1 1 0 0 0 0 0 0 0 0 0 0 17 1 0 0 0 0 0\n");
	snprintf(status, sizeof(status), "Name:\tmixed\nPid:\t%d\n%s\n%s\n%s\nNSpid:\t%d\n",
		 PID, uid_line, gid_line, cap_line, PID);
	snprintf(path, sizeof(path), "%s/%d/status", tree, PID);
	write_file(path, status);
	snprintf(path, sizeof(path), "%s/%d/fd", tree, PID);
	assert_int_equal(mkdir(path, 0500), 0);
	assert_int_equal(chown(path, user, group), 0);

	assert_int_equal(fixture_build(tree, false, NULL, &snap), 0);
	proc = ipc_snapshot_process(snap, PID);
	assert_non_null(proc);
	*owner = proc->fd_owner;
	*owner_group = proc->fd_group;
	assert_int_equal(proc->fd_mode, 0500);
	ipc_snapshot_free(snap);

	rmdir(path);
	snprintf(path, sizeof(path), "%s/%d/status", tree, PID);
	unlink(path);
	snprintf(path, sizeof(path), "%s/%d/stat", tree, PID);
	unlink(path);
	snprintf(path, sizeof(path), "%s/%d", tree, PID);
	rmdir(path);
	rmdir(tree);
}

static void check(const char *uid_fmt, const char *gid_fmt, const char *cap_line, bool kept)
{
	char uid_line[128], gid_line[128];
	uid_t owner;
	gid_t owner_group;

	snprintf(uid_line, sizeof(uid_line), uid_fmt, user, user, user, user);
	snprintf(gid_line, sizeof(gid_line), gid_fmt, group, group, group, group);
	owner_for(uid_line, gid_line, cap_line, &owner, &owner_group);
	assert_int_equal(owner, kept ? user : 0);
	assert_int_equal(owner_group, kept ? group : 0);
}

static const char *const no_caps = "CapPrm:\t0000000000000000";

static void test_same_ids_keep_the_owner(void **state)
{
	(void)state;
	check("Uid:\t%u\t%u\t%u\t%u", "Gid:\t%u\t%u\t%u\t%u", no_caps, true);
}

/* ruid 0, euid the owner, suid 0: the directory is the euid's, but the
 * ptrace rule refuses that user. */
static void test_root_real_and_saved_uid(void **state)
{
	(void)state;
	check("Uid:\t0\t%u\t0\t%u", "Gid:\t%u\t%u\t%u\t%u", no_caps, false);
}

static void test_saved_uid_alone_differs(void **state)
{
	(void)state;
	check("Uid:\t%u\t%u\t0\t%u", "Gid:\t%u\t%u\t%u\t%u", no_caps, false);
}

static void test_real_gid_differs(void **state)
{
	(void)state;
	check("Uid:\t%u\t%u\t%u\t%u", "Gid:\t0\t%u\t%u\t%u", no_caps, false);
}

/* A process holding a capability its user does not (a file-capability
 * binary such as ping) is refused to that user too. */
static void test_permitted_capabilities(void **state)
{
	(void)state;
	check("Uid:\t%u\t%u\t%u\t%u", "Gid:\t%u\t%u\t%u\t%u", "CapPrm:\t0000000000002000", false);
}

/* A procfs's hidepid= and gid= options, from its mountinfo line (found by
 * mount id; the tree's own self/mountinfo stands for the kernel's). */
static void hidepid_of(const char *options, struct proc_hidepid *out)
{
	char tree[] = "/tmp/ipcfs-hidepid.XXXXXX", path[256], text[1024];
	struct proc_root root;
	struct statx stx;

	assert_non_null(mkdtemp(tree));
	assert_int_equal(statx(AT_FDCWD, tree, 0, STATX_MNT_ID, &stx), 0);
	snprintf(path, sizeof(path), "%s/self", tree);
	assert_int_equal(mkdir(path, 0755), 0);
	/* another procfs first: its options do not count */
	snprintf(text, sizeof(text),
		 "%llu 1 0:5 / /other rw - proc proc rw,hidepid=invisible,gid=3\n"
		 "%llu 1 0:21 / /proc rw,nosuid shared:12 - proc proc %s\n",
		 (unsigned long long)stx.stx_mnt_id + 1,
		 (unsigned long long)stx.stx_mnt_id, options);
	snprintf(path, sizeof(path), "%s/self/mountinfo", tree);
	write_file(path, text);
	assert_int_equal(proc_root_open(&root, tree), 0);
	*out = root.hidepid;
	proc_root_close(&root);
	unlink(path);
	snprintf(path, sizeof(path), "%s/self", tree);
	rmdir(path);
	rmdir(tree);
}

static void test_hidepid_options(void **state)
{
	struct proc_hidepid h;

	(void)state;
	hidepid_of("rw,nosuid,hidepid=invisible,gid=27", &h);
	assert_true(h.hides);
	assert_true(h.has_gid);
	assert_int_equal(h.gid, 27);
	hidepid_of("rw,hidepid=2", &h);
	assert_true(h.hides && !h.has_gid);
	hidepid_of("rw,hidepid=ptraceable", &h);
	assert_true(h.hides);
	/* noaccess lists every pid: the kernel's own modes then decide */
	hidepid_of("rw,hidepid=noaccess", &h);
	assert_false(h.hides);
	hidepid_of("rw,nosuid,nodev,noexec,relatime", &h);
	assert_false(h.hides || h.has_gid);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_same_ids_keep_the_owner),
		cmocka_unit_test(test_root_real_and_saved_uid),
		cmocka_unit_test(test_saved_uid_alone_differs),
		cmocka_unit_test(test_real_gid_differs),
		cmocka_unit_test(test_permitted_capabilities),
		cmocka_unit_test(test_hidepid_options),
	};

	/* Root may give the directory away; anyone else owns it already.
	 * Either way the owner is not root, so "kept" and "root" differ. */
	user = geteuid() == 0 ? 65534 : geteuid();
	group = geteuid() == 0 ? 65534 : getegid();
	return cmocka_run_group_tests(tests, NULL, NULL);
}
