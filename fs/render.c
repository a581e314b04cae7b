#include "render.h"

#include <inttypes.h>
#include <string.h>

#define INFO_BELOW 0x20
#define FIELD_BELOW 0x21

static void put_escaped(struct textbuf *tb, const char *s, unsigned char below)
{
	textbuf_escaped(tb, s, strlen(s), below);
}

/* "<pid>:<name>" for each of the peers (endpoint indexes) the view shows,
 * separated by sep; "-" for none.  How many were shown. */
static size_t put_peer_list(const struct ipc_snapshot *snap, const uint32_t *peers, size_t n,
			    const struct peer_view *view, const char *sep, unsigned char below,
			    struct textbuf *tb)
{
	size_t i, shown = 0;

	for (i = 0; i < n; i++) {
		const struct ipc_endpoint *peer = &snap->endpoints[peers[i]];

		if (view && !view->shows(view->ctx, ipc_endpoint_process(snap, peer)))
			continue;
		if (shown++)
			textbuf_puts(tb, sep);
		textbuf_put_u64(tb, (uint64_t)ipc_endpoint_process(snap, peer)->pid);
		textbuf_puts(tb, ":");
		put_escaped(tb, peer->name, below);
	}
	if (!shown)
		textbuf_puts(tb, "-");
	return shown;
}

static void put_peers(const struct ipc_snapshot *snap, const struct ipc_endpoint *ep,
		      const struct peer_view *view, const char *sep, unsigned char below,
		      struct textbuf *tb)
{
	put_peer_list(snap, snap->peers + ep->first_peer, ep->n_peers, view, sep, below, tb);
}

void render_info(const struct ipc_snapshot *snap, const struct ipc_endpoint *ep,
		 const struct peer_view *view, struct textbuf *tb)
{
	const struct ipc_process *proc = ipc_endpoint_process(snap, ep);

	textbuf_printf(tb, "kind: %s\npid: %d\n", ipc_kind_dir(ep->kind), proc->pid);
	if (proc->nspid)
		textbuf_printf(tb, "nspid: %d\n", proc->nspid);
	textbuf_puts(tb, "comm: ");
	put_escaped(tb, proc->comm, INFO_BELOW);
	textbuf_puts(tb, "\nname: ");
	put_escaped(tb, ep->name, INFO_BELOW);
	if (ep->fd >= 0)
		textbuf_printf(tb, "\nfd: %d", ep->fd);
	else
		textbuf_puts(tb, "\nfd: -");
	textbuf_printf(tb, "\nid: %" PRIu64 "\naccess: %s\npeers: ", ep->id,
		       ipc_access_text(ep->access));
	put_peers(snap, ep, view, " ", INFO_BELOW, tb);
	textbuf_puts(tb, "\n");
	/* Mapping-only sharers of this process may be missing from peers. */
	if (proc->maps_unavailable)
		textbuf_puts(tb, "maps: unavailable\n");
	ipc_endpoint_info(snap, ep, tb);
}

void render_line(const char *value, struct textbuf *tb)
{
	put_escaped(tb, value ? value : "-", INFO_BELOW);
	textbuf_puts(tb, "\n");
}

void render_channels_header(struct textbuf *tb)
{
	textbuf_puts(tb, "KIND\tPID\tCOMM\tNAME\tACCESS\tID\tPEERS\tDETAIL\n");
}

/* KIND PID COMM NAME, tab-separated: the start of a channels row and the
 * endpoint's part of an events line. */
static void put_endpoint_fields(const struct ipc_process *proc, const struct ipc_endpoint *ep,
				struct textbuf *tb)
{
	textbuf_puts(tb, ipc_kind_dir(ep->kind));
	textbuf_puts(tb, "\t");
	textbuf_put_u64(tb, (uint64_t)proc->pid);
	textbuf_puts(tb, "\t");
	put_escaped(tb, proc->comm, FIELD_BELOW);
	textbuf_puts(tb, "\t");
	put_escaped(tb, ep->name, FIELD_BELOW);
}

/* The DETAIL field and the end of the line; detail is scratch. */
static void put_detail(const struct ipc_snapshot *snap, const struct ipc_endpoint *ep,
		       struct textbuf *detail, struct textbuf *tb)
{
	detail->len = 0;
	ipc_endpoint_detail(snap, ep, detail);
	if (detail->len)
		textbuf_escaped(tb, detail->data, detail->len, FIELD_BELOW);
	else
		textbuf_puts(tb, "-");
	textbuf_puts(tb, "\n");
}

void render_channels_rows(const struct ipc_snapshot *snap, const struct ipc_process *proc,
			  const struct peer_view *view, struct textbuf *tb)
{
	struct textbuf detail;
	uint32_t i;

	textbuf_init(&detail);
	for (i = 0; i < proc->n_endpoints; i++) {
		const struct ipc_endpoint *ep = &snap->endpoints[proc->first_endpoint + i];

		put_endpoint_fields(proc, ep, tb);
		textbuf_puts(tb, "\t");
		textbuf_puts(tb, ipc_access_text(ep->access));
		textbuf_puts(tb, "\t");
		textbuf_put_u64(tb, ep->id);
		textbuf_puts(tb, "\t");
		put_peers(snap, ep, view, ",", FIELD_BELOW, tb);
		textbuf_puts(tb, "\t");
		put_detail(snap, ep, &detail, tb);
	}
	textbuf_free(&detail);
}

bool render_event(const struct timespec *when, const struct ipc_change *change,
		  const struct peer_view *view, struct textbuf *detail, struct textbuf *tb)
{
	size_t start = tb->len, shown;

	textbuf_printf(tb, "%lld.%09ld\t%c\t", (long long)when->tv_sec, when->tv_nsec,
		       change->sign);
	put_endpoint_fields(ipc_endpoint_process(change->snap, change->ep), change->ep, tb);
	textbuf_puts(tb, "\t");
	shown = put_peer_list(change->snap, change->peers, change->n_peers, view, ",", FIELD_BELOW,
			      tb);
	if (!change->whole && !shown) {
		tb->len = start;
		return false;
	}
	textbuf_puts(tb, "\t");
	put_detail(change->snap, change->ep, detail, tb);
	return true;
}
