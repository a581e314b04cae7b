/* The resolver's public API: an immutable snapshot of every process's IPC
 * endpoints and their peers.  No FUSE types here. */
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <time.h>

/* Endpoint text is appended to a textbuf, which its users make and free. */
#include "ipcfs/textbuf.h"

struct arena;
struct sock_list;

enum ipc_kind {
	IPC_PIPE,
	IPC_FIFO,
	IPC_UNIX,
	IPC_TCP4,
	IPC_TCP6,
	IPC_UDP4,
	IPC_UDP6,
	IPC_MEMFD,
	IPC_SHM,
	IPC_MQUEUE,
	IPC_EVENTFD,
	IPC_SYSV,
	IPC_PTY,
	IPC_PIDFD,
	IPC_ANONSHM,
	IPC_NETLINK,
	IPC_PACKET,
	IPC_RAW,
	IPC_VSOCK,
	IPC_KIND_COUNT
};

/* The directory name of a kind ("pipes", "unix", ...). */
const char *ipc_kind_dir(enum ipc_kind kind);
/* The kind whose directory is name, or -ENOENT. */
int ipc_kind_from_dir(const char *name);

#define IPC_ACCESS_R 1u
#define IPC_ACCESS_W 2u
/* "r", "w", "rw" or "-". */
const char *ipc_access_text(unsigned access);

#define IPC_NAME_MAX 32

struct ipc_process {
	pid_t pid;
	pid_t nspid;		/* innermost pid when in another pid namespace, else 0 */
	uint64_t start_time;	/* clock ticks after boot: tells a reused pid */
	const char *comm;	/* raw bytes as the kernel keeps them */
	const char *cgroup;	/* cgroup v2 path ("/" the root), NULL unknown;
				   one copy per path in a snapshot */
	uint64_t ipcns;		/* inode of its IPC namespace, 0 unknown */
	uid_t uid, euid;
	gid_t gid, egid;
	uid_t fd_owner;		/* owner, group and mode of /proc/<pid>/fd */
	gid_t fd_group;
	mode_t fd_mode;
	bool fds_unreadable;	/* the fd directory could not be listed */
	bool maps_unavailable;	/* its maps could not be read (in time) */
	uint32_t first_endpoint; /* endpoints of this process, sorted by kind, then
				    fds by number, then other names */
	uint32_t n_endpoints;
	uint32_t kinds;		/* bit (1 << kind) for each kind it has */
};

struct ipc_endpoint {
	uint32_t process;	/* index into snapshot->processes */
	uint8_t kind;		/* enum ipc_kind */
	uint8_t access;		/* IPC_ACCESS_* */
	int32_t fd;		/* -1 for a mapping or a System V object */
	char name[IPC_NAME_MAX]; /* the fd number, else a name not starting with
				    a digit; unique within the process */
	uint64_t id;		/* the id shown: inode, eventfd-id, SysV id */
	uint64_t object[2];	/* identity of the object reached (kind-defined) */
	uint32_t first_peer;	/* into snapshot->peers; see ipc_endpoint_peer */
	uint32_t n_peers;
	const void *detail;	/* kind-owned extra facts */
};

#define IPC_BUILD_PHASES_MAX 24

struct ipc_build_phase {
	const char *name;	/* static */
	uint32_t us;		/* microseconds */
};

struct ipc_snapshot {
	uint64_t generation;
	struct timespec built;		/* CLOCK_REALTIME, shown as mtimes */
	struct ipc_process *processes;	/* sorted by pid */
	size_t n_processes;
	struct ipc_endpoint *endpoints;	/* grouped by process, in its order */
	size_t n_endpoints;
	uint32_t *peers;		/* endpoint indexes, ascending per endpoint */
	size_t n_peers;
	struct arena *arena;		/* owns all of the above */
	/* System V objects of ipcfs's IPC namespace (see ipc_sysv_objects);
	 * those of the other namespaces processes are in follow them, reached
	 * only through their endpoints. */
	struct ipc_sysv_object *sysv;	/* sorted by class, id */
	size_t n_sysv;
	uint32_t *sysv_members;		/* process indexes, per object */
	/* Where the build's time went, phase by phase in the order they
	 * ended (bench/build_once -p): the scan, each kind's resolve, the
	 * freeze.  Work on other threads overlaps them. */
	struct ipc_build_phase phases[IPC_BUILD_PHASES_MAX];
	size_t n_phases;
};

/* Where the resolver reads from. The default reads a procfs at root_path;
 * tests replace fd_facts to serve fixture trees whose fd entries are plain
 * symlinks. */
struct fd_facts {
	unsigned access;	/* IPC_ACCESS_* */
	mode_t type;		/* S_IFIFO, S_IFREG, ... 0 when unknown */
	dev_t dev;
	uint64_t ino;
	uint64_t size;
};

/* Which fd facts to fetch: each costs one system call. */
#define FD_FACT_ACCESS 1u	/* access, from the link's own mode */
#define FD_FACT_STAT 2u		/* type, dev, ino, size, through the link */

struct sem_pid_entry;

/* A namespace (network, IPC) by inode, with a process inside it. */
struct ns_ref {
	uint64_t ino;
	pid_t pid;
};

struct proc_root {
	int dirfd;		/* O_PATH|O_DIRECTORY on the procfs root */
	/* The facts in what (FD_FACT_*) about fd of process pid, whose open
	 * fd directory is fd_dir, without opening or syncing; fields not
	 * asked for are left alone.  Returns 0 or -errno. */
	int (*fd_facts)(const struct proc_root *root, int fd_dir, pid_t pid, int fd,
			unsigned what, struct fd_facts *out);
	/* Device of this IPC namespace's mqueue filesystem; 0: learned from
	 * the running system at first use (fixtures set their own). */
	dev_t mqueue_dev;
	/* Device of ipcfs's own /dev/shm (a tmpfs), learned at open; 0 for
	 * none.  Any file on it is a POSIX shared memory object, whatever
	 * path its holder's root gives it (a chroot, a bind mount). */
	dev_t shm_dev;
	/* Calls visit(context, i, sysvipc) for each IPC namespace refs[i]
	 * that can be entered, from a thread inside it, where sysvipc is the
	 * directory of that namespace's shm, msg and sem tables relative to
	 * the root.  own is the calling thread's namespace (0: unknown), read
	 * once per build by the caller; refs of it or of 0 are visited in
	 * place.  The default enters any other namespace from a helper
	 * thread (setns); fixtures keep another namespace's tables in
	 * ipcns/<inode>/sysvipc.  Returns 0, the first negative return of
	 * visit, or -errno when no thread could start. */
	int (*ipc_namespaces)(const struct proc_root *root, uint64_t own,
			      const struct ns_ref *refs, size_t n,
			      int (*visit)(void *context, size_t i, const char *sysvipc),
			      void *context);
	/* The last pid to operate on semaphore semnum of set semid
	 * (semctl GETPID) in IPC namespace ipcns, called from a visit of that
	 * namespace: the pid, 0 for none, or -errno. */
	int (*sem_pid)(const struct proc_root *root, uint64_t ipcns, int semid, int semnum);
	/* The semaphores' last pids, kept from build to build by the
	 * System V module (builds of one root run one at a time). */
	struct sem_pid_cache {
		struct sem_pid_entry *entries;	/* sorted by namespace, id */
		size_t n;
	} sem_pids;
	/* hidepid=invisible or ptraceable on this procfs: it hides from a
	 * caller the processes the caller may not read (members of gid, when
	 * has_gid, excepted).  Read from its mount options at open. */
	struct proc_hidepid {
		bool hides, has_gid;
		gid_t gid;
	} hidepid;
};

/* Opens root_path (usually "/proc") with the default fd_facts. */
int proc_root_open(struct proc_root *root, const char *root_path);
void proc_root_close(struct proc_root *root);

/* Where socket facts come from: sock_diag for real, recorded or made-up
 * records in tests. */
struct sock_source {
	/* Fills lists[i] with the unix, tcp and udp sockets of namespace
	 * refs[i]; one that cannot be dumped leaves its list empty.  Returns
	 * 0 or -ENOMEM. */
	int (*dump)(const struct sock_source *source, const struct proc_root *root,
		    const struct ns_ref *refs, size_t n, struct sock_list *lists);
	void *context;
	bool real;	/* live kernel: ask it what records cannot tell */
};

/* sock_diag in each namespace, entered from a helper thread. */
extern const struct sock_source sock_source_kernel;

struct ipc_build_options {
	const struct sock_source *sockets;	/* NULL: sock_source_kernel */
	unsigned scan_threads;	/* threads walking /proc (and reading unix sockets' fdinfo);
				   0: one per CPU, up to 4 */
	unsigned scan_chunk;	/* processes per hand-out to a thread; 0: 32 */
};

/* Builds a new snapshot; *out gets it.  Returns 0 or -errno. */
int ipc_snapshot_build(const struct proc_root *root,
		       const struct ipc_build_options *options,
		       uint64_t generation, struct ipc_snapshot **out);
void ipc_snapshot_free(struct ipc_snapshot *snap);

/* Lookups take O(log n) time. */
/* The process with this pid, or NULL. */
const struct ipc_process *ipc_snapshot_process(const struct ipc_snapshot *snap, pid_t pid);
/* The endpoint of process proc with this kind and name, or NULL. */
const struct ipc_endpoint *ipc_snapshot_endpoint(const struct ipc_snapshot *snap,
						 const struct ipc_process *proc,
						 enum ipc_kind kind, const char *name);
static inline const struct ipc_process *
ipc_endpoint_process(const struct ipc_snapshot *snap, const struct ipc_endpoint *ep)
{
	return &snap->processes[ep->process];
}
/* The i-th peer of ep, i < ep->n_peers; peers come in snapshot order (by
 * pid, then as a process's endpoints are sorted). */
static inline const struct ipc_endpoint *
ipc_endpoint_peer(const struct ipc_snapshot *snap, const struct ipc_endpoint *ep, uint32_t i)
{
	return &snap->endpoints[snap->peers[ep->first_peer + i]];
}
/* The peer of ep that is process pid's endpoint name, or NULL. */
const struct ipc_endpoint *ipc_endpoint_find_peer(const struct ipc_snapshot *snap,
						  const struct ipc_endpoint *ep, pid_t pid,
						  const char *name);

/* The process a pidfd endpoint refers to, when it is in snap; else NULL
 * (gone, outside ipcfs's pid namespace, or ep is no pidfd). */
const struct ipc_process *ipc_pidfd_target(const struct ipc_snapshot *snap,
					   const struct ipc_endpoint *ep);

/* ---- what changed between two snapshots ------------------------------- */

/* One change: ep, an endpoint of snap, appeared ('+', snap the newer) or
 * vanished ('-', snap the older), or it is in both and gained ('+') or
 * lost ('-') the peers listed.  An endpoint is the same in both when its
 * process (pid and start time), kind, name and the object it reaches (its
 * object and id) are: a reused pid or a reused fd number on another
 * object is one endpoint vanishing and another appearing. */
struct ipc_change {
	char sign;			/* '+' or '-' */
	bool whole;			/* the endpoint came or went (else only
					   some of its peers) */
	const struct ipc_snapshot *snap;
	const struct ipc_endpoint *ep;
	const uint32_t *peers;		/* endpoint indexes in snap, in its order:
					   all of an endpoint that came or went,
					   else those gained or lost */
	size_t n_peers;
};

/* Called per change; a non-zero return stops the diff and is passed on. */
typedef int ipc_change_fn(void *ctx, const struct ipc_change *change);

/* Calls fn for every change from old to new, in snapshot order (by pid,
 * then as a process's endpoints are sorted), '-' before '+' for one
 * endpoint; old NULL is an empty snapshot.  Linear in both snapshots'
 * endpoints and peers.  Returns 0, fn's non-zero return, or -ENOMEM. */
int ipc_snapshot_diff(const struct ipc_snapshot *old, const struct ipc_snapshot *new,
		      ipc_change_fn *fn, void *ctx);

/* ---- Fields: what info, DETAIL and channels.json show -------------- */

/* Each kind states an endpoint's facts once, as a list of typed fields;
 * the info file, the DETAIL column and channels.json render that list. */
enum ipc_field_type {
	IPC_FIELD_NONE,		/* absent: "-" in info, null in JSON */
	IPC_FIELD_TEXT,		/* text, len bytes (any byte), escaped when rendered */
	IPC_FIELD_UNSIGNED,	/* u */
	IPC_FIELD_SIGNED,	/* s */
	IPC_FIELD_BOOL,		/* u != 0: "yes"/"no", true/false */
	IPC_FIELD_PEERS,	/* the peers of ep, as the renderer's view shows them */
};

/* Where DETAIL shows a field; it skips absent fields and unmarked ones,
 * and separates the others with a space. */
enum ipc_detail_style {
	IPC_DETAIL_NO,
	IPC_DETAIL_VALUE,	/* the value alone; a bool, its key when yes */
	IPC_DETAIL_KEYED,	/* key=value */
};

struct ipc_field {
	const char *key;
	uint8_t type;		/* enum ipc_field_type */
	uint8_t detail;		/* enum ipc_detail_style */
	union {
		struct {
			const char *text;
			size_t len;
		};
		uint64_t u;
		int64_t s;
		const struct ipc_endpoint *ep;
	};
};

/* Receives fields one by one, in the order info lists them; a field's
 * text lives only until put returns. */
struct ipc_field_sink {
	void (*put)(struct ipc_field_sink *sink, const struct ipc_field *field);
};

/* Which peers a renderer shows (those of processes shows() accepts);
 * NULL shows every peer. */
struct ipc_peer_view {
	bool (*shows)(const void *ctx, const struct ipc_process *proc);
	const void *ctx;
};

/* Which of an endpoint's fields to state. */
#define IPC_FIELDS_COMMON 1u	/* kind pid nspid comm name fd id access peers maps */
#define IPC_FIELDS_KIND 2u	/* its kind's own */
#define IPC_FIELDS_ALL (IPC_FIELDS_COMMON | IPC_FIELDS_KIND)

/* Puts the fields of ep named by which into sink, common ones first. */
void ipc_endpoint_fields(const struct ipc_snapshot *snap, const struct ipc_endpoint *ep,
			 unsigned which, struct ipc_field_sink *sink);
/* Appends the "key: value" lines of the fields named by which, values
 * escaped as ipcfs(8) says (bytes below 0x20, 0x7f and backslash as \ooo):
 * IPC_FIELDS_ALL makes the info file. */
void ipc_endpoint_info_lines(const struct ipc_snapshot *snap, const struct ipc_endpoint *ep,
			     unsigned which, const struct ipc_peer_view *view,
			     struct textbuf *tb);
/* Appends the DETAIL column text for ep, unescaped; nothing when it has
 * none. */
void ipc_endpoint_detail(const struct ipc_snapshot *snap,
			 const struct ipc_endpoint *ep, struct textbuf *tb);
/* Appends ep as one JSON object (no newline): every info key, numbers as
 * numbers, absent as null, peers as [{"pid","kind","name"}], strings
 * escaped as info values and every byte outside valid UTF-8 as \ooo. */
void ipc_endpoint_json(const struct ipc_snapshot *snap, const struct ipc_endpoint *ep,
		       const struct ipc_peer_view *view, struct textbuf *tb);
/* Appends "<pid>:<name>" for each of the n peers (endpoint indexes, as
 * snap->peers + ep->first_peer) the view shows, separated by sep, names
 * escaped as textbuf_escaped(below) does; "-" for none.  How many it
 * showed. */
size_t ipc_peers_text(const struct ipc_snapshot *snap, const uint32_t *peers, size_t n,
		      const struct ipc_peer_view *view, const char *sep, unsigned char below,
		      struct textbuf *tb);

/* Whether name is the pid of a live process (thread group) in the procfs. */
bool ipc_process_alive(const struct proc_root *root, const char *name);
/* The thread group id of thread tid, read from the procfs; -errno. */
pid_t ipc_thread_group(const struct proc_root *root, pid_t tid);

/* ---- System V IPC: segments, queues and semaphore sets ---------------- */

enum ipc_sysv_class {
	IPC_SYSV_SHM,
	IPC_SYSV_MSG,
	IPC_SYSV_SEM,
	IPC_SYSV_CLASS_COUNT
};

/* "shm", "msg", "sem": the directory under MNT/sysv/ and the prefix of the
 * per-process entry name ("shm-<id>"). */
const char *ipc_sysv_class_dir(enum ipc_sysv_class cls);
/* The class whose directory is name, or -ENOENT. */
int ipc_sysv_class_from_dir(const char *name);

/* One object as /proc/sysvipc tells it in its IPC namespace.  Pids are
 * the kernel's (as ipcfs's pid namespace sees them), also when a pid has
 * since been reused (such pids make no peer). */
struct ipc_sysv_object {
	uint8_t cls;		/* enum ipc_sysv_class */
	int id;			/* unique in its IPC namespace only */
	uint64_t ipcns;		/* that namespace's inode; 0 unknown (ipcfs's) */
	uint32_t key;
	mode_t perms;		/* mode bits as the kernel shows them */
	uid_t uid, cuid;	/* owner and creator */
	gid_t gid, cgid;
	uint64_t size;		/* shm: bytes; msg: bytes queued */
	uint64_t nattch;	/* shm */
	pid_t cpid, lpid;	/* shm: creator, last shmat/shmdt */
	pid_t lspid, lrpid;	/* msg: last msgsnd, last msgrcv */
	uint64_t qnum;		/* msg: messages queued */
	uint32_t nsems;		/* sem */
	/* Seconds since the epoch, 0 for never: shm atime/dtime/ctime, msg
	 * stime/rtime/ctime, sem otime/ctime. */
	int64_t atime, dtime, ctime, stime, rtime, otime;
	uint32_t first_member;	/* into snapshot->sysv_members */
	uint32_t n_members;	/* processes involved, sorted by pid */
};

/* The objects of one class, sorted by id; *count gets their number. */
const struct ipc_sysv_object *ipc_sysv_objects(const struct ipc_snapshot *snap,
					       enum ipc_sysv_class cls, size_t *count);
/* The object of class cls with this id, or NULL. */
const struct ipc_sysv_object *ipc_sysv_find(const struct ipc_snapshot *snap,
					    enum ipc_sysv_class cls, int id);
/* The sysv endpoint ("<class>-<id>", kind IPC_SYSV) of the i-th process
 * involved in obj, i < obj->n_members; its process and name make the link
 * <pid>:<name>. */
const struct ipc_endpoint *ipc_sysv_member(const struct ipc_snapshot *snap,
					   const struct ipc_sysv_object *obj, uint32_t i);
/* The member of obj that is process pid's endpoint name (its link
 * <pid>:<name>), or NULL; in O(log n). */
const struct ipc_endpoint *ipc_sysv_find_member(const struct ipc_snapshot *snap,
						const struct ipc_sysv_object *obj, pid_t pid,
						const char *name);
/* Puts the object's fields into sink: class, id, then those of its class
 * (key, size, nattch, perms, owner, cpid, lpid, lspid, lrpid, qnum, nsems). */
void ipc_sysv_fields(const struct ipc_sysv_object *obj, struct ipc_field_sink *sink);
/* Appends the object's "key: value" lines: its fields, escaped as info. */
void ipc_sysv_info(const struct ipc_snapshot *snap, const struct ipc_sysv_object *obj,
		   struct textbuf *tb);
