#!/bin/bash
# tests/e2e/test_netlink.sh — ipcfs end to end for netlink sockets (issue
# 12, item 4): a real process (chanmaker netlink) holding a NETLINK_ROUTE
# listener bound to RTMGRP_LINK and two NETLINK_USERSOCK sockets connected
# to each other's port id, checked with ls, cat, readlink and find.
#
#   IPCFS=build/ipcfs CHANMAKER=build/tests/chanmaker bash tests/e2e/test_netlink.sh
#
# Expectations come from what chanmaker reports (cm_load in lib.sh): port
# ids from getsockname, peers from which socket it connected where.

# (results come back through namerefs: slurp)
# shellcheck disable=SC2154
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"
e2e_init

section "start the process"
cm_start nl netlink
cm_load
t_is "$EP_N" 3 "chanmaker reported 3 netlink sockets (checks the harness)"
PID=${TAG_PIDS[nl]}

section "mount"
ipcfs_mount "$E2E_TTL"
diag "ipcfs pid $IPCFS_PID on $MNT"

# DETAIL: protocol, port ids, groups, as the maker made them
check_netlink() {
	local x=" ${EP_EXTRA[$1]} " proto port dst groups
	proto=${x#* x_protocol=} proto=${proto%% *}
	port=${x#* x_portid=} port=${port%% *}
	dst=${x#* x_dst_portid=} dst=${dst%% *}
	groups=${x#* x_groups=} groups=${groups%% *}
	t_is "$ROW_DETAIL" "$proto\\040portid=$port\\040dst_portid=$dst\\040groups=$groups" \
		"DETAIL of $2: protocol, port ids, groups"
}
t_endpoints "$PID" "$PID (nl)" check_netlink

section "the route listener has no peer; the netns key is the process's"
t_is "$(grep '^peers:' "$MNT/$PID/netlink/3/info" 2>&1)" "peers: -" "fd 3 (route): peers: -"
t_is "$(grep '^netns:' "$MNT/$PID/netlink/3/info" 2>&1)" \
	"netns: $(stat -L -c %i "/proc/$PID/ns/net")" "fd 3 (route): netns is /proc/$PID/ns/net's inode"

t_done
