#!/usr/bin/env bash
# Installs what is missing (Debian), configures and builds ipcfs.
# usage: scripts/setup.sh [--tests] [--sanitize]
#   --tests     also what the test suite needs (cmocka, the tools tests run)
#   --sanitize  build in build-asan with AddressSanitizer and UBSan
# The last line on stdout is the build directory; every failing step shows
# its own output on stderr and a one-line hint.
set -euo pipefail
cd "$(dirname "$0")/.."

# Building and mounting: the compiler, meson, libfuse3 and libmnl, and
# fuse3 for fusermount3 and mount.fuse3. Nothing a test needs.
want=(gcc libc6-dev pkg-config meson ninja-build libfuse3-dev fuse3 libmnl-dev)
builddir=build
meson_opts=()
for arg in "$@"; do
	case "$arg" in
	--tests) want+=(libcmocka-dev python3 lsof iproute2 util-linux procps strace
			jq graphviz debhelper dpkg-dev lintian systemd clang libclang-rt-dev)
		meson_opts+=(-Dtests=enabled) ;;
	--sanitize) builddir=build-asan
		meson_opts+=(-Db_sanitize=address,undefined -Db_lundef=false) ;;
	*) echo "setup.sh: unknown option $arg (want --tests, --sanitize)" >&2; exit 2 ;;
	esac
done

log=$(mktemp "${TMPDIR:-/tmp}/ipcfs-setup.XXXXXX")
trap 'rm -f "$log"' EXIT

# fail STEP HINT: the step's own output, then one line saying what to do.
fail() {
	cat "$log" >&2
	echo "setup: $1 failed; $2" >&2
	exit 1
}

missing=()
for pkg in "${want[@]}"; do
	dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed' ||
		missing+=("$pkg")
done
if [ ${#missing[@]} -gt 0 ]; then
	echo "setup: installing ${missing[*]}" >&2
	sudo=()
	[ "$(id -u)" -eq 0 ] || sudo=(sudo)
	"${sudo[@]}" apt-get update -qq >"$log" 2>&1 ||
		fail "apt-get update" "check the apt sources and the network, or install by hand: apt-get install ${missing[*]}"
	DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq "${missing[@]}" >"$log" 2>&1 ||
		fail "apt-get install" "install by hand: apt-get install ${missing[*]}"
fi

# A directory left half-configured by an interrupted or failed setup is
# set up anew rather than trusted.
if [ -d "$builddir" ] && [ ! -f "$builddir/build.ninja" ]; then
	rm -rf "$builddir"
fi
if [ ! -f "$builddir/build.ninja" ]; then
	meson setup "$builddir" "${meson_opts[@]}" >"$log" 2>&1 || {
		# keep meson's full log, which the output above points into
		kept=${TMPDIR:-/tmp}/ipcfs-meson-log.txt
		cp "$builddir/meson-logs/meson-log.txt" "$kept" 2>/dev/null &&
			echo "(meson's full log is kept in $kept)" >>"$log"
		rm -rf "$builddir"
		fail "meson setup" "the line marked ERROR above names what is missing"
	}
elif [ ${#meson_opts[@]} -gt 0 ]; then
	meson configure "$builddir" "${meson_opts[@]}" >"$log" 2>&1 ||
		fail "meson configure" "remove $builddir and run this again"
fi
ninja -C "$builddir" >"$log" 2>&1 ||
	fail "ninja (the build)" "the compiler's error is above; remove $builddir to rebuild from scratch"
echo "$builddir"
