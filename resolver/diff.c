/* What changed between two snapshots, by one linear merge: both list their
 * endpoints in one order (pid, then kind, fd, name), and each endpoint
 * lists its peers in that order too. */
#include <errno.h>
#include <stdlib.h>

#include "array.h"
#include "builder.h"

struct differ {
	const struct ipc_snapshot *old, *new;
	ipc_change_fn *fn;
	void *ctx;
	uint32_t *lost, *gained;	/* scratch: peers of one endpoint */
	size_t cap_lost, cap_gained;
};

/* Where an endpoint stands: its process (pid, then start time, so a reused
 * pid sorts apart), then the snapshots' own endpoint order. */
static int key_order(const struct ipc_snapshot *sa, const struct ipc_endpoint *a,
		     const struct ipc_snapshot *sb, const struct ipc_endpoint *b)
{
	const struct ipc_process *pa = ipc_endpoint_process(sa, a);
	const struct ipc_process *pb = ipc_endpoint_process(sb, b);

	if (pa->pid != pb->pid)
		return pa->pid < pb->pid ? -1 : 1;
	if (pa->start_time != pb->start_time)
		return pa->start_time < pb->start_time ? -1 : 1;
	return endpoint_order(a, b);
}

/* The object reached: a name holds one at a time, so ordering by it after
 * the key keeps each snapshot's order. */
static int object_order(const struct ipc_endpoint *a, const struct ipc_endpoint *b)
{
	int c = endpoint_object_order(a, b);

	return c ? c : (a->id > b->id) - (a->id < b->id);
}

static int identity_order(const struct ipc_snapshot *sa, const struct ipc_endpoint *a,
			  const struct ipc_snapshot *sb, const struct ipc_endpoint *b)
{
	int c = key_order(sa, a, sb, b);

	return c ? c : object_order(a, b);
}

static int report(struct differ *d, char sign, bool whole, const struct ipc_snapshot *snap,
		  const struct ipc_endpoint *ep, const uint32_t *peers, size_t n_peers)
{
	const struct ipc_change change = { .sign = sign, .whole = whole, .snap = snap, .ep = ep,
					   .peers = peers, .n_peers = n_peers };

	return d->fn(d->ctx, &change);
}

static int whole(struct differ *d, char sign, const struct ipc_snapshot *snap,
		 const struct ipc_endpoint *ep)
{
	return report(d, sign, true, snap, ep, snap->peers + ep->first_peer, ep->n_peers);
}

/* One endpoint in both: the peers it lost, then those it gained. */
static int peers_changed(struct differ *d, const struct ipc_endpoint *a,
			 const struct ipc_endpoint *b)
{
	const uint32_t *pa = d->old->peers + a->first_peer, *pb = d->new->peers + b->first_peer;
	size_t i = 0, j = 0, n_lost = 0, n_gained = 0;
	int c, r;

	if (array_reserve(d->lost, d->cap_lost, a->n_peers) < 0 ||
	    array_reserve(d->gained, d->cap_gained, b->n_peers) < 0)
		return -ENOMEM;
	while (i < a->n_peers || j < b->n_peers) {
		c = i == a->n_peers ? 1 : j == b->n_peers ? -1 :
		    identity_order(d->old, &d->old->endpoints[pa[i]],
				   d->new, &d->new->endpoints[pb[j]]);
		if (c < 0)
			d->lost[n_lost++] = pa[i++];
		else if (c > 0)
			d->gained[n_gained++] = pb[j++];
		else
			i++, j++;
	}
	r = n_lost ? report(d, '-', false, d->old, a, d->lost, n_lost) : 0;
	return r || !n_gained ? r : report(d, '+', false, d->new, b, d->gained, n_gained);
}

int ipc_snapshot_diff(const struct ipc_snapshot *old, const struct ipc_snapshot *new,
		      ipc_change_fn *fn, void *ctx)
{
	static const struct ipc_snapshot empty;
	struct differ d = { .old = old ? old : &empty, .new = new, .fn = fn, .ctx = ctx };
	const struct ipc_endpoint *a, *b;
	size_t i = 0, j = 0;
	int c, r = 0;

	while (r == 0 && (i < d.old->n_endpoints || j < new->n_endpoints)) {
		a = i < d.old->n_endpoints ? &d.old->endpoints[i] : NULL;
		b = j < new->n_endpoints ? &new->endpoints[j] : NULL;
		c = !a ? 1 : !b ? -1 : key_order(d.old, a, new, b);
		if (c < 0) {
			r = whole(&d, '-', d.old, a);
			i++;
		} else if (c > 0) {
			r = whole(&d, '+', new, b);
			j++;
		} else if (object_order(a, b) != 0) {
			/* the name now reaches another object */
			r = whole(&d, '-', d.old, a);
			r = r ? r : whole(&d, '+', new, b);
			i++, j++;
		} else {
			r = peers_changed(&d, a, b);
			i++, j++;
		}
	}
	free(d.lost);
	free(d.gained);
	return r;
}
