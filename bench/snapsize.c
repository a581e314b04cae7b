/* Where a snapshot's bytes go: builds one snapshot of the host, with the
 * allocator set as the daemon sets it (fs/main.c), and prints its size per
 * endpoint, split into the fixed-size arrays and the rest (kind details,
 * names, comm, arena slack), and the RSS a build adds at its peak.
 * usage: snapsize   (root, to see every process) */
#include <malloc.h>
#include <stdio.h>
#include <string.h>

#include "ipcfs/snapshot.h"

/* Bytes malloc has handed out, heap and mmapped. */
static size_t in_use(void)
{
	struct mallinfo2 m = mallinfo2();

	return m.uordblks + m.hblkhd;
}

/* A /proc/self/status field in KiB. */
static long status_kib(const char *key)
{
	FILE *f = fopen("/proc/self/status", "r");
	char line[256];
	long v = 0;

	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f))
		if (strncmp(line, key, strlen(key)) == 0)
			sscanf(line + strlen(key), " %ld", &v);
	fclose(f);
	return v;
}

int main(void)
{
	struct proc_root root;
	struct ipc_snapshot *snap;
	size_t before, bytes, arrays, n;
	long rss0, peak;

	mallopt(M_MMAP_THRESHOLD, 128 * 1024);
	mallopt(M_ARENA_MAX, 2);
	if (proc_root_open(&root, "/proc") < 0)
		return perror("snapsize: /proc"), 1;
	before = in_use();
	rss0 = status_kib("VmRSS:");
	if (ipc_snapshot_build(&root, NULL, 1, &snap) < 0)
		return fprintf(stderr, "snapsize: build failed\n"), 1;
	bytes = in_use() - before;
	peak = status_kib("VmHWM:");
	n = snap->n_endpoints ? snap->n_endpoints : 1;
	arrays = snap->n_endpoints * sizeof(struct ipc_endpoint) + snap->n_peers * sizeof(uint32_t) +
		 snap->n_processes * sizeof(struct ipc_process) +
		 snap->n_sysv * sizeof(struct ipc_sysv_object);
	printf("%zu processes, %zu endpoints, %zu peer links, %zu System V objects\n",
	       snap->n_processes, snap->n_endpoints, snap->n_peers, snap->n_sysv);
	printf("snapshot: %zu bytes, %.0f B per endpoint (arena chunks counted whole)\n",
	       bytes, (double)bytes / n);
	printf("  endpoints %zu B each, processes %zu B each, System V objects %zu B each, "
	       "peers 4 B each: %.0f B per endpoint\n",
	       sizeof(struct ipc_endpoint), sizeof(struct ipc_process),
	       sizeof(struct ipc_sysv_object), (double)arrays / n);
	printf("  the rest (kind details, names, comm, arena slack): %.0f B per endpoint\n",
	       (double)(bytes - arrays) / n);
	printf("build: peak RSS %ld KiB above the start, %.0f B per endpoint\n",
	       peak - rss0, (double)(peak - rss0) * 1024 / n);
	ipc_snapshot_free(snap);
	proc_root_close(&root);
	return 0;
}
