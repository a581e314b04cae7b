/* Node ids: each stands for one identity (what a path names, with the
 * start time of the processes involved) for as long as the kernel holds it
 * (lookup counts, forget).  A rebuild never renumbers them. */
#pragma once
#include <pthread.h>
#include <stdint.h>
#include <time.h>

#include "ipcfs/snapshot.h"

enum node_type {
	NODE_ROOT = 1,
	NODE_SELF,
	NODE_CHANNELS,
	NODE_CHANNELS_JSON,	/* channels.json */
	NODE_EVENTS,		/* a stream of changes, per open */
	NODE_PROC,		/* <pid>/ */
	NODE_COMM,		/* <pid>/comm */
	NODE_CGROUP,		/* <pid>/cgroup */
	NODE_PROC_CHANNELS,	/* <pid>/channels */
	NODE_PROC_CHANNELS_JSON, /* <pid>/channels.json */
	NODE_KIND,		/* <pid>/<kind>/ */
	NODE_ENDPOINT,		/* <pid>/<kind>/<name>/ */
	NODE_INFO,		/* <pid>/<kind>/<name>/info */
	NODE_PEER,		/* <pid>/<kind>/<name>/<peerpid>:<peername> */
	NODE_PIDFD_TARGET,	/* <pid>/pidfd/<fd>/target, the peer_pid and
				   peer_start of the process it refers to */
	NODE_SYSV_ROOT,		/* sysv/ */
	NODE_SYSV_CLASS,	/* sysv/<class>/, kind = class */
	NODE_SYSV_OBJECT,	/* sysv/<class>/<id>/, pid = id, start = ctime */
	NODE_SYSV_INFO,		/* sysv/<class>/<id>/info */
	NODE_SYSV_MEMBER,	/* sysv/<class>/<id>/<pid>:<name>, the peer_* fields */
};

/* Compared with memcmp: always start from a zeroed key. */
struct node_key {
	uint8_t type;
	uint8_t kind, peer_kind;
	pid_t pid, peer_pid;
	uint64_t start, peer_start;
	char name[IPC_NAME_MAX];
	char peer_name[IPC_NAME_MAX];
};

#define NODE_ROOT_ID 1

struct node_table;

struct node_table *nodes_new(void);
void nodes_free(struct node_table *table);
/* The id of key, created if new; counts one kernel lookup.
 * 0 when out of memory. */
uint64_t nodes_remember(struct node_table *table, const struct node_key *key);
/* Copies the key of id; -ENOENT for an id the kernel no longer holds. */
int nodes_key(struct node_table *table, uint64_t id, struct node_key *out);
void nodes_forget(struct node_table *table, uint64_t id, uint64_t count);
/* The mtime of id already settled for this generation: true and *out set. */
bool nodes_dir_mtime_known(struct node_table *table, uint64_t id, uint64_t generation,
			   struct timespec *out);
/* The mtime a directory shows: it moves to `built` the first time a
 * generation lists it differently, so the kernel drops a cached listing. */
struct timespec nodes_dir_mtime(struct node_table *table, uint64_t id, uint64_t generation,
				uint64_t listing_hash, struct timespec built);
