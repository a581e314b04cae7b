#!/bin/bash
# tests/e2e/test_shared.sh — ipcfs end to end: shared memory and queues.
# Real processes (shmmaker) share a memfd and a /dev/shm object (held by fd
# in one process, only mapped in another, both in a third), a POSIX queue
# (inherited by fork, and opened again by name), a System V segment
# (created by one process, attached by three, attached and detached by a
# fifth), a System V queue (sender and receiver) and a semaphore set
# (operated on by two processes).  ipcfs is mounted in a temp dir and
# checked as a user would with ls, cat, readlink, find.
#
#   IPCFS=build/ipcfs bash tests/e2e/test_shared.sh
#
# SHMMAKER defaults to tests/shmmaker in the build dir of $IPCFS.  Every
# expectation comes from what shmmaker reports it created (cm_load in
# lib.sh computes the peers from its "ep" lines) and from the kernel
# (/proc/<pid>/maps, /proc/<pid>/fd, /proc/sysvipc, ipcs), never from ipcfs.

. "$(dirname "$0")/lib.sh"
SHMMAKER=${SHMMAKER:-${IPCFS%/*}/tests/shmmaker}
case $SHMMAKER in /*) ;; *) SHMMAKER=$PWD/$SHMMAKER ;; esac
e2e_init
[ -x "$SHMMAKER" ] || bail_out "no shmmaker binary at $SHMMAKER (build it, or set SHMMAKER)"

TTL=$E2E_TTL
DEADLINE=$(awk -v t="$TTL" 'BEGIN { print t + 3 }')
ENOENT="No such file or directory"

# At exit, before lib.sh's cleanup: end shmmaker if it still runs (it
# removes its objects), then remove whatever a killed run may have left
# (names and keys derive from its pid, see shmmaker.c).
trap 'shmmaker_stop; _e2e_cleanup' EXIT

# ---- the processes, before the mount -------------------------------------
section "start shmmaker"
SM_RUNNING=1
# cm_start runs $CHANMAKER and reads chanmaker's protocol, which shmmaker
# speaks: EOF after "ready" means every process is set up
CHANMAKER=$SHMMAKER cm_start sm shared
SM_PID=$CM_PID
cm_load
ALL_PIDS=${TAG_PIDS[sm]}
# RP[role] = pid
declare -A RP
for p in $ALL_PIDS; do RP[${PROC_ROLE[$p]}]=$p; done

# the report's other lines: objects and mappings
declare -A SV_ID SV_KEY MAP_LOWEST OBJ_INO OBJ_DEV
while IFS= read -r line; do
	case $line in
	"sysv class="*)
		[[ $line =~ ^sysv\ class=([a-z]+)\ id=([0-9]+)\ key=(0x[0-9a-f]+)$ ]] || bail_out "bad line: $line"
		SV_ID[${BASH_REMATCH[1]}]=${BASH_REMATCH[2]} SV_KEY[${BASH_REMATCH[1]}]=${BASH_REMATCH[3]} ;;
	"map pid="*)
		[[ $line =~ ^map\ pid=([0-9]+)\ obj=([A-Z0-9]+)\ starts=([0-9a-fx,]+)\ lowest=0x([0-9a-f]+)$ ]] || bail_out "bad line: $line"
		MAP_LOWEST[${BASH_REMATCH[1]}/${BASH_REMATCH[2]}]=${BASH_REMATCH[4]} ;;
	"memfd obj="* | "shm obj="*)
		[[ $line =~ obj=([A-Z0-9]+)\ ino=([0-9]+)\ dev=([0-9a-f]+:[0-9a-f]+) ]] || bail_out "bad line: $line"
		OBJ_INO[${BASH_REMATCH[1]}]=${BASH_REMATCH[2]} OBJ_DEV[${BASH_REMATCH[1]}]=${BASH_REMATCH[3]} ;;
	"mqueue obj="*)
		[[ $line =~ obj=([A-Z0-9]+)\ ino=([0-9]+) ]] && OBJ_INO[${BASH_REMATCH[1]}]=${BASH_REMATCH[2]} ;;
	esac
done <"$TESTDIR/cm.sm"
{ [ ${#SV_ID[@]} = 3 ] && [ ${#MAP_LOWEST[@]} = 4 ]; } || bail_out "shmmaker report incomplete: $(cat "$TESTDIR/cm.sm")"
diag "shmmaker parent $SM_PID; sysv shm ${SV_ID[shm]} msg ${SV_ID[msg]} sem ${SV_ID[sem]}"

# who PID : "PID (role)" into WHO
who() { WHO="$1 (${PROC_ROLE[$1]})"; }

# ======================================================================
section "the harness agrees with the kernel"
# ======================================================================
# fds: the link text and the inode shmmaker reports
want='' got=''
for ((i = 0; i < EP_N; i++)); do
	[ "${EP_FD[i]}" = - ] && continue
	p=${EP_PID[i]} fd=${EP_FD[i]}
	x=${EP_EXTRA[i]#*x_path=} x=${x%% *}
	want+="$p:$fd ${x//\\040/ } ${EP_ID[i]}$NL"
	got+="$p:$fd $(readlink "/proc/$p/fd/$fd") $(stat -L -c %i "/proc/$p/fd/$fd")$NL"
done
t_is "$got" "$want" "every fd shmmaker reports has that link text and inode in /proc/<pid>/fd"
# mappings: the lowest start of each object's lines in /proc/<pid>/maps,
# keyed by (device, inode): a memfd and a /dev/shm file may share an inode
# number on their two devices
want_a=() got_a=()
for k in "${!MAP_LOWEST[@]}"; do
	p=${k%/*} o=${k#*/}
	want_a+=("$p:$o:${MAP_LOWEST[$k]}")
	got_a+=("$p:$o:$(awk -v ino="${OBJ_INO[$o]}" -v dev="${OBJ_DEV[$o]}" '
		$4 == dev && $5 == ino {
			split($1, r, "-"); s = r[1]
			if (low == "" || length(s) < length(low) || (length(s) == length(low) && s < low)) low = s
		}
		END { print low }' "/proc/$p/maps")")
done
sort_words want "${want_a[@]}"
sort_words got "${got_a[@]}"
t_is "$got" "$want" "the lowest start of every mapped object in /proc/<pid>/maps is the one shmmaker reports"

# sysv_load CLASS ID : the /proc/sysvipc/CLASS row of ID into KV[column]
declare -A KV
sysv_load() {
	local cls=$1 id=$2 hdr row i
	local -a names vals
	KV=()
	{ read -r hdr; while read -r row; do
		vals=($row)
		[ "${vals[1]}" = "$id" ] && break
		row=
	done; } <"/proc/sysvipc/$cls"
	[ -n "$row" ] || return 1
	names=($hdr)
	for ((i = 0; i < ${#names[@]}; i++)); do KV[${names[i]}]=${vals[i]}; done
}
# sysv_want CLASS ID : the info lines ipcfs must show for the object, in
# WANT_KEYS (the order of ipcfs(8)) and WANT[key]; from /proc/sysvipc
declare -A WANT
sysv_want() {
	local cls=$1 id=$2
	WANT=()
	sysv_load "$cls" "$id" || return 1
	WANT[class]=$cls
	WANT[key]=$(printf '0x%08x' $(( KV[key] & 0xffffffff )))
	WANT[perms]=$(printf '%04o' $(( 8#${KV[perms]} )))
	WANT[owner]=${KV[uid]}:${KV[gid]}
	case $cls in
	shm) WANT[size]=${KV[size]} WANT[nattch]=${KV[nattch]} WANT[cpid]=${KV[cpid]} WANT[lpid]=${KV[lpid]}
	     WANT_KEYS="class key size nattch perms owner cpid lpid" ;;
	msg) WANT[size]=${KV[cbytes]} WANT[lspid]=${KV[lspid]} WANT[lrpid]=${KV[lrpid]} WANT[qnum]=${KV[qnum]}
	     WANT_KEYS="class key size perms owner lspid lrpid qnum" ;;
	sem) WANT[nsems]=${KV[nsems]}
	     WANT_KEYS="class key perms owner nsems" ;;
	esac
}
SYSV_ALL_KEYS="class key size nattch perms owner cpid lpid lspid lrpid qnum nsems"

# t_ipcs CLASS OPTION FIELD=COLUMN... : ipcs OPTION -i <the CLASS object>
# shows each FIELD (in that order) with the value of COLUMN in
# /proc/sysvipc/CLASS, whose row it leaves in KV
t_ipcs() {
	local cls=$1 opt=$2 out f fields='' want=''
	shift 2
	out=$(ipcs "$opt" -i "${SV_ID[$cls]}" 2>&1)
	sysv_load "$cls" "${SV_ID[$cls]}"
	for f in "$@"; do
		fields+=${fields:+|}${f%%=*}
		want+="${f%%=*}=${KV[${f#*=}]} "
	done
	t_is "$(grep -o -E "($fields)=[0-9]+" <<<"$out" | tr '\n' ' ')" "$want" \
		"ipcs $opt -i ${SV_ID[$cls]} agrees with /proc/sysvipc/$cls"
}

# ipcs -i says the same as /proc/sysvipc, and what shmmaker set up
id=${SV_ID[shm]}
t_ipcs shm -m bytes=size lpid=lpid cpid=cpid nattch=nattch
t_is "${KV[cpid]} ${KV[lpid]} ${KV[nattch]} ${KV[size]} $(printf '0x%08x' "${KV[key]}")" \
	"${RP[shm-c]} ${RP[shm-d]} 3 10000 ${SV_KEY[shm]}" \
	"kernel: segment $id created by shm-c, last attached/detached by shm-d, 3 attached, 10000 bytes"
files=()
for p in $ALL_PIDS; do files+=("/proc/$p/maps"); done
attached=$(grep -l " $id *$(printf '/SYSV%08x' "${KV[key]}") (deleted)\$" "${files[@]}" | sort)
sort_words want "/proc/${RP[shm-a1]}/maps" "/proc/${RP[shm-a2]}/maps" "/proc/${RP[shm-a3]}/maps"
t_is "$attached" "$want" "kernel: the segment is in /proc/<pid>/maps of shm-a1..a3 only"
id=${SV_ID[msg]}
t_ipcs msg -q cbytes=cbytes qnum=qnum lspid=lspid lrpid=lrpid
t_is "${KV[lspid]} ${KV[lrpid]} ${KV[qnum]} ${KV[cbytes]}" "${RP[msg-s]} ${RP[msg-r]} 2 50" \
	"kernel: queue $id: lspid msg-s, lrpid msg-r, 2 messages, 50 bytes"
id=${SV_ID[sem]}
out=$(ipcs -s -i "$id" 2>&1)
sysv_load sem "$id"
SEM_PIDS=$(awk '/^semnum/ { t = 1; next } t && NF == 5 { print $1 ":" $5 }' <<<"$out" | tr '\n' ' ')
t_is "${KV[nsems]} $SEM_PIDS" "3 0:${RP[sem-x]} 1:${RP[sem-y]} 2:${RP[sem-y]} " \
	"kernel (ipcs -s -i $id): 3 semaphores, last operated on by sem-x, sem-y, sem-y"

# ---- mount --------------------------------------------------------------
section "mount"
ipcfs_mount "$TTL"
diag "ipcfs pid $IPCFS_PID on $MNT, ttl=$TTL"

# ======================================================================
section "MNT/ and MNT/<pid>/ of every process"
# ======================================================================
t_ls_root "ls MNT lists every shmmaker process that has an endpoint"
t_is "${LISTED[sysv]:-}" 1 "ls MNT lists sysv"
t_is "${LISTED[$SM_PID]:-not listed}" "not listed" "ls MNT does not list shmmaker's parent, which holds nothing"
t_is "$(ls -A "$MNT/$SM_PID" 2>&1 | tr '\n' ' ')" "$PROC_FILES " "ls MNT/<parent>: $PROC_FILES only"

for pid in $ALL_PIDS; do
	who "$pid"
	[ "$pid" = "$SM_PID" ] && continue
	t_pid_ls "$pid" "$WHO"
	t_pid_tree "$pid" "$WHO"
done

# the names that matter, said plainly
mp=${RP[mapper]} bo=${RP[both]} ho=${RP[holder]}
t_is "$(ls -A "$MNT/$mp/memfd" 2>&1)" "$(printf 'map-%s\n' "${MAP_LOWEST[$mp/M1]}" "${MAP_LOWEST[$mp/M2]}" | sort)" \
	"mapper's memfd entries are map-<lowest start in hex> of M1 (mapped twice) and M2"
t_is "$(ls -A "$MNT/$mp/shm" 2>&1)" "$(printf 'map-%s\n' "${MAP_LOWEST[$mp/SA]}" "${MAP_LOWEST[$mp/SB]}" | sort)" \
	"mapper's shm entries are map-<lowest start in hex> of A and B"
t_is "$(ls -A "$MNT/$bo/memfd" "$MNT/$bo/shm" 2>&1)" "$MNT/$bo/memfd:${NL}3${NL}${NL}$MNT/$bo/shm:${NL}4" \
	"both (fd and mapping on one object): only the fd entries, no map- entry"

# ======================================================================
section "every endpoint: info and peer links"
# ======================================================================
for ((i = 0; i < EP_N; i++)); do
	pid=${EP_PID[i]}
	ep="${EP_KIND[i]} $pid:${EP_NAME[i]} (${PROC_ROLE[$pid]})"
	t_ep_info "$i" "$ep"
	t_is "$INFO_BAD ${INFO[maps]:-no maps key}" "0 no maps key" \
		"info of $ep: every line is 'key: value'; no 'maps: unavailable' (maps readable)"
	t_ep_dir "$i" "$ep"
done

# ======================================================================
section "System V: MNT/sysv/<class>/<id>/ and MNT/<pid>/sysv/"
# ======================================================================
t_is "$(ls -A "$MNT/sysv" 2>&1)" "msg${NL}sem${NL}shm" "ls MNT/sysv: msg sem shm"

# ls MNT/sysv/CLASS == the ids of /proc/sysvipc/CLASS (whole system).
# Others may create and remove objects meanwhile (a busy host holds
# hundreds): the listing must hold every id /proc/sysvipc lists both
# before and after it, and none that neither lists; retried
SYSV_LS_DIFF=
sysv_ids_match() {
	local cls=$1 before after got missing extra
	before=$(awk 'NR > 1 { print $2 }' "/proc/sysvipc/$cls" | sort)
	got=$(ls -A "$MNT/sysv/$cls" 2>&1 | sort)
	after=$(awk 'NR > 1 { print $2 }' "/proc/sysvipc/$cls" | sort)
	missing=$(comm -12 <(echo "$before") <(echo "$after") | comm -23 - <(echo "$got"))
	extra=$(sort -u <(echo "$before") <(echo "$after") | comm -13 - <(echo "$got"))
	SYSV_LS_DIFF="not listed: ${missing//$NL/ }; listed, not in /proc/sysvipc: ${extra//$NL/ }"
	[ -z "$missing" ] && [ -z "$extra" ]
}
for cls in shm msg sem; do
	if poll_until "$DEADLINE" sysv_ids_match "$cls"; then
		t_pass "ls MNT/sysv/$cls lists every id of /proc/sysvipc/$cls ($(awk 'NR > 1' "/proc/sysvipc/$cls" | wc -l) objects)"
	else
		t_fail "ls MNT/sysv/$cls lists every id of /proc/sysvipc/$cls" "$SYSV_LS_DIFF"
	fi
done

# members of each object: the processes with an endpoint on it
declare -A MEMBERS
for ((i = 0; i < EP_N; i++)); do
	[ "${EP_KIND[i]}" = sysv ] && MEMBERS[${EP_NAME[i]%%-*}]+=" ${EP_PID[i]}:${EP_NAME[i]}"
done
t_is "$(sort_words x ${MEMBERS[shm]}; echo "$x" | sed 's/:.*//' | tr '\n' ' ')" \
	"$(sort_words x ${RP[shm-c]} ${RP[shm-a1]} ${RP[shm-a2]} ${RP[shm-a3]} ${RP[shm-d]}; echo "$x" | tr '\n' ' ')" \
	"harness: the segment's processes are cpid, the three attached and lpid"

# check_sysv_info FILE DESC [id] : the class's keys with the kernel's
# values, each once; no key of another class
check_sysv_info() {
	local file=$1 desc=$2 withid=${3:-} text rc k want got
	slurp text "$file"; rc=$?
	info_parse "$text"
	want="read: 0" got="read: $rc"
	[ -n "$withid" ] && { want+="${NL}id: $withid (1)"; got+="${NL}id: ${INFO[id]:-} (${INFO_N[id]:-0})"; }
	for k in $SYSV_ALL_KEYS; do
		if [[ " $WANT_KEYS " == *" $k "* ]]; then
			want+="$NL$k: ${WANT[$k]} (1)"
			got+="$NL$k: ${INFO[$k]:-(missing)} (${INFO_N[$k]:-0})"
		elif [ -n "${INFO_N[$k]:-}" ]; then
			got+="$NL$k: ${INFO[$k]} (not a key of ${WANT[class]})"
		fi
	done
	t_is "$got" "$want" "$desc"
	t_is "$INFO_BAD" 0 "$desc: every line is 'key: value'"
}

for cls in shm msg sem; do
	id=${SV_ID[$cls]}
	obj=$MNT/sysv/$cls/$id
	sysv_want "$cls" "$id" || bail_out "$cls $id is not in /proc/sysvipc/$cls"
	check_sysv_info "$obj/info" "cat MNT/sysv/$cls/$id/info: $WANT_KEYS as the kernel reports them" "$id"

	# one link per process involved, exact relative targets.  The link
	# sits in MNT/sysv/<class>/<id>/, three levels below MNT like one in
	# MNT/<pid>/<kind>/<name>/, so "../../../" reaches MNT.
	# shellcheck disable=SC2086
	sort_words want info ${MEMBERS[$cls]}
	t_is "$(ls -A "$obj" 2>&1)" "$want" "ls MNT/sysv/$cls/$id: info and one <pid>:$cls-$id link per process involved"
	# shellcheck disable=SC2086
	t_links "$obj" sysv "MNT/sysv/$cls/$id" "class=$cls" ${MEMBERS[$cls]}
	entries=("d " "f info")
	for m in ${MEMBERS[$cls]}; do entries+=("l $m"); done
	sort_words want "${entries[@]}"
	t_is "$(find "$obj" -printf '%y %P\n' 2>&1 | sort)" "$want" \
		"find MNT/sysv/$cls/$id: info and the member links, nothing else"

	# each member's own endpoint shows the object's keys too
	for m in ${MEMBERS[$cls]}; do
		who "${m%%:*}"
		check_sysv_info "$MNT/${m%%:*}/sysv/${m#*:}/info" "cat MNT/$WHO/sysv/${m#*:}/info: $WANT_KEYS as the kernel reports them"
	done
done
t_errs "MNT/sysv/shm/<no such id>: $ENOENT" "$ENOENT" ls "$MNT/sysv/shm/2147483647"
t_errs "MNT/sysv/<no such class>: $ENOENT" "$ENOENT" ls "$MNT/sysv/nosuchclass"
# one name per object: ids as the kernel writes them, no leading zeros
for cls in shm msg sem; do
	t_errs "MNT/sysv/$cls/00${SV_ID[$cls]} (leading zeros): $ENOENT" "$ENOENT" stat "$MNT/sysv/$cls/00${SV_ID[$cls]}"
	t_errs "MNT/sysv/$cls/+${SV_ID[$cls]} (a sign): $ENOENT" "$ENOENT" stat "$MNT/sysv/$cls/+${SV_ID[$cls]}"
done
t_errs "MNT/0<pid> (a leading zero): $ENOENT" "$ENOENT" stat "$MNT/0${RP[holder]}"

# Who may enter an object's directory: those the kernel lets read it
# (IPC_STAT, what ipcs -i asks where /proc/sysvipc does not answer).
# shmmaker's objects are root's, 0600; one more segment 0644 is readable by
# everyone.  The kernel's answer to nobody is the expectation.
ipc_stat() {
	python3 -c '
import ctypes, sys
libc = ctypes.CDLL(None, use_errno=True)
buf = ctypes.create_string_buffer(512)
cls, ident = sys.argv[1], int(sys.argv[2])
IPC_STAT = 2
r = {"shm": lambda: libc.shmctl(ident, IPC_STAT, buf),
     "msg": lambda: libc.msgctl(ident, IPC_STAT, buf),
     "sem": lambda: libc.semctl(ident, 0, IPC_STAT, buf)}[cls]()
sys.exit(0 if r >= 0 else 1)' "$@"
}
NOBODY=65534
OPEN_SHM=$(ipcmk -M 4096 -p 0644 2>&1 | awk '{ print $NF }')
[[ $OPEN_SHM =~ ^[0-9]+$ ]] || bail_out "ipcmk -M 4096 -p 0644 failed: $OPEN_SHM"
trap 'ipcrm -m "$OPEN_SHM" 2>/dev/null; shmmaker_stop; _e2e_cleanup' EXIT
open_shm_listed() { [ -d "$MNT/sysv/shm/$OPEN_SHM" ]; }
poll_until "$DEADLINE" open_shm_listed || bail_out "segment $OPEN_SHM not in MNT/sysv/shm within the ttl"
for obj in "shm ${SV_ID[shm]} 0600" "msg ${SV_ID[msg]} 0600" "sem ${SV_ID[sem]} 0600" "shm $OPEN_SHM 0644"; do
	read -r cls id perms <<<"$obj"
	if as_user "$NOBODY" bash -c "$(declare -f ipc_stat); ipc_stat $cls $id"; then kernel=reads; else kernel=refused; fi
	if as_user "$NOBODY" ls "$MNT/sysv/$cls/$id" >/dev/null 2>&1 &&
	   as_user "$NOBODY" cat "$MNT/sysv/$cls/$id/info" >/dev/null 2>&1; then got=reads; else got=refused; fi
	t_is "$got" "$kernel" "nobody and MNT/sysv/$cls/$id ($perms, root's): $kernel, as the kernel's IPC_STAT for nobody is"
	want="0:0 $( [ "$perms" = 0600 ] && echo 500 || echo 555)"
	t_is "$(stat -c '%u:%g %a' "$MNT/sysv/$cls/$id" 2>&1)" "$want" \
		"stat MNT/sysv/$cls/$id: the object's owner, r-x for each class that may read it ($perms)"
done
t_is "$(ipcrm -m "$OPEN_SHM" 2>&1)" "" "ipcrm the 0644 segment"
trap 'shmmaker_stop; _e2e_cleanup' EXIT

# ======================================================================
section "MNT/channels"
# ======================================================================
CH=$TESTDIR/channels.root
cat "$MNT/channels" >"$CH" 2>&1
slurp chan "$CH"
t_is "$(awk -F'\t' 'NF != 8 { print NR ": " NF " fields: " $0 }' "$CH" | head -n5)" "" \
	"MNT/channels: 8 tab-separated fields on every line"
chan_rows "$chan" "$ALL_PIDS"
nrows=0
for k in "${!NROWS[@]}"; do nrows=$((nrows + NROWS[$k])); done
t_is "$nrows" "$EP_N" "MNT/channels: one row per endpoint of the shmmaker processes ($EP_N), none for the parent"
for ((i = 0; i < EP_N; i++)); do
	ep="${EP_KIND[i]} ${EP_PID[i]}:${EP_NAME[i]} (${PROC_ROLE[${EP_PID[i]}]})"
	t_chan_row "$i" "$ep"
	if [[ ${EP_EXTRA[i]} == *x_path=* ]]; then
		x=${EP_EXTRA[i]#*x_path=}
		t_has "$ROW_DETAIL" "${x%% *}" "MNT/channels DETAIL of $ep holds the path"
	fi
done

# ======================================================================
section "processes exit: fds, mappings and recorded pids go with them"
# ======================================================================
# holder and both hold M1's and A's fds; msg-s is lspid, sem-x sem 0's
# pid, shm-c the segment's cpid; shm-a1 detaches by exiting (lpid)
KILLED="holder both msg-s sem-x shm-c shm-a1"
for r in $KILLED; do kill -KILL "${RP[$r]}"; done
dead_all() { local r; for r in $KILLED; do [ -e "/proc/${RP[$r]}" ] && return 1; done; return 0; }
poll_until 5 dead_all || bail_out "killed shmmaker children still exist after 5 s"

# the kernel still records the dead pids
sysv_load shm "${SV_ID[shm]}"
t_is "${KV[cpid]} ${KV[lpid]} ${KV[nattch]}" "${RP[shm-c]} ${RP[shm-a1]} 2" 	"kernel: the segment's cpid is dead shm-c, lpid dead shm-a1 (its exit detached it), 2 attached"
sysv_load msg "${SV_ID[msg]}"
t_is "${KV[lspid]} ${KV[lrpid]}" "${RP[msg-s]} ${RP[msg-r]}" "kernel: the queue's lspid is dead msg-s"

# expected members now: the live processes among attached, cpid, lpid...
declare -A LIVE_MEMBERS=(
	[shm]="${RP[shm-a2]}:shm-${SV_ID[shm]} ${RP[shm-a3]}:shm-${SV_ID[shm]}"
	[msg]="${RP[msg-r]}:msg-${SV_ID[msg]}"
	[sem]="${RP[sem-y]}:sem-${SV_ID[sem]}"
)
# LS_GOT / LS_WANT: the listings of the objects' dirs and of the mapper's
# endpoints on M1 and A, each line "<dir>: <entries>"
LS_GOT='' LS_WANT=''
mp=${RP[mapper]}
M1MAP=map-${MAP_LOWEST[$mp/M1]} SAMAP=map-${MAP_LOWEST[$mp/SA]}
listings_match() {
	local cls words
	LS_GOT='' LS_WANT=''
	for cls in shm msg sem; do
		sort_words words info ${LIVE_MEMBERS[$cls]}
		LS_WANT+="sysv/$cls/${SV_ID[$cls]}: ${words//$NL/ }$NL"
		LS_GOT+="sysv/$cls/${SV_ID[$cls]}: $(ls -A "$MNT/sysv/$cls/${SV_ID[$cls]}" 2>&1 | tr '\n' ' ' | sed 's/ $//')$NL"
	done
	LS_WANT+="$mp/memfd/$M1MAP: info$NL$mp/shm/$SAMAP: info$NL"
	LS_GOT+="$mp/memfd/$M1MAP: $(ls -A "$MNT/$mp/memfd/$M1MAP" 2>&1 | tr '\n' ' ' | sed 's/ $//')$NL"
	LS_GOT+="$mp/shm/$SAMAP: $(ls -A "$MNT/$mp/shm/$SAMAP" 2>&1 | tr '\n' ' ' | sed 's/ $//')$NL"
	[ "$LS_GOT" = "$LS_WANT" ]
}
poll_until "$DEADLINE" listings_match
t_is "$LS_GOT" "$LS_WANT" \
	"within ttl+3s: each object lists only its live processes; the mapper's M1 and A entries have no peer left"

# a memfd mapped where no fd is left anywhere: size unknown; A keeps its
# size through its /dev/shm name
t_is "$(info_get "$MNT/$mp/memfd/$M1MAP/info" size)|$(info_get "$MNT/$mp/memfd/$M1MAP/info" peers)" "-|-" \
	"mapper's M1 entry once no fd on M1 exists anywhere: size: -, peers: -"
t_is "$(info_get "$MNT/$mp/shm/$SAMAP/info" size)|$(info_get "$MNT/$mp/shm/$SAMAP/info" peers)" "12345|-" \
	"mapper's A entry once no fd on A exists: size from its /dev/shm name (12345), peers: -"
for cls in shm msg sem; do
	sysv_want "$cls" "${SV_ID[$cls]}"
	check_sysv_info "$MNT/sysv/$cls/${SV_ID[$cls]}/info" \
		"cat MNT/sysv/$cls/${SV_ID[$cls]}/info after the exits: $WANT_KEYS as the kernel reports them" "${SV_ID[$cls]}"
done
a2=${RP[shm-a2]} a3=${RP[shm-a3]}
t_is "$(ls -A "$MNT/$a2/sysv/shm-${SV_ID[shm]}" 2>&1)" "$a3:shm-${SV_ID[shm]}${NL}info" \
	"shm-a2's segment endpoint: its only peer left is shm-a3"
t_is "$(ls -A "$MNT/${RP[msg-r]}/sysv/msg-${SV_ID[msg]}" 2>&1)|$(info_get "$MNT/${RP[msg-r]}/sysv/msg-${SV_ID[msg]}/info" peers)" \
	"info|-" "msg-r's queue endpoint: no peer left (lspid is dead)"
t_is "$(ls -A "$MNT/${RP[shm-d]}" 2>&1 | tr '\n' ' ')" "$PROC_FILES " \
	"shm-d, no longer lpid and never attached, has no sysv endpoint left"

# ======================================================================
section "reused pids: a process started after the kernel's record is not it"
# ======================================================================
# new processes with the dead pids, started two seconds after every time
# /proc/sysvipc records (the rule compares whole seconds)
latest=0
for cls in shm msg sem; do
	sysv_load "$cls" "${SV_ID[$cls]}"
	for f in atime dtime ctime stime rtime otime; do
		v=${KV[$f]:-0}
		[ "$v" -gt "$latest" ] && latest=$v
	done
done
REUSED="${RP[msg-s]} ${RP[sem-x]} ${RP[shm-c]} ${RP[shm-a1]}"
CHANMAKER=$SHMMAKER cm_start reuse reuse $((latest + 2)) $REUSED
got=
for p in $REUSED; do slurp c "/proc/$p/comm"; got+="$p:${c%$NL} "; done
t_is "$got" "$(for p in $REUSED; do printf '%s:sm-impostor ' "$p"; done)" \
	"kernel: the dead lspid, sem 0 pid, cpid and lpid are live processes again (sm-impostor)"
sysv_load shm "${SV_ID[shm]}"; want="${KV[cpid]} ${KV[lpid]}"
sysv_load msg "${SV_ID[msg]}"; want+=" ${KV[lspid]}"
t_is "$want" "${RP[shm-c]} ${RP[shm-a1]} ${RP[msg-s]}" "kernel: cpid, lpid and lspid still name those pids"
imp_visible() { local p c; for p in $REUSED; do slurp c "$MNT/$p/comm" && [ "$c" = "sm-impostor$NL" ] || return 1; done; }
poll_until "$DEADLINE" imp_visible || t_fail "the impostors appear in ipcfs within ttl+3s"
got=
for p in $REUSED; do got+="$p: $(ls -A "$MNT/$p" 2>&1 | tr '\n' ' ')$NL"; done
t_is "$got" "$(for p in $REUSED; do echo "$p: $PROC_FILES "; done)$NL" \
	"ls MNT/<impostor>: $PROC_FILES, no sysv endpoint"
listings_match
t_is "$LS_GOT" "$LS_WANT" "the objects still list only their live processes, none of the impostors"
cm_stop reuse

# ======================================================================
section "a memfd name the kernel escapes in maps, reached only by mapping"
# ======================================================================
# maps text writes the newline of "a<newline>b\c d" as \012 (and the
# backslash as itself), PROCMAP_QUERY (kernels from 6.11, where ipcfs uses
# it) gives the raw name; ipcfs shows the name as the fd holder's link
# reads, escaped once: the same path for both
CHANMAKER=$SHMMAKER cm_start nm names
declare -A NM_X=()
while read -r what rest; do
	[ "$what" = ep ] || continue
	[[ $rest =~ role=([a-z-]+).*\ name=([^ ]+).*x_path=([^ ]+) ]] || bail_out "bad line: $rest"
	NM_X[${BASH_REMATCH[1]}]="${BASH_REMATCH[2]} ${BASH_REMATCH[3]}"
done <"$TESTDIR/cm.nm"
[ ${#NM_X[@]} = 2 ] || bail_out "shmmaker names: $(cat "$TESTDIR/cm.nm")"
want='/memfd:a\012b\134c\040d\040(deleted)'
t_is "${NM_X[nm-holder]#* } ${NM_X[nm-mapper]#* }" "$want $want" "harness: both ends report the name as the fd link reads, escaped"
for r in nm-holder nm-mapper; do
	dir=$MNT/${TAG_ROLE_PID[nm/$r]}/memfd/${NM_X[$r]%% *}
	poll_until "$DEADLINE" test -e "$dir/info"
	t_is "$(grep '^path: ' "$dir/info" 2>&1)" "path: ${want//\\040/ }" "$r ${NM_X[$r]%% *}: info path escaped once"
	t_has "$(awk -F'\t' -v p="${TAG_ROLE_PID[nm/$r]}" '$2 == p { print $8 }' "$MNT/channels")" "$want" \
		"$r ${NM_X[$r]%% *}: channels DETAIL holds the path escaped once"
done
cm_stop nm

# ======================================================================
section "end shmmaker: nothing left, and gone from the tree"
# ======================================================================
cm_stop sm
SM_RUNNING=0
t_is "$("$SHMMAKER" cleanup "$SM_PID" 2>&1)" "" \
	"shmmaker removed its System V objects, /dev/shm names and queue at SIGTERM"
left=
for cls in shm msg sem; do
	awk -v id="${SV_ID[$cls]}" 'NR > 1 && $2 == id { f = 1 } END { exit !f }' "/proc/sysvipc/$cls" &&
		left+=" $cls-${SV_ID[$cls]}"
done
t_is "$left" "" "/proc/sysvipc no longer lists the objects"
sysv_gone() { [ ! -e "$MNT/sysv/shm/${SV_ID[shm]}" ] && [ ! -e "$MNT/sysv/msg/${SV_ID[msg]}" ] && [ ! -e "$MNT/sysv/sem/${SV_ID[sem]}" ]; }
if poll_until "$DEADLINE" sysv_gone; then
	t_pass "MNT/sysv/<class>/<id> of the removed objects are gone within ttl+3s"
else
	t_fail "MNT/sysv/<class>/<id> of the removed objects are gone within ttl+3s" \
		"$(ls -d "$MNT/sysv/shm/${SV_ID[shm]}" "$MNT/sysv/msg/${SV_ID[msg]}" "$MNT/sysv/sem/${SV_ID[sem]}" 2>&1)"
fi
gone() { local p; for p in $ALL_PIDS; do [ -e "$MNT/$p" ] && return 1; done; return 0; }
if poll_until "$DEADLINE" gone; then
	t_pass "every shmmaker process is gone from the tree within ttl+3s"
else
	t_fail "every shmmaker process is gone from the tree within ttl+3s"
fi
t_is "$(awk -F'\t' -v pids=" $ALL_PIDS " 'NR > 1 && index(pids, " " $2 " ")' "$MNT/channels")" "" \
	"MNT/channels has no row of the shmmaker processes"

t_done
