#!/bin/bash
# tests/e2e/test_tcpinfo.sh — TCP counters end to end (issue 13, item 5):
# two real processes (fieldmaker.py tcp) move 100000 bytes one way and
# 12345 back over a loopback connection, each end reading to the last byte
# before it reports; info and channels.json must show exactly those byte
# counts (INET_DIAG_INFO from the sock_diag dump).
#
#   IPCFS=build/ipcfs bash tests/e2e/test_tcpinfo.sh

# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"
e2e_init
SENT=100000 RECEIVED=12345
COUNTERS="bytes_sent bytes_received segs_out segs_in retrans rtt_us last_send_ms last_recv_ms"

section "start the processes"
fieldmaker_start tcp "$SENT" "$RECEIVED"
C=${FM_PID[client]} S=${FM_PID[server]}
t_ok "fieldmaker made client $C and server $S, every byte delivered" test -n "$C" -a -n "$S"
# fd of each end, from the report
fd_of() { sed -n "s/^{\"role\": \"$1\".*\"fd\": \\([0-9]*\\).*/\\1/p" "$TESTDIR/fieldmaker.out"; }
CFD=$(fd_of client) SFD=$(fd_of server)

section "mount"
ipcfs_mount 600
diag "ipcfs pid $IPCFS_PID on $MNT"

section "info: the bytes moved, both ways"
CI=$MNT/$C/tcp4/$CFD/info SI=$MNT/$S/tcp4/$SFD/info
t_is "$(info_get "$CI" bytes_sent) $(info_get "$CI" bytes_received)" "$SENT $RECEIVED" \
	"client: bytes_sent $SENT, bytes_received $RECEIVED"
t_is "$(info_get "$SI" bytes_sent) $(info_get "$SI" bytes_received)" "$RECEIVED $SENT" \
	"server: bytes_sent $RECEIVED, bytes_received $SENT"
for f in "$CI" "$SI"; do
	bad=
	for k in $COUNTERS; do
		[[ $(info_get "$f" "$k") =~ ^[0-9]+$ ]] || bad+=" $k=$(info_get "$f" "$k")"
	done
	t_is "$bad" "" "${f#"$MNT"/}: every counter a number"
	t_ok "${f#"$MNT"/}: segments went out and came in, a round trip was measured" \
		test "$(info_get "$f" segs_out)" -gt 0 -a "$(info_get "$f" segs_in)" -gt 0 \
		-a "$(info_get "$f" rtt_us)" -gt 0
done
t_is "$(grep -o '^[a-z_]*' "$CI" | sed -n '/^local$/,$p' | tr '\n' ' ')" \
	"local remote state rqueue wqueue $COUNTERS netns " "client info: the tcp keys in order"

section "channels.json: the same counts, as numbers"
J=$TESTDIR/root.json
cat "$MNT/channels.json" >"$J" 2>&1
t_is "$(jq -c ".[] | select(.pid == $C and .name == \"$CFD\") | [.bytes_sent, .bytes_received]" "$J" 2>&1)" \
	"[$SENT,$RECEIVED]" "client's object: bytes_sent and bytes_received as numbers"
t_is "$(jq -c ".[] | select(.pid == $S and .name == \"$SFD\") | [.bytes_sent, .bytes_received]" "$J" 2>&1)" \
	"[$RECEIVED,$SENT]" "server's object: the reverse"
t_is "$(python3 "$E2E_DIR/json_check.py" maker "$TESTDIR/fieldmaker.out" "$J" 2>&1)" "" \
	"local and remote as fieldmaker's getsockname and getpeername"
t_is "$(python3 "$E2E_DIR/json_check.py" info "$MNT" "$J" "$C" "$S" 2>&1)" "" \
	"info and channels.json agree on every key of both processes"
t_is "$(jq -r ".[] | select(.pid == $C and .name == \"$CFD\") | .peers[0] | \"\\(.pid):\\(.name)\"" \
	"$J" 2>&1)" "$S:$SFD" "the client's peer is the server's end"

section "DETAIL does not change"
t_is "$(awk -F'\t' -v p="$C" -v n="$CFD" '$2 == p && $4 == n { print $8 }' "$MNT/channels")" \
	"$(jq -r ".[] | select(.pid == $C and .name == \"$CFD\") | \"\\(.local)\\\\040\\(.remote)\\\\040\\(.state)\"" "$J")" \
	"the client's DETAIL is local remote state"

t_done
