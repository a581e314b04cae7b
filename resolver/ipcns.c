/* Visiting IPC namespaces.  /proc/sysvipc and semctl answer for the IPC
 * namespace of the calling thread, so another namespace's System V objects
 * are read from a helper thread that enters it (setns), one namespace after
 * another: no FUSE thread and not the main one ever moves.  The caller's
 * own namespace, where nearly every process is, is visited in place and
 * costs no thread. */
#include <pthread.h>
#include <sched.h>

#include "proc_root.h"

struct visit_job {
	const struct proc_root *root;
	const struct ns_ref *refs;
	size_t n;
	uint64_t own;
	int (*visit)(void *context, size_t i, const char *sysvipc);
	void *context;
	int error;
};

static bool is_own(const struct visit_job *job, size_t i)
{
	return !job->refs[i].ino || job->refs[i].ino == job->own;
}

static void *visit_thread(void *arg)
{
	struct visit_job *job = arg;
	size_t i;

	for (i = 0; i < job->n && !job->error; i++)
		if (!is_own(job, i) &&
		    proc_ns_enter(job->root, &job->refs[i], "ns/ipc", CLONE_NEWIPC) == 0)
			job->error = job->visit(job->context, i, "sysvipc");
	return NULL;
}

int ipc_namespaces_kernel(const struct proc_root *root, uint64_t own, const struct ns_ref *refs,
			  size_t n, int (*visit)(void *context, size_t i, const char *sysvipc),
			  void *context)
{
	struct visit_job job = {
		.root = root, .refs = refs, .n = n, .own = own, .visit = visit, .context = context,
	};
	bool others = false;
	pthread_t thread;
	size_t i;
	int r;

	for (i = 0; i < n; i++) {
		if (!is_own(&job, i)) {
			others = true;
			continue;
		}
		r = visit(context, i, "sysvipc");
		if (r < 0)
			return r;
	}
	if (!others)
		return 0;
	r = pthread_create(&thread, NULL, visit_thread, &job);
	if (r)
		return -r;
	pthread_join(thread, NULL);
	return job.error;
}
