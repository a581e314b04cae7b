/* Builds snapshots of the live /proc in a loop, without FUSE: the cost of
 * one build alone, for profilers (valgrind --tool=callgrind, perf) and
 * for timing.  Prints per build its wall time, endpoints and peer links,
 * then the best.  With -d, also every endpoint of the last build and its
 * peers, one a line, to compare the snapshots of two versions.
 *
 * usage: build_once [-d] [BUILDS [PROCROOT]]   (default 1 build of /proc) */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ipcfs/snapshot.h"

static double seconds_since(const struct timespec *t0)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)(t.tv_sec - t0->tv_sec) + (double)(t.tv_nsec - t0->tv_nsec) / 1e9;
}

/* pid, kind, name, access, id; then each peer as pid/kind/name. */
static void dump(const struct ipc_snapshot *snap)
{
	size_t e, i;

	for (e = 0; e < snap->n_endpoints; e++) {
		const struct ipc_endpoint *ep = &snap->endpoints[e];

		printf("%d %s %s %s %llu", ipc_endpoint_process(snap, ep)->pid,
		       ipc_kind_dir(ep->kind), ep->name, ipc_access_text(ep->access),
		       (unsigned long long)ep->id);
		for (i = 0; i < ep->n_peers; i++) {
			const struct ipc_endpoint *peer = ipc_endpoint_peer(snap, ep, (uint32_t)i);

			printf(" %d/%s/%s", ipc_endpoint_process(snap, peer)->pid,
			       ipc_kind_dir(peer->kind), peer->name);
		}
		putchar('\n');
	}
}

int main(int argc, char **argv)
{
	bool dumping = argc > 1 && strcmp(argv[1], "-d") == 0;
	long builds = argc > 1 + dumping ? strtol(argv[1 + dumping], NULL, 10) : 1;
	const char *root_path = argc > 2 + dumping ? argv[2 + dumping] : "/proc";
	struct ipc_snapshot *snap;
	struct proc_root root;
	struct timespec t0;
	double t, best = 0;
	long i;
	int r;

	if (builds < 1) {
		fprintf(stderr, "usage: build_once [BUILDS [PROCROOT]]\n");
		return 2;
	}
	r = proc_root_open(&root, root_path);
	if (r < 0) {
		fprintf(stderr, "build_once: %s: %s\n", root_path, strerror(-r));
		return 1;
	}
	for (i = 0; i < builds; i++) {
		clock_gettime(CLOCK_MONOTONIC, &t0);
		r = ipc_snapshot_build(&root, NULL, (uint64_t)i + 1, &snap);
		t = seconds_since(&t0);
		if (r < 0) {
			fprintf(stderr, "build_once: build: %s\n", strerror(-r));
			proc_root_close(&root);
			return 1;
		}
		printf("build %ld: %.1f ms, %zu processes, %zu endpoints, %zu peer links\n", i + 1,
		       t * 1e3, snap->n_processes, snap->n_endpoints, snap->n_peers);
		if (dumping && i + 1 == builds)
			dump(snap);
		ipc_snapshot_free(snap);
		if (i == 0 || t < best)
			best = t;
	}
	printf("best of %ld: %.1f ms\n", builds, best * 1e3);
	proc_root_close(&root);
	return 0;
}
