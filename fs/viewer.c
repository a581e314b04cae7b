#include "viewer.h"

#include <string.h>
#include <sys/stat.h>

bool viewer_in_group(const struct viewer *v, gid_t gid)
{
	int i;

	if (v->gid == gid)
		return true;
	for (i = 0; i < v->n_groups; i++)
		if (v->groups[i] == gid)
			return true;
	return false;
}

bool viewer_may_enter(const struct viewer *v, const struct ipc_process *proc)
{
	if (v->uid == 0)
		return true;
	if (v->uid == proc->fd_owner)
		return proc->fd_mode & S_IXUSR;
	if (viewer_in_group(v, proc->fd_group))
		return proc->fd_mode & S_IXGRP;
	return proc->fd_mode & S_IXOTH;
}

bool viewer_same(const struct viewer *a, const struct viewer *b)
{
	if (a->uid == 0 || b->uid == 0)
		return a->uid == b->uid;	/* root enters and is shown every process */
	return a->uid == b->uid && a->gid == b->gid && a->hides == b->hides &&
	       a->n_groups == b->n_groups &&
	       !memcmp(a->groups, b->groups, (size_t)a->n_groups * sizeof(a->groups[0]));
}

bool viewer_shows(const void *ctx, const struct ipc_process *proc)
{
	const struct viewer *v = ctx;

	return !v->hides || viewer_may_enter(v, proc);
}
