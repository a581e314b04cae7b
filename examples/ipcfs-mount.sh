# ipcfs-mount.sh — sourced (". ipcfs-mount.sh") by the ipcfs example
# scripts that sit beside it; not run on its own.  POSIX sh.
#
# ipcfs_mount NAME : print the ipcfs mount point and return 0, or say on
# stderr in one line, prefixed by NAME (the calling script's name), why
# there is none and return 1.
#   - $IPCFS_MOUNT when set (it must hold MNT/channels);
#   - else the first mount of type fuse.ipcfs in /proc/self/mountinfo (its
#     mount point decoded: the kernel writes space, tab, newline and
#     backslash as \ooo there).
ipcfs_mount() {
	if [ -n "${IPCFS_MOUNT:-}" ]; then
		if [ ! -e "$IPCFS_MOUNT/channels" ]; then
			printf '%s: IPCFS_MOUNT=%s is not an ipcfs mount (no channels file there)\n' \
				"$1" "$IPCFS_MOUNT" >&2
			return 1
		fi
		printf '%s\n' "$IPCFS_MOUNT"
		return 0
	fi
	if [ ! -r /proc/self/mountinfo ]; then
		printf '%s: cannot read /proc/self/mountinfo: set IPCFS_MOUNT to the ipcfs mount point\n' \
			"$1" >&2
		return 1
	fi
	# fields: id parent dev root MOUNTPOINT options [optional...] - TYPE source superopts
	_ipcfs_mnt=$(LC_ALL=C awk '
	{
		for (i = 7; i <= NF && $i != "-"; i++) ;
		if ($(i + 1) != "fuse.ipcfs") next
		s = $5; out = ""
		while (match(s, /\\[0-7][0-7][0-7]/)) {
			c = substr(s, RSTART + 1, 3)
			out = out substr(s, 1, RSTART - 1) \
				sprintf("%c", substr(c, 1, 1) * 64 + substr(c, 2, 1) * 8 + substr(c, 3, 1))
			s = substr(s, RSTART + RLENGTH)
		}
		print out s
		exit
	}' /proc/self/mountinfo)
	if [ -z "$_ipcfs_mnt" ]; then
		printf '%s: ipcfs is not mounted (no fuse.ipcfs mount in /proc/self/mountinfo): mount it (ipcfs /mnt/ipc) or set IPCFS_MOUNT\n' \
			"$1" >&2
		return 1
	fi
	if [ ! -e "$_ipcfs_mnt/channels" ]; then
		printf '%s: ipcfs mounted on %s does not answer (its daemon is gone?): unmount it, or set IPCFS_MOUNT\n' \
			"$1" "$_ipcfs_mnt" >&2
		return 1
	fi
	printf '%s\n' "$_ipcfs_mnt"
}
