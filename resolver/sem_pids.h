/* The last pid to operate on each semaphore of the System V sets: one
 * semctl GETPID per semaphore, kept from build to build.  A set is read
 * again only when it may have changed (its otime or ctime moved, or moved
 * within the last two seconds, finer than the kernel tells), and a build
 * spends at most a budget of calls, smaller sets first, so no set anyone
 * creates can multiply the cost of a build: what is left over keeps the
 * pids last read until a later build goes on from where this one
 * stopped.  GETPID answers in the caller's IPC namespace, so a build plans
 * its reads for every namespace at once and then makes them from a visit
 * of each (snapshot.h, ipc_namespaces). */
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ipcfs/snapshot.h"

/* GETPID calls one build may make: about 10 ms. */
#define SEM_PID_BUDGET 16384u

struct sem_pid_entry {
	uint64_t ipcns;
	int id;
	uint32_t nsems;
	int64_t otime, ctime;
	uint32_t left;		/* semaphores still to read since it may have changed */
	uint32_t next;		/* the one to read next */
	uint32_t planned;	/* of those left, the ones this build reads */
	int *pids;		/* nsems of them; 0 where none is known */
};

void sem_pid_cache_free(struct sem_pid_cache *cache);
/* Brings the cache to the semaphore sets among objects[0..n) (of any
 * class and namespace, in any order) and plans the reads of this build, at
 * most budget; now in seconds since the epoch.  0 or -ENOMEM (the cache
 * is then as it was). */
int sem_pid_cache_update(struct sem_pid_cache *cache, const struct ipc_sysv_object *objects,
			 size_t n, int64_t now, size_t budget);
/* Whether reads are planned in namespace ipcns. */
bool sem_pid_cache_planned(const struct sem_pid_cache *cache, uint64_t ipcns);
/* Makes the planned reads of namespace ipcns through root->sem_pid; from
 * a visit of that namespace. */
void sem_pid_cache_read(struct sem_pid_cache *cache, const struct proc_root *root,
			uint64_t ipcns);
/* The pids of set id of namespace ipcns (its nsems), or NULL. */
const int *sem_pid_cache_find(const struct sem_pid_cache *cache, uint64_t ipcns, int id);
