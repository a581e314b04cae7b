#!/usr/bin/env bash
# Installs what building and running need, builds, and mounts ipcfs.
# usage: scripts/mount.sh [MOUNTPOINT] [ipcfs options...]   (default /mnt/ipc)
set -euo pipefail
mnt=/mnt/ipc
if [ $# -gt 0 ] && [ "${1#-}" = "$1" ]; then
	mnt=$1
	shift
fi
mkdir -p "$mnt"
mnt=$(cd "$mnt" && pwd)
top=$(cd "$(dirname "$0")/.." && pwd)
builddir=$("$top/scripts/setup.sh" | tail -n 1)
"$top/$builddir/ipcfs" "$mnt" "$@"
echo "ipcfs mounted on $mnt (unmount: fusermount3 -u $mnt)"
