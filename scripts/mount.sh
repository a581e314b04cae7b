#!/usr/bin/env bash
# Installs what is missing, builds, and mounts ipcfs.
# usage: scripts/mount.sh [MOUNTPOINT] [ipcfs options...]   (default /mnt/ipc)
set -euo pipefail
cd "$(dirname "$0")/.."
builddir=$(scripts/setup.sh | tail -n 1)
mnt=/mnt/ipc
if [ $# -gt 0 ] && [ "${1#-}" = "$1" ]; then
	mnt=$1
	shift
fi
mkdir -p "$mnt"
"$builddir/ipcfs" "$mnt" "$@"
echo "ipcfs mounted on $mnt (unmount: fusermount3 -u $mnt)"
