/* Internal to the resolver: the snapshot under construction and the table
 * of channel-kind modules that fill it. */
#pragma once
#include <limits.h>

#include "arena.h"
#include "ipcfs/snapshot.h"
#include "proc_root.h"

struct builder;

/* One fd being classified.  Scan threads fill it (facts fetched at most
 * once, on demand); the builder then adds the endpoint from it alone. */
struct fd_probe {
	const struct proc_root *root;
	uint32_t process;	/* index of the holder, once added to the builder */
	pid_t pid;
	int fd;
	const char *link;	/* the fd link's text */
	size_t link_len;
	int fd_dir;		/* the process's open fd directory, while scanned */
	uint64_t *netns;	/* the holder's network namespace inode, 0 unread;
				   kept until the holder is added */
	unsigned facts_have;	/* FD_FACT_* already in facts */
	int facts_error;	/* -errno of a failed fetch, then sticky */
	struct fd_facts facts;
	uint64_t found[2];	/* what the taker's probe_fd learned for add_fd */
	uint8_t module;		/* the taker's index in kind_modules */
};

/* Makes sure the facts in what (FD_FACT_*) are in probe->facts, fetching
 * each at most once.  Returns 0 or -errno. */
int fd_probe_facts(struct fd_probe *probe, unsigned what);
/* Reads the fd's fdinfo text (see text_field); the length or -errno. */
ssize_t fd_probe_fdinfo(const struct fd_probe *probe, char *text, size_t size);
/* The access mode in fdinfo text's "flags" (IPC_ACCESS_*), 0 without it:
 * where fdinfo is read anyway, this saves the lstat. */
unsigned fdinfo_access(const char *text);

/* A module owns one or more kinds. Every hook is optional. */
struct kind_module {
	const char *name;	/* what a build's profile calls its resolve (with one) */
	/* Before the scan: work that can overlap it.  -errno fails the
	 * build. */
	int (*begin)(struct builder *b);
	/* Takes the fd when its link is of this module's class: fetches
	 * into probe what add_fd needs and returns 1; 0 when not ours;
	 * -errno to skip the fd.  Runs on scan threads: it touches nothing
	 * but probe. */
	int (*probe_fd)(struct fd_probe *probe);
	/* Adds the endpoint of an fd its probe_fd took, in scan order, from
	 * the probe alone (its fd directory is closed by then). */
	int (*add_fd)(struct builder *b, const struct fd_probe *probe);
	/* After each process and its fds are scanned (its index). */
	int (*process_scanned)(struct builder *b, uint32_t process);
	/* After the scan, before any resolve: starts work on a thread of its
	 * own that reads the scan's results and the module's state, never
	 * the arena or the endpoints; the module's resolve, run after those
	 * of the modules without one, finishes it.  -errno fails the build. */
	int (*resolve_start)(struct builder *b);
	/* After all processes are scanned: complete endpoints, add peers. */
	int (*resolve)(struct builder *b);
	/* Releases what the module's state holds outside the arena; called
	 * only once that state is made, so never with a NULL state. */
	void (*finish)(struct builder *b);
	/* States ep's own fields, once: info, DETAIL and JSON render them
	 * (see the field_* emitters below). */
	void (*fields)(const struct ipc_snapshot *snap, const struct ipc_endpoint *ep,
		       struct ipc_field_sink *sink);
	size_t state_size;	/* zeroed per build, see builder_state() */
};

extern const struct kind_module pipe_module;
extern const struct kind_module memfd_module;
extern const struct kind_module eventfd_module;
extern const struct kind_module socket_module;
extern const struct kind_module shm_module;
extern const struct kind_module mqueue_module;
extern const struct kind_module sysv_module;
extern const struct kind_module maps_module;
extern const struct kind_module pty_module;
extern const struct kind_module pidfd_module;
extern const struct kind_module anonshm_module;

/* Modules in the order they are offered an fd. */
extern const struct kind_module *const kind_modules[];
extern const size_t n_kind_modules;
/* The module rendering each kind. */
const struct kind_module *kind_module_of(enum ipc_kind kind);

struct peer_edge {
	uint32_t a, b;
};

struct builder {
	const struct proc_root *root;
	const struct ipc_build_options *options;
	struct arena *arena;
	struct ipc_process *processes;
	size_t n_processes, cap_processes;
	struct ipc_endpoint *endpoints;
	size_t n_endpoints, cap_endpoints;
	struct peer_edge *edges;
	size_t n_edges, cap_edges;
	/* The table (kind_modules), reached through the builder so that
	 * modules and what they call do not depend on it. */
	const struct kind_module *const *modules;
	size_t n_modules;
	void **module_state;	/* one per module */
	struct ipc_snapshot *snap;	/* being built: modules may fill parts */
	/* Strings many processes share (cgroup paths), once each in the
	 * arena: an open-addressing set, see builder_intern. */
	const char **interned;
	size_t n_interned, cap_interned;
	struct timespec marked;	/* the end of the last phase (builder_mark) */
};

/* Ends a phase of the build, named for the profile (snap->phases): the
 * time since the previous mark, on the building thread's clock of
 * wall time.  name must outlive the snapshot (a literal). */
void builder_mark(struct builder *b, const char *name);

void *builder_state(struct builder *b, const struct kind_module *module);

/* The arena's copy of s[0..n), made on first use and shared by every later
 * caller with equal bytes; NULL when out of memory.  The set is freed with
 * the builder (free(b->interned)). */
const char *builder_intern(struct builder *b, const char *s, size_t n);

/* Appends an endpoint (copied); returns its index or -errno.  An fd's
 * endpoint is named by the fd's number; any other (fd -1) must come with a
 * name that does not start with a digit (-EINVAL). */
long builder_add_endpoint(struct builder *b, const struct ipc_endpoint *ep);
/* The order of one process's endpoints, which lookups search: by kind,
 * then fds by number, then the others by name. */
int endpoint_order(const struct ipc_endpoint *a, const struct ipc_endpoint *b);
/* Records that a and b are peers (both directions). */
int builder_add_peer(struct builder *b, uint32_t a, uint32_t c);
/* What every fd on a file object (FIFO, memfd, shm, mqueue) keeps: kinds
 * put it first in their detail; its field is "path". */
struct file_detail {
	const char *path;	/* the fd link's text */
};

/* For a probe_fd that found an fd of its kind: fetches its access (fds of
 * no kind never cost it) and returns 1, or -errno. */
int fd_probe_take(struct fd_probe *probe);
/* Adds the endpoint of probe's fd on a file object, from its facts:
 * access, and (device, inode) as id and object; with a zeroed detail of
 * detail_size bytes starting with a file_detail, handed back for the kind
 * to complete.  Returns 0 or -errno. */
int builder_add_file_endpoint(struct builder *b, const struct fd_probe *probe,
			      enum ipc_kind kind, size_t detail_size, void **detail);

/* How the endpoints on one object pair up. */
enum object_pairing {
	PAIR_ALL,		/* every two */
	PAIR_OPPOSITE_ENDS,	/* a reader with a writer (pipes: rw is both) */
};

/* Orders endpoints by the object they reach (object[0], then object[1]). */
int endpoint_object_order(const struct ipc_endpoint *a, const struct ipc_endpoint *b);
/* Peers the endpoints of the kinds in kinds_mask that reach the same
 * object, as pairing says, in time linear in the peers found. */
int builder_link_by_object(struct builder *b, uint32_t kinds_mask, enum object_pairing pairing);

/* The sock_diag dumps of the calling thread's network namespace, taken
 * on a thread of their own so that they overlap the /proc scan; NULL
 * when out of memory or threads. */
struct sock_ahead *sock_ahead_start(const struct proc_root *root);
/* sock_source_kernel's dump; refs in ahead's namespace take its records
 * (the first such ref, once) instead of dumping again. */
int sock_kernel_dump(const struct proc_root *root, struct sock_ahead *ahead,
		     const struct ns_ref *refs, size_t n, struct sock_list *lists);
/* Waits for its thread and frees it (NULL is nothing). */
void sock_ahead_free(struct sock_ahead *ahead);

/* The threads a build spreads system calls over: options->scan_threads,
 * or one per CPU, at most BUILD_THREADS_MAX. */
#define BUILD_THREADS_MAX 4
size_t builder_threads(const struct builder *b);

/* Scans every process under the root into the builder. */
int procscan_run(struct builder *b);

/* ---- Emitting fields (what a kind's fields hook calls) --------------- */

/* detail: enum ipc_detail_style. */
void field_text(struct ipc_field_sink *sink, const char *key, unsigned detail,
		const char *text);
void field_bytes(struct ipc_field_sink *sink, const char *key, unsigned detail,
		 const char *text, size_t len);
void field_u64(struct ipc_field_sink *sink, const char *key, unsigned detail, uint64_t v);
void field_s64(struct ipc_field_sink *sink, const char *key, unsigned detail, int64_t v);
void field_bool(struct ipc_field_sink *sink, const char *key, unsigned detail, bool yes);
void field_none(struct ipc_field_sink *sink, const char *key);
/* field_u64 when known, else field_none. */
void field_u64_known(struct ipc_field_sink *sink, const char *key, unsigned detail,
		     bool known, uint64_t v);
