/* POSIX message queues: fds on the mqueue filesystem, whose links read
 * "/NAME" (mq_open) or "/dev/mqueue/NAME" (open), told apart from files by
 * the device.  Every fd on a queue peers with every other. */
#include <errno.h>
#include <fcntl.h>
#include <mqueue.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "builder.h"

/* ipc/mqueue.c; not exported in linux/magic.h. */
#define MQUEUE_MAGIC 0x19800202

static dev_t learned_dev;
static pthread_once_t learned_once = PTHREAD_ONCE_INIT;

/* The mqueue filesystem of our IPC namespace is kernel-internal: it shows
 * in mountinfo only where someone mounted it.  Prefer that mount; else
 * create a private queue for an instant and look at its device. */
static void learn_dev(void)
{
	struct mq_attr attr = { .mq_maxmsg = 1, .mq_msgsize = 1 };
	char name[64];
	struct stat st;
	mqd_t queue;

	learned_dev = mount_dev("/dev/mqueue", MQUEUE_MAGIC);
	if (learned_dev)
		return;
	snprintf(name, sizeof(name), "/ipcfs-probe-%d", (int)getpid());
	/* mq_open fds are always close-on-exec. */
	queue = mq_open(name, O_RDONLY | O_CREAT | O_EXCL, 0600, &attr);
	if (queue == (mqd_t)-1 && errno == EEXIST) {
		/* Left by an instance of ours that died in between. */
		mq_unlink(name);
		queue = mq_open(name, O_RDONLY | O_CREAT | O_EXCL, 0600, &attr);
	}
	if (queue == (mqd_t)-1)
		return;
	mq_unlink(name);
	if (fstat(queue, &st) == 0)
		learned_dev = st.st_dev;
	mq_close(queue);
}

static dev_t mqueue_dev(const struct proc_root *root)
{
	if (root->mqueue_dev)
		return root->mqueue_dev;
	pthread_once(&learned_once, learn_dev);
	return learned_dev;
}

static int mqueue_probe_fd(struct fd_probe *probe)
{
	dev_t dev;
	int r;

	if (probe->link[0] != '/')
		return 0;
	dev = mqueue_dev(probe->root);
	if (!dev)
		return 0;
	r = fd_probe_facts(probe, FD_FACT_STAT);
	if (r < 0)
		return r;
	if (probe->facts.dev != dev || probe->facts.type != S_IFREG)
		return 0;
	return fd_probe_take(probe);
}

static int mqueue_add_fd(struct builder *b, const struct fd_probe *probe)
{
	void *detail;

	return builder_add_file_endpoint(b, probe, IPC_MQUEUE, sizeof(struct file_detail),
					 &detail);
}

static int mqueue_resolve(struct builder *b)
{
	return builder_link_by_object(b, 1u << IPC_MQUEUE, PAIR_ALL);
}

static void mqueue_fields(const struct ipc_snapshot *snap, const struct ipc_endpoint *ep,
			  struct ipc_field_sink *sink)
{
	const struct file_detail *detail = ep->detail;

	(void)snap;
	field_text(sink, "path", IPC_DETAIL_VALUE, detail->path);
}

const struct kind_module mqueue_module = {
	.name = "mqueue",
	.probe_fd = mqueue_probe_fd,
	.add_fd = mqueue_add_fd,
	.resolve = mqueue_resolve,
	.fields = mqueue_fields,
};
