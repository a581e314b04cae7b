#!/usr/bin/env bash
# tests/e2e/test_install.sh — ipcfs installed like a system tool.
#
# 1. meson install into a scratch prefix (its own build directory, configured
#    from this tree with --prefix=TESTDIR/prefix -Dtests=disabled): the
#    binary in sbin, the man page in man8, the examples (executable, same
#    bytes), the systemd unit with ExecStart= in that sbin, which
#    systemd-analyze verify accepts. Then mount.fuse3 — the helper mount(8)
#    runs for fuse.ipcfs — finds that ipcfs first on PATH and mounts:
#    -o ttl=2 and -o rw,nosuid,nodev,noatime,ttl=2; channels lists a pipeline
#    this test started; umount ends the daemon. (mount(8) itself cannot be
#    pointed at a scratch prefix: util-linux 2.38 drops PATH before running
#    its helper, so the helper's shell searches only the default
#    /usr/local/sbin:...:/bin. mount(8) and fstab are tested on the package.)
# 2. The Debian package, built with dpkg-buildpackage -us -uc -b in a copy of
#    this tree (git ls-files, so uncommitted work is included): lintian
#    reports no error, dpkg -i installs it, systemd-analyze verify accepts the
#    installed unit, `mount -t fuse.ipcfs ipcfs MNT -o ttl=2`, the same with
#    rw,nosuid,nodev,noatime, and the fstab line
#    `ipcfs MNT fuse.ipcfs defaults,ttl=2 0 0` (mount --fstab) mount with
#    /usr/sbin/ipcfs, umount ends the daemon, dpkg --purge removes it all.
#    Skipped (with a diagnostic) when dpkg-buildpackage, debhelper or lintian
#    is missing, or when an ipcfs package or a /usr/sbin/ipcfs is already
#    there: this test never replaces or removes what it did not install.
#
# Every mount is unmounted and the package purged on any exit (trap).

. "$(dirname "$0")/lib.sh"
e2e_init

HEADER="KIND${TAB}PID${TAB}COMM${TAB}NAME${TAB}ACCESS${TAB}ID${TAB}PEERS${TAB}DETAIL"
_inst_mounts=()     # mount points this test mounted (not through lib.sh)
_inst_pkg=0         # 1 once this test ran dpkg -i

# ---- helpers ---------------------------------------------------------------

# pkg_status : dpkg's state of the ipcfs package (not-installed when dpkg
# never heard of it)
pkg_status() {
	local st
	st=$(dpkg-query -W -f='${db:Status-Status}' ipcfs 2>/dev/null)
	printf '%s' "${st:-not-installed}"
}

# find_daemon MNT : true when exactly one ipcfs process has MNT among its
# arguments; its pid in DAEMON (builtins only)
find_daemon() {
	local d a n=0
	local -a args
	DAEMON=
	for d in /proc/[0-9]*; do
		mapfile -d '' -t args 2>/dev/null <"$d/cmdline" || continue
		[ ${#args[@]} -gt 1 ] && [ "${args[0]##*/}" = ipcfs ] || continue
		for a in "${args[@]:1}"; do
			if [ "$a" = "$1" ]; then DAEMON=${d#/proc/}; n=$((n + 1)); break; fi
		done
	done
	[ $n -eq 1 ]
}

# mount_facts MNT : the mount's type, source and per-mount options (from
# mountinfo) into MI_TYPE MI_SRC MI_OPTS; false when MNT is not mounted
mount_facts() {
	local line a b c d mp opts rest
	MI_TYPE= MI_SRC= MI_OPTS=
	while IFS= read -r line; do
		read -r a b c d mp opts rest <<<"$line"
		[ "$mp" = "$1" ] || continue
		rest=${line#* - }
		read -r MI_TYPE MI_SRC _ <<<"$rest"
		MI_OPTS=$opts
		return 0
	done </proc/self/mountinfo
	return 1
}

# new_mnt : a new empty directory under TESTDIR in MNT, remembered for the
# cleanup
new_mnt() {
	MNT=$TESTDIR/mnt${#_inst_mounts[@]}
	mkdir "$MNT" && chmod 755 "$MNT"
	_inst_mounts+=("$MNT")
}

# check_mount LABEL EXE : MNT is a fuse.ipcfs mount served by exactly one
# ipcfs daemon (DAEMON) running EXE, and its channels table starts with the
# header and lists the pipeline P_WRITER | P_READER
check_mount() {
	local label=$1 exe=$2 text k p c n a id pe rest
	mount_facts "$MNT"
	t_is "$MI_TYPE $MI_SRC" "fuse.ipcfs ipcfs" "$label: MNT is a fuse.ipcfs mount of source ipcfs"
	if poll_until 5 find_daemon "$MNT"; then
		t_is "$(readlink "/proc/$DAEMON/exe")" "$exe" "$label: the daemon (pid $DAEMON) runs $exe"
	else
		t_fail "$label: the daemon runs $exe" "no single ipcfs process with $MNT in its arguments"
		DAEMON=
	fi
	slurp text "$MNT/channels"
	t_is "${text%%"$NL"*}" "$HEADER" "$label: MNT/channels starts with the header"
	chan_rows "$text" "$P_WRITER $P_READER"
	IFS=$TAB read -r k p c n a id pe rest <<<"${ROW[$P_READER:0]:-}"
	t_is "${NROWS[$P_READER:0]:-0} $k $p $c $n $a $pe" "1 pipes $P_READER sleep 0 r $P_WRITER:1" \
		"$label: MNT/channels has the reader of this test's sleep | sleep, peer the writer"
	IFS=$TAB read -r k p c n a id pe rest <<<"${ROW[$P_WRITER:1]:-}"
	t_is "${NROWS[$P_WRITER:1]:-0} $k $p $c $n $a $pe" "1 pipes $P_WRITER sleep 1 w $P_READER:0" \
		"$label: MNT/channels has the writer, peer the reader"
}

# unmount_checked LABEL : umount MNT; it is gone and its daemon exits
unmount_checked() {
	t_ok "$1: umount MNT" timeout 10 umount "$MNT"
	if _mounted "$MNT"; then t_fail "$1: MNT no longer mounted"; else t_pass "$1: MNT no longer mounted"; fi
	if [ -z "$DAEMON" ]; then
		t_fail "$1: the daemon exits after umount" "its pid was not found"
	elif wait_dead "$DAEMON" 5; then
		t_pass "$1: the daemon exits after umount"
	else
		t_fail "$1: the daemon exits after umount" "pid $DAEMON still running 5 s after umount"
	fi
}

# dpkg_run CMD... : CMD (dpkg), again for up to 60 s while another dpkg or
# apt holds dpkg's lock; its output in DPKG_OUT
dpkg_run() {
	local rc tries=120
	while :; do
		DPKG_OUT=$("$@" 2>&1); rc=$?
		[ $rc -ne 0 ] && [[ $DPKG_OUT == *lock* ]] && ((--tries > 0)) || return $rc
		sleep 0.5
	done
}

# nolock CMD... : CMD without the package lock's fd, so that a daemon it
# starts cannot hold the lock after this test
nolock() { "$@" {lockfd}>&-; }

# ---- cleanup (before lib.sh's own) -----------------------------------------

_inst_cleanup() {
	local m
	# both ends at once: bash's wait for one process of a pipeline job waits
	# for the whole job
	if [ -n "${P_READER:-}" ]; then
		kill -TERM "$P_WRITER" "$P_READER" 2>/dev/null
		wait "$P_READER" 2>/dev/null
	fi
	for m in "${_inst_mounts[@]}"; do
		_mounted "$m" || continue
		find_daemon "$m" || DAEMON=
		timeout 10 fusermount3 -u "$m" 2>/dev/null
		_mounted "$m" && umount -l "$m" 2>/dev/null
		# the daemon this test's mount started, if it outlived its mount
		if [ -n "$DAEMON" ] && ! wait_dead "$DAEMON" 5; then
			find_daemon "$m" && [ "$DAEMON" ] && kill -TERM "$DAEMON" 2>/dev/null
		fi
	done
	if [ "$_inst_pkg" = 1 ] && [ "$(pkg_status)" != not-installed ]; then
		echo "# cleanup: dpkg --purge ipcfs (installed by this test)"
		dpkg_run dpkg --purge ipcfs || diag "cleanup: dpkg --purge ipcfs failed:" "$DPKG_OUT"
	fi
	_e2e_cleanup
}
trap _inst_cleanup EXIT

# ---- a pipeline to find in channels -------------------------------------------
# (ended by _inst_cleanup; if this shell is killed, by the parent-death signal)

setpriv --pdeathsig TERM sleep 600 | setpriv --pdeathsig TERM sleep 601 &
P_READER=$!
P_WRITER=$(jobs -p %%)
pipe_ready() { [[ $(readlink "/proc/$P_READER/fd/0") == pipe:* && $(readlink "/proc/$P_WRITER/exe") == */sleep ]]; }
poll_until 5 pipe_ready || bail_out "the sleep | sleep pipeline did not start"
diag "pipeline: writer $P_WRITER | reader $P_READER"

# ---- the tree, copied --------------------------------------------------------------
# Others may be editing the tree while this runs: both parts build the same
# snapshot, the tracked and untracked (not ignored) files as they are now.

section "copy of the tree"
SRC=$TESTDIR/src/ipcfs
mkdir -p "$SRC"
if git -C "$E2E_REPO" rev-parse --git-dir >/dev/null 2>&1; then
	(cd "$E2E_REPO" && git ls-files -z --cached --others --exclude-standard |
		while IFS= read -r -d '' f; do [ -e "$f" ] && printf '%s\0' "$f"; done |
		tar --null -T - -cf -) | tar -C "$SRC" -xf -
	t_ok "a copy of the tree's files (git ls-files) holds meson.build and debian/rules" \
		test -f "$SRC/meson.build" -a -x "$SRC/debian/rules"
else
	# not a git checkout: everything but build directories
	(cd "$E2E_REPO" && tar --exclude='./build*' --exclude='./obj-*' -cf - .) | tar -C "$SRC" -xf -
	t_ok "a copy of the tree (no git: all but build*/) holds meson.build and debian/rules" \
		test -f "$SRC/meson.build" -a -x "$SRC/debian/rules"
fi

# ---- 1. meson install into a scratch prefix ----------------------------------

section "meson install"
PREFIX=$TESTDIR/prefix
BUILD=$TESTDIR/build
if meson setup "$BUILD" "$SRC" --prefix="$PREFIX" -Dtests=disabled >"$TESTDIR/meson.log" 2>&1 &&
	meson install -C "$BUILD" --quiet >>"$TESTDIR/meson.log" 2>&1; then
	t_pass "meson setup --prefix=TESTDIR/prefix, meson install"
else
	t_fail "meson setup --prefix=TESTDIR/prefix, meson install" "$(tail -n 30 "$TESTDIR/meson.log")"
fi
t_ok "PREFIX/sbin/ipcfs is executable" test -x "$PREFIX/sbin/ipcfs"
t_ok "PREFIX/share/man/man8/ipcfs.8 is there" test -f "$PREFIX/share/man/man8/ipcfs.8"
ex_listing() {
	local f out=
	for f in "$1"/*; do
		[ -e "$f" ] || continue
		out+="${f##*/}$([ -x "$f" ] && echo ' executable')$NL"
	done
	printf '%s' "$out"
}
t_is "$(ex_listing "$PREFIX/share/doc/ipcfs/examples")" "$(ex_listing "$SRC/examples")" \
	"PREFIX/share/doc/ipcfs/examples holds examples/*, the executables executable"
t_ok "the installed examples are examples/* byte for byte" \
	diff -r "$SRC/examples" "$PREFIX/share/doc/ipcfs/examples"
UNIT=$PREFIX/lib/systemd/system/ipcfs.service
t_ok "PREFIX/lib/systemd/system/ipcfs.service is there" test -f "$UNIT"
unit_text=
slurp unit_text "$UNIT"
t_has "$unit_text" "${NL}ExecStart=$PREFIX/sbin/ipcfs /ipc -f -o allow_other$NL" \
	"the unit's ExecStart= is PREFIX/sbin/ipcfs /ipc -f -o allow_other"
t_has "$unit_text" "${NL}WantedBy=multi-user.target$NL" "the unit is wanted by multi-user.target"
if command -v systemd-analyze >/dev/null; then
	# verify checks that ExecStart= exists and that man finds ipcfs(8)
	man_opt=()
	command -v man >/dev/null || { man_opt=(--man=no); diag "no man(1): systemd-analyze verify --man=no"; }
	t_ok "systemd-analyze verify PREFIX/lib/systemd/system/ipcfs.service" \
		env MANPATH="$PREFIX/share/man" systemd-analyze verify "${man_opt[@]}" "$UNIT"
else
	diag "SKIP systemd-analyze verify: systemd-analyze is not installed"
fi

section "mount.fuse3 with PREFIX/sbin first on PATH"
new_mnt
t_ok "PATH=PREFIX/sbin:\$PATH mount.fuse3 ipcfs MNT -t fuse.ipcfs -o ttl=2" \
	env PATH="$PREFIX/sbin:$PATH" timeout 20 mount.fuse3 ipcfs "$MNT" -t fuse.ipcfs -o ttl=2
check_mount "mount.fuse3 -o ttl=2" "$PREFIX/sbin/ipcfs"
unmount_checked "mount.fuse3 -o ttl=2"

new_mnt
t_ok "PATH=PREFIX/sbin:\$PATH mount.fuse3 ipcfs MNT -t fuse.ipcfs -o rw,nosuid,nodev,noatime,ttl=2" \
	env PATH="$PREFIX/sbin:$PATH" timeout 20 mount.fuse3 ipcfs "$MNT" -t fuse.ipcfs -o rw,nosuid,nodev,noatime,ttl=2
check_mount "mount.fuse3 -o rw,nosuid,nodev,noatime,ttl=2" "$PREFIX/sbin/ipcfs"
t_has ",$MI_OPTS," ",nosuid,nodev,noatime," "mount.fuse3 -o rw,nosuid,nodev,noatime: the mount is nosuid,nodev,noatime"
unmount_checked "mount.fuse3 -o rw,nosuid,nodev,noatime,ttl=2"

# ---- 2. the Debian package --------------------------------------------------------

deb_skip=
for c in dpkg dpkg-buildpackage dpkg-deb dh lintian; do
	command -v "$c" >/dev/null || { deb_skip="$c is not installed (scripts/setup.sh --tests installs debhelper dpkg-dev lintian)"; break; }
done
# One package test at a time on this machine: the lock is held to the end.
if [ -z "$deb_skip" ]; then
	lockdir=/run/lock
	[ -d "$lockdir" ] || lockdir=/tmp
	exec {lockfd}>"$lockdir/ipcfs-test-install.lock"
	flock -w 60 "$lockfd" || deb_skip="another test_install.sh held the package lock for 60 s"
fi
if [ -z "$deb_skip" ]; then
	st=$(pkg_status)
	if [ "$st" != not-installed ]; then
		deb_skip="an ipcfs package is already on this system (status $st): not replacing or removing it"
	elif [ -e /usr/sbin/ipcfs ] || [ -e /lib/systemd/system/ipcfs.service ]; then
		deb_skip="/usr/sbin/ipcfs or /lib/systemd/system/ipcfs.service exists outside any package: not overwriting it"
	elif [ -e /usr/local/sbin/ipcfs ] || [ -e /usr/local/bin/ipcfs ]; then
		deb_skip="an ipcfs in /usr/local would be the one mount -t fuse.ipcfs runs, not the package's"
	fi
fi

if [ -n "$deb_skip" ]; then
	section "Debian package: skipped"
	diag "SKIP the Debian package part: $deb_skip"
	t_done
fi

section "dpkg-buildpackage"
# dpkg-buildpackage writes its results next to the tree: in TESTDIR/src
if (cd "$SRC" && dpkg-buildpackage -us -uc -b) >"$TESTDIR/dpkg-buildpackage.log" 2>&1; then
	t_pass "dpkg-buildpackage -us -uc -b"
else
	t_fail "dpkg-buildpackage -us -uc -b" "$(tail -n 40 "$TESTDIR/dpkg-buildpackage.log")"
	diag "no package: the rest of the package part is not run"
	t_done
fi
debs=("$TESTDIR"/src/ipcfs_*_"$(dpkg --print-architecture)".deb)
t_is "${#debs[@]} $([ -f "${debs[0]}" ] && echo found)" "1 found" "one ipcfs_*.deb built"
DEB=${debs[0]}
contents=$(dpkg-deb -c "$DEB" 2>&1 | awk '{ print $6 }')
for f in ./usr/sbin/ipcfs ./usr/share/man/man8/ipcfs.8.gz ./lib/systemd/system/ipcfs.service \
	./usr/share/doc/ipcfs/copyright; do
	t_has "$NL$contents$NL" "$NL$f$NL" "the .deb holds $f"
done
for f in "$SRC"/examples/*; do
	[ -e "$f" ] || continue
	t_has "$NL$contents$NL" "$NL./usr/share/doc/ipcfs/examples/${f##*/}$NL" \
		"the .deb holds usr/share/doc/ipcfs/examples/${f##*/}"
done

section "lintian"
lint=$(lintian "$DEB" 2>&1)
[ -n "$lint" ] && diag "lintian:" "$lint"
t_is "$(grep '^E:' <<<"$lint")" "" "lintian reports no error on the .deb"

section "dpkg -i"
_inst_pkg=1
if dpkg_run dpkg -i "$DEB"; then
	t_pass "dpkg -i the .deb"
else
	t_fail "dpkg -i the .deb" "$DPKG_OUT"
	diag "not installed: the rest of the package part is not run"
	t_done
fi
t_is "$(pkg_status)" installed "dpkg-query: ipcfs is installed"
t_ok "/usr/sbin/ipcfs is executable" test -x /usr/sbin/ipcfs
t_ok "the man page is installed (man -w ipcfs)" man -w 8 ipcfs
if command -v systemd-analyze >/dev/null; then
	t_ok "systemd-analyze verify /lib/systemd/system/ipcfs.service (as installed)" \
		systemd-analyze verify /lib/systemd/system/ipcfs.service
else
	diag "SKIP systemd-analyze verify: systemd-analyze is not installed"
fi

section "mount -t fuse.ipcfs"
new_mnt
t_ok "mount -t fuse.ipcfs ipcfs MNT -o ttl=2" nolock timeout 20 mount -t fuse.ipcfs ipcfs "$MNT" -o ttl=2
check_mount "mount -o ttl=2" /usr/sbin/ipcfs
unmount_checked "mount -o ttl=2"

new_mnt
t_ok "mount -t fuse.ipcfs ipcfs MNT -o rw,nosuid,nodev,noatime,ttl=2" \
	nolock timeout 20 mount -t fuse.ipcfs ipcfs "$MNT" -o rw,nosuid,nodev,noatime,ttl=2
check_mount "mount -o rw,nosuid,nodev,noatime,ttl=2" /usr/sbin/ipcfs
t_has ",$MI_OPTS," ",nosuid,nodev,noatime," "mount -o rw,nosuid,nodev,noatime: the mount is nosuid,nodev,noatime"
unmount_checked "mount -o rw,nosuid,nodev,noatime,ttl=2"

section "fstab"
new_mnt
printf 'ipcfs %s fuse.ipcfs defaults,ttl=2 0 0\n' "$MNT" >"$TESTDIR/fstab"
t_ok "mount --fstab FILE MNT, FILE: ipcfs MNT fuse.ipcfs defaults,ttl=2 0 0" \
	nolock timeout 20 mount --fstab "$TESTDIR/fstab" "$MNT"
check_mount "fstab" /usr/sbin/ipcfs
unmount_checked "fstab"

section "dpkg --purge"
if dpkg_run dpkg --purge ipcfs; then t_pass "dpkg --purge ipcfs"; else t_fail "dpkg --purge ipcfs" "$DPKG_OUT"; fi
t_is "$(pkg_status)" not-installed "dpkg-query: ipcfs is not installed"
_inst_pkg=0
t_ok "/usr/sbin/ipcfs is gone" test ! -e /usr/sbin/ipcfs
t_ok "/lib/systemd/system/ipcfs.service is gone" test ! -e /lib/systemd/system/ipcfs.service

t_done
