#!/usr/bin/env bash
# Installs what is missing (Debian), configures and builds ipcfs.
# usage: scripts/setup.sh [--tests] [--sanitize]
#   --tests     also what the test suite needs
#   --sanitize  build in build-asan with AddressSanitizer and UBSan
set -euo pipefail
cd "$(dirname "$0")/.."

want=(gcc pkg-config meson ninja-build libfuse3-dev fuse3 libmnl-dev)
builddir=build
meson_opts=()
for arg in "$@"; do
	case "$arg" in
	--tests) want+=(libcmocka-dev lsof iproute2 util-linux procps) ;;
	--sanitize) builddir=build-asan
		meson_opts+=(-Db_sanitize=address,undefined -Db_lundef=false) ;;
	*) echo "setup.sh: unknown option $arg" >&2; exit 2 ;;
	esac
done

missing=()
for pkg in "${want[@]}"; do
	dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed' ||
		missing+=("$pkg")
done
if [ ${#missing[@]} -gt 0 ]; then
	echo "setup: installing ${missing[*]}" >&2
	sudo=()
	[ "$(id -u)" -eq 0 ] || sudo=(sudo)
	"${sudo[@]}" apt-get update -qq
	DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq "${missing[@]}" >/dev/null
fi

if [ ! -f "$builddir/build.ninja" ]; then
	meson setup "$builddir" "${meson_opts[@]}" >/dev/null
fi
ninja -C "$builddir" >/dev/null
echo "$builddir"
