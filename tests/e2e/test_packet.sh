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

section "the process: its packet and raw dirs and its whole tree"
t_pid_ls "$PID" "$PID (pk)"
t_pid_tree "$PID" "$PID (pk)"

section "every socket: info, no peer links, channels row"
cat "$MNT/channels" >"$TESTDIR/channels" 2>&1
slurp chan "$TESTDIR/channels"
chan_rows "$chan" "$PID"
for ((i = 0; i < EP_N; i++)); do
	ep="${EP_KIND[i]} $PID:${EP_NAME[i]}"
	t_ep_info "$i" "$ep"
	t_is "$INFO_BAD" 0 "info of $ep: every line is 'key: value'"
	t_ep_dir "$i" "$ep"
	t_chan_row "$i" "$ep"
	x=" ${EP_EXTRA[i]} "
	if [ "${EP_KIND[i]}" = packet ]; then
		a=${x#* x_type=} a=${a%% *}
		b=${x#* x_protocol=} b=${b%% *}
		c=${x#* x_interface=} c=${c%% *}
	else
		a=${x#* x_protocol=} a=${a%% *}
		b=${x#* x_local=} b=${b%% *}
		c=${x#* x_remote=} c=${c%% *}
	fi
	t_is "$ROW_DETAIL" "$a\\040$b\\040$c" "DETAIL of $ep: ${EP_KIND[i]} facts"
	t_is "$(grep '^netns:' "$MNT/$PID/${EP_KIND[i]}/${EP_NAME[i]}/info" 2>&1)" \
		"netns: $(stat -L -c %i "/proc/$PID/ns/net")" "$ep: netns is /proc/$PID/ns/net's inode"
done

t_done
