/* Builds snapshots of the live /proc in a loop, without FUSE: the cost of
 * one build alone, for profilers (valgrind --tool=callgrind, perf) and
 * for timing.  Prints per build its wall time, endpoints and peer links,
 * then the best.  With -p, also each build's phases (snapshot.h's
 * phases: where the building thread's time went).  With -d, also every
 * endpoint of the last build and its peers, one a line, to compare the
 * snapshots of two versions.
 *
 * usage: build_once [-p] [-d] [BUILDS [PROCROOT]]   (default 1 build of /proc) */
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

/* name 1.2 ms, ... on one line */
static void print_phases(const struct ipc_snapshot *snap)
{
	size_t i;

	for (i = 0; i < snap->n_phases; i++)
		printf("%s%s %.1f ms", i ? ", " : "  ", snap->phases[i].name,
		       snap->phases[i].us / 1e3);
	putchar('\n');
}

int main(int argc, char **argv)
{
	bool dumping = false, phases = false;
	const char *root_path = "/proc";
	struct ipc_snapshot *snap;
	struct proc_root root;
	struct timespec t0;
	double t, best = 0;
	long builds = 1, i;
	int r, arg = 1;

	for (; arg < argc && argv[arg][0] == '-'; arg++) {
		if (strcmp(argv[arg], "-d") == 0)
			dumping = true;
		else if (strcmp(argv[arg], "-p") == 0)
			phases = true;
		else
			builds = 0;	/* unknown: usage */
	}
	if (arg < argc)
		builds = builds ? strtol(argv[arg++], NULL, 10) : 0;
	if (arg < argc)
		root_path = argv[arg++];
	if (builds < 1 || arg < argc) {
		fprintf(stderr, "usage: build_once [-p] [-d] [BUILDS [PROCROOT]]\n");
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
		if (phases)
			print_phases(snap);
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
