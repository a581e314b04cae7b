#!/bin/bash
# tests/e2e/test_packet.sh — ipcfs end to end for packet and raw sockets
# (issue 12, item 5): a real process (chanmaker packet, root) holding a
# packet socket for every ethertype bound to lo, a raw ICMP socket
# (127.0.0.1 -> 127.0.0.2) and a raw ICMPv6 socket on ::1, checked with ls,
# cat, readlink and find.  None has a peer.
#
#   IPCFS=build/ipcfs CHANMAKER=build/tests/chanmaker bash tests/e2e/test_packet.sh
#
# Expectations come from what chanmaker reports (cm_load in lib.sh).

# (results come back through namerefs: slurp)
# shellcheck disable=SC2154
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"
e2e_init

section "start the process"
cm_start pk packet
cm_load
t_is "$EP_N" 3 "chanmaker reported a packet socket and two raw sockets (checks the harness)"
PID=${TAG_PIDS[pk]}

section "mount"
ipcfs_mount "$E2E_TTL"
diag "ipcfs pid $IPCFS_PID on $MNT"

# DETAIL and netns: packet type, protocol, interface; raw protocol and
# addresses, as the maker made them
check_packet_raw() {
	local i=$1 x=" ${EP_EXTRA[$1]} " a b c
	if [ "${EP_KIND[i]}" = packet ]; then
		a=${x#* x_type=} a=${a%% *}
		b=${x#* x_protocol=} b=${b%% *}
		c=${x#* x_interface=} c=${c%% *}
	else
		a=${x#* x_protocol=} a=${a%% *}
		b=${x#* x_local=} b=${b%% *}
		c=${x#* x_remote=} c=${c%% *}
	fi
	t_is "$ROW_DETAIL" "$a\\040$b\\040$c" "DETAIL of $2: ${EP_KIND[i]} facts"
	t_is "$(grep '^netns:' "$MNT/$PID/${EP_KIND[i]}/${EP_NAME[i]}/info" 2>&1)" \
		"netns: $(stat -L -c %i "/proc/$PID/ns/net")" "$2: netns is /proc/$PID/ns/net's inode"
}
t_endpoints "$PID" "$PID (pk)" check_packet_raw

t_done
