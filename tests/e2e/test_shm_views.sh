#!/bin/bash
# tests/e2e/test_shm_views.sh — POSIX shared memory reached under another
# name than /dev/shm/NAME: a bind mount of /dev/shm (what a chroot with
# /dev bound in shows too).  The fd links and maps of such holders read
# the other path; ipcfs takes any file on its own /dev/shm for a shm
# object, so they are endpoints and peers of those that use /dev/shm/NAME.
#
#   IPCFS=build/ipcfs bash tests/e2e/test_shm_views.sh
#
# Three python3 processes: "direct" holds /dev/shm/NAME by fd; "viewfd"
# opens VIEW/NAME and maps it; "viewmap" maps VIEW/NAME and closes its fd.
# Each reports its fd or the mapping's start address.  A fourth holds and
# maps a plain file in the test's directory: no shm endpoint.

# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"
e2e_init
NAME=ipcfs-e2e-view-$$
VIEW=$TESTDIR/shmview
# At exit, before lib.sh's cleanup: the bind mount and the object.
view_cleanup() {
	local p
	for p in "${_e2e_pids[@]}"; do stop_pid "$p"; done
	_e2e_pids=()
	if _mounted "$VIEW"; then umount "$VIEW" || umount -l "$VIEW"; fi
	rm -f "/dev/shm/$NAME"
}
trap 'view_cleanup; _e2e_cleanup' EXIT

section "set up: /dev/shm/$NAME, /dev/shm bound at TESTDIR/shmview"
head -c 8192 /dev/zero >"/dev/shm/$NAME"
mkdir "$VIEW" && mount --bind /dev/shm "$VIEW"
t_ok "the bind mount shows the object" test -f "$VIEW/$NAME"

# holder ROLE PATH: starts one holder, sets HOLDER (pid) and REPORT (its
# line: "fd N", "fd N map HEX" or "map HEX"), once it is set up.
holder() {
	local fd line
	exec {fd}< <(exec python3 -c '
import ctypes, os, sys, time
role, path = sys.argv[1], sys.argv[2]
fd = os.open(path, os.O_RDWR)
out = []
if role != "direct":
    # mmap(2) itself: python3 mmap keeps a dup of the fd
    libc = ctypes.CDLL(None, use_errno=True)
    libc.mmap.restype = ctypes.c_void_p
    libc.mmap.argtypes = [ctypes.c_void_p, ctypes.c_size_t, ctypes.c_int, ctypes.c_int,
                          ctypes.c_int, ctypes.c_long]
    addr = libc.mmap(None, 8192, 3, 1, fd, 0)   # PROT_READ|PROT_WRITE, MAP_SHARED
    if addr in (None, ctypes.c_void_p(-1).value):
        sys.exit("mmap failed")
if role == "viewmap":
    os.close(fd)
else:
    out.append("fd %d" % fd)
if role != "direct":
    out.append("map %x" % addr)
print(" ".join(out), flush=True)
time.sleep(3600)' "$1" "$2")
	HOLDER=$!
	_e2e_pids+=("$HOLDER")
	IFS= read -r -t 10 -u "$fd" line || line=
	exec {fd}<&-
	REPORT=$line
}

holder direct "/dev/shm/$NAME"
DIRECT=$HOLDER DIRECT_FD=${REPORT#fd }
holder viewfd "$VIEW/$NAME"
VIEWFD=$HOLDER
read -r _ VIEWFD_FD _ VIEWFD_MAP <<<"$REPORT"
holder viewmap "$VIEW/$NAME"
VIEWMAP=$HOLDER VIEWMAP_MAP=${REPORT#map }
t_ok "three holders set up ($DIRECT fd $DIRECT_FD; $VIEWFD fd $VIEWFD_FD, map $VIEWFD_MAP; $VIEWMAP map $VIEWMAP_MAP)" \
	test -n "$DIRECT_FD" -a -n "$VIEWFD_FD" -a -n "$VIEWFD_MAP" -a -n "$VIEWMAP_MAP"
t_is "$(readlink "/proc/$VIEWFD/fd/$VIEWFD_FD")" "$VIEW/$NAME" \
	"the kernel names viewfd's fd by the other path"
t_ok "and its mapping too (/proc/$VIEWMAP/maps)" grep -q " $VIEW/$NAME\$" "/proc/$VIEWMAP/maps"

# Not shm: a file elsewhere (TESTDIR) by fd and by shared mapping, and
# /dev/zero mapped privately (devtmpfs, which also says it is a tmpfs).
head -c 8192 /dev/zero >"$TESTDIR/plain"
holder viewfd "$TESTDIR/plain"
PLAIN=$HOLDER
read -r _ PLAIN_FD _ PLAIN_MAP <<<"$REPORT"
t_ok "a holder of a plain file ($PLAIN fd $PLAIN_FD, map $PLAIN_MAP)" test -n "$PLAIN_MAP"

section "mount"
ipcfs_mount 600

section "the holders through the bind mount are shm endpoints"
t_is "$(info_get "$MNT/$VIEWFD/shm/$VIEWFD_FD/info" path)" "$VIEW/$NAME" \
	"viewfd's fd $VIEWFD_FD: path as its link reads"
t_is "$(info_get "$MNT/$VIEWFD/shm/$VIEWFD_FD/info" mapped)" "yes" "viewfd's fd: mapped"
t_is "$(info_get "$MNT/$VIEWFD/shm/$VIEWFD_FD/info" size)" "8192" "viewfd's fd: the object's size"
t_is "$(info_get "$MNT/$VIEWMAP/shm/map-$VIEWMAP_MAP/info" path)" "$VIEW/$NAME" \
	"viewmap's mapping map-$VIEWMAP_MAP: path as its maps line reads"
t_is "$(info_get "$MNT/$VIEWFD/shm/$VIEWFD_FD/info" id)" "$(stat -c %i "/dev/shm/$NAME")" \
	"viewfd's fd: the object's inode"

section "peers across the two names"
t_is "$(info_get "$MNT/$DIRECT/shm/$DIRECT_FD/info" peers | tr ' ' '\n' | sort | tr '\n' ' ')" \
	"$(printf '%s\n' "$VIEWFD:$VIEWFD_FD" "$VIEWMAP:map-$VIEWMAP_MAP" | sort | tr '\n' ' ')" \
	"direct's fd: viewfd's fd and viewmap's mapping"
t_is "$(readlink "$MNT/$VIEWMAP/shm/map-$VIEWMAP_MAP/$DIRECT:$DIRECT_FD")" \
	"../../../$DIRECT/shm/$DIRECT_FD" "viewmap's mapping links to direct's fd"
t_is "$(grep -c "^shm	\($DIRECT\|$VIEWFD\|$VIEWMAP\)	" "$MNT/channels")" "3" \
	"MNT/channels: one shm row per holder"

section "a file on another device is no shm endpoint"
t_is "$(ls "$MNT/$PLAIN/shm" 2>&1)" "" "MNT/$PLAIN/shm lists nothing"
t_is "$(grep -c "^shm	$PLAIN	" "$MNT/channels")" "0" "MNT/channels: no shm row of it"

t_done
