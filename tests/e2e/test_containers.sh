#!/bin/bash
# tests/e2e/test_containers.sh — a "container" beside the host: the same
# shmmaker scenario twice, each in a cgroup the test makes under the root
# of the cgroup v2 hierarchy, the second also in an IPC namespace of its
# own whose next System V ids are set (/proc/sys/kernel/*_next_id) to the
# ids the first got, and whose keys are the first one's: two System V
# segments, two queues and two semaphore sets with equal ids and keys, told
# apart only by their namespace (and the segment's size: 10000 bytes on
# the host, 20000 in the container).  Checked with ls, find, readlink and
# cat as a user would:
#   - every process's tree and its endpoints' info and links (lib.sh's
#     t_pid_tree, t_ep_info, t_ep_dir): each process reaches the objects
#     of its own namespace (size, key), peers only processes of its own
#     namespace
#   - MNT/sysv/<class>/<id> is the host's object, with host processes only
#   - info of every endpoint: cgroup is the process's cgroup; of a System
#     V endpoint and object: ipcns is the namespace's inode
#     (/proc/<pid>/ns/ipc); channels.json (jq) says the same
#   - MNT/<pid>/cgroup names the process's cgroup, as /proc/<pid>/cgroup
#
#   IPCFS=build/ipcfs CHANMAKER=build/tests/chanmaker bash tests/e2e/test_containers.sh
#
# SHMMAKER defaults to the shmmaker next to CHANMAKER.  Needs unshare
# (util-linux) and a cgroup v2 hierarchy.  POSIX queues of another IPC
# namespace are not recognised (ipcfs knows its own namespace's mqueue
# device only): the container's mq-* processes are left out.

# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"
SHMMAKER=${SHMMAKER:-$(dirname "$CHANMAKER")/shmmaker}
case $SHMMAKER in /*) ;; *) SHMMAKER=$PWD/$SHMMAKER ;; esac
e2e_init
[ -x "$SHMMAKER" ] || bail_out "no shmmaker binary at $SHMMAKER (build it, or set SHMMAKER)"
command -v unshare >/dev/null || bail_out "unshare (util-linux) not found"
command -v jq >/dev/null || bail_out "jq not found"
# At exit: end the host's shmmaker (it removes its objects; the
# container's go with its namespace), then lib.sh's cleanup (which also
# removes the test cgroups)
trap 'shmmaker_stop; _e2e_cleanup' EXIT

# ---- the processes, before the mount -------------------------------------
section "host and container"
cg_new "ipcfs-e2e-$$-host"; HOST_CGDIR=$CG_DIR HOST_CG=$CG_PATH
cg_new "ipcfs-e2e-$$-ct"; CT_CGDIR=$CG_DIR CT_CG=$CG_PATH

# run CGDIR [--ids SHM MSG SEM] CMD... : CMD in cgroup CGDIR; with --ids,
# in a new IPC namespace whose next System V ids are SHM, MSG and SEM
# (exec all the way: CMD keeps the pid cm_start knows)
cat >"$TESTDIR/run" <<'EOF'
#!/bin/sh
set -e
if [ "$1" = --in ]; then
	echo "$2" >/proc/sys/kernel/shm_next_id
	echo "$3" >/proc/sys/kernel/msg_next_id
	echo "$4" >/proc/sys/kernel/sem_next_id
	shift 4
	exec "$@"
fi
echo $$ >"$1/cgroup.procs"
shift
if [ "$1" = --ids ]; then
	shift
	exec unshare --ipc -- "$0" --in "$@"
fi
exec "$@"
EOF
chmod 755 "$TESTDIR/run"

SM_RUNNING=1
CHANMAKER=$TESTDIR/run cm_start host "$HOST_CGDIR" "$SHMMAKER" shared
SM_PID=$CM_PID

# sysv_ids TAG : the report's System V lines into ID[class] and KEY[class]
declare -A ID KEY
sysv_ids() {
	local line
	ID=() KEY=()
	while IFS= read -r line; do
		[[ $line =~ ^sysv\ class=([a-z]+)\ id=([0-9]+)\ key=(0x[0-9a-f]+)$ ]] || continue
		ID[${BASH_REMATCH[1]}]=${BASH_REMATCH[2]} KEY[${BASH_REMATCH[1]}]=${BASH_REMATCH[3]}
	done <"$TESTDIR/cm.$1"
	[ ${#ID[@]} = 3 ] || bail_out "shmmaker ($1) reported no System V objects: $(cat "$TESTDIR/cm.$1")"
}
sysv_ids host
declare -A HOST_ID HOST_KEY
for c in shm msg sem; do HOST_ID[$c]=${ID[$c]} HOST_KEY[$c]=${KEY[$c]}; done

CHANMAKER=$TESTDIR/run cm_start ct "$CT_CGDIR" --ids "${ID[shm]}" "${ID[msg]}" "${ID[sem]}" \
	"$SHMMAKER" shared 20000 "$SM_PID"
CT_PID=$CM_PID
cm_load
sysv_ids ct
diag "host shmmaker $SM_PID, container shmmaker $CT_PID; System V ids shm ${ID[shm]} msg ${ID[msg]} sem ${ID[sem]}"

# the processes checked: every one of both scenarios but the container's
# POSIX queue users
CHECKED=()
for p in ${TAG_PIDS[host]} ${TAG_PIDS[ct]}; do
	[ "${PROC_TAG[$p]}" = ct ] && [[ ${PROC_ROLE[$p]} == mq-* ]] && continue
	CHECKED+=("$p")
done
# who PID : "PID (tag role)" into WHO
who() { WHO="$1 (${PROC_TAG[$1]} ${PROC_ROLE[$1]})"; }

# ======================================================================
section "the harness agrees with the kernel"
# ======================================================================
t_is "${ID[shm]} ${ID[msg]} ${ID[sem]} ${KEY[shm]} ${KEY[msg]} ${KEY[sem]}" \
	"${HOST_ID[shm]} ${HOST_ID[msg]} ${HOST_ID[sem]} ${HOST_KEY[shm]} ${HOST_KEY[msg]} ${HOST_KEY[sem]}" \
	"kernel: the container's segment, queue and set have the host's ids and keys"
host_ns=$(readlink "/proc/$SM_PID/ns/ipc") ct_ns=$(readlink "/proc/$CT_PID/ns/ipc")
HOST_NS=${host_ns//[!0-9]/} CT_NS=${ct_ns//[!0-9]/}
t_ok "kernel: the container is in another IPC namespace ($ct_ns, host $host_ns)" \
	[ -n "$CT_NS" ] && [ "$CT_NS" != "$HOST_NS" ]
bad=
for p in ${TAG_PIDS[host]} ${TAG_PIDS[ct]}; do
	want=$HOST_CG; [ "${PROC_TAG[$p]}" = ct ] && want=$CT_CG
	[ "$(sed -n 's/^0:://p' "/proc/$p/cgroup")" = "$want" ] || bad+=" $p"
done
t_is "$bad" "" "kernel: /proc/<pid>/cgroup of every process is its test cgroup ($HOST_CG, $CT_CG)"
# /proc/sysvipc of the host: the host's segment is 10000 bytes
size=$(awk -v id="${HOST_ID[shm]}" '$2 == id { print $4 }' /proc/sysvipc/shm)
t_is "$size" 10000 "kernel: the host's segment ${HOST_ID[shm]} is 10000 bytes"

ipcfs_mount
DEADLINE=$(awk -v t="$E2E_TTL" 'BEGIN { print t + 3 }')

# ======================================================================
section "every process: its tree, its endpoints' info and links"
# ======================================================================
for p in "${CHECKED[@]}"; do
	who "$p"
	t_pid_tree "$p" "$WHO"
done
for ((i = 0; i < EP_N; i++)); do
	p=${EP_PID[i]}
	[[ " ${CHECKED[*]} " == *" $p "* ]] || continue
	who "$p"
	t_ep_info "$i" "$WHO ${EP_KIND[i]}/${EP_NAME[i]}"
	t_ep_dir "$i" "MNT/$p/${EP_KIND[i]}/${EP_NAME[i]}"
done

# ======================================================================
section "info and channels.json: cgroup, ipcns"
# ======================================================================
# CGOF[pid], NSOF[pid]: each process's cgroup and IPC namespace inode
declare -A CGOF NSOF
for p in "${CHECKED[@]}"; do
	CGOF[$p]=$HOST_CG NSOF[$p]=$HOST_NS
	[ "${PROC_TAG[$p]}" = ct ] && CGOF[$p]=$CT_CG NSOF[$p]=$CT_NS
done
bad_cg='' bad_ns='' want_json='' n_sysv=0
for ((i = 0; i < EP_N; i++)); do
	p=${EP_PID[i]}
	[[ " ${CHECKED[*]} " == *" $p "* ]] || continue
	f=$MNT/$p/${EP_KIND[i]}/${EP_NAME[i]}/info
	[ "$(info_get "$f" cgroup)" = "${CGOF[$p]}" ] || bad_cg+=" $p/${EP_KIND[i]}/${EP_NAME[i]}"
	want_json+="$p ${EP_NAME[i]} ${CGOF[$p]}"
	if [ "${EP_KIND[i]}" = sysv ]; then
		n_sysv=$((n_sysv + 1))
		[ "$(info_get "$f" ipcns)" = "${NSOF[$p]}" ] || bad_ns+=" $p/${EP_NAME[i]}"
		want_json+=" ${NSOF[$p]}"
	fi
	want_json+=$NL
done
t_is "$bad_cg" "" "info of every endpoint: cgroup is its process's test cgroup"
t_is "$bad_ns" "" "info of every System V endpoint ($n_sysv): ipcns is its process's IPC namespace (/proc/<pid>/ns/ipc)"
got=
for p in "${CHECKED[@]}"; do
	got+=$(jq -r '.[] | "\(.pid) \(.name) \(.cgroup)" + (if .kind == "sysv" then " \(.ipcns)" else "" end)' \
		"$MNT/$p/channels.json" 2>&1)$NL
done
t_is "$(sort <<<"$got" | grep .)" "$(sort <<<"$want_json" | grep .)" \
	"MNT/<pid>/channels.json: the same cgroup and ipcns, typed (jq)"

# ======================================================================
section "MNT/sysv is the host's"
# ======================================================================
for c in shm msg sem; do
	links=()
	for ((i = 0; i < EP_N; i++)); do
		[ "${EP_TAG[i]}" = host ] && [ "${EP_NAME[i]}" = "$c-${ID[$c]}" ] &&
			links+=("${EP_PID[i]}:${EP_NAME[i]}")
	done
	sort_words want info "${links[@]}"
	t_is "$(ls -A "$MNT/sysv/$c/${ID[$c]}" 2>&1)" "$want" \
		"ls MNT/sysv/$c/${ID[$c]}: info and the host's processes only"
	t_is "$(info_get "$MNT/sysv/$c/${ID[$c]}/info" key)" "${HOST_KEY[$c]}" \
		"MNT/sysv/$c/${ID[$c]}/info: the key"
done
t_is "$(info_get "$MNT/sysv/shm/${ID[shm]}/info" size)" 10000 \
	"MNT/sysv/shm/${ID[shm]}/info: the host's size (10000), not the container's"
for c in shm msg sem; do
	t_is "$(info_get "$MNT/sysv/$c/${ID[$c]}/info" ipcns)" "$HOST_NS" \
		"MNT/sysv/$c/${ID[$c]}/info: ipcns is the host's ($HOST_NS)"
done

# ======================================================================
section "cgroups"
# ======================================================================
bad=
for p in "${CHECKED[@]}"; do
	want=$HOST_CG; [ "${PROC_TAG[$p]}" = ct ] && want=$CT_CG
	slurp got "$MNT/$p/cgroup" || got="(cannot read)"
	[ "$got" = "$want$NL" ] || bad+=" $p:'$got'"
done
t_is "$bad" "" "cat MNT/<pid>/cgroup: one line, the process's cgroup ($HOST_CG or $CT_CG)"
t_is "$(cat "$MNT/self/cgroup" 2>&1)" "$(sed -n 's/^0:://p' /proc/self/cgroup)" \
	"cat MNT/self/cgroup: the reader's own cgroup, as /proc/self/cgroup says"

t_done
