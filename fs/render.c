#include "render.h"

#include <inttypes.h>
#include <string.h>

#define INFO_BELOW 0x20
#define FIELD_BELOW 0x21

static void put_escaped(struct textbuf *tb, const char *s, unsigned char below)
{
	textbuf_escaped(tb, s, strlen(s), below);
}

/* "<pid>:<name>" for each peer the view shows, separated by sep; "-" for
 * none. */
static void put_peers(const struct ipc_snapshot *snap, const struct ipc_endpoint *ep,
		      const struct peer_view *view, const char *sep, unsigned char below,
		      struct textbuf *tb)
{
	uint32_t i, shown = 0;

	for (i = 0; i < ep->n_peers; i++) {
		const struct ipc_endpoint *peer = ipc_endpoint_peer(snap, ep, i);

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

void render_comm(const struct ipc_process *proc, struct textbuf *tb)
{
	put_escaped(tb, proc->comm, INFO_BELOW);
	textbuf_puts(tb, "\n");
}

void render_channels_header(struct textbuf *tb)
{
	textbuf_puts(tb, "KIND\tPID\tCOMM\tNAME\tACCESS\tID\tPEERS\tDETAIL\n");
}

void render_channels_rows(const struct ipc_snapshot *snap, const struct ipc_process *proc,
			  const struct peer_view *view, struct textbuf *tb)
{
	struct textbuf detail;
	uint32_t i;

	textbuf_init(&detail);
	for (i = 0; i < proc->n_endpoints; i++) {
		const struct ipc_endpoint *ep = &snap->endpoints[proc->first_endpoint + i];

		textbuf_puts(tb, ipc_kind_dir(ep->kind));
		textbuf_puts(tb, "\t");
		textbuf_put_u64(tb, (uint64_t)proc->pid);
		textbuf_puts(tb, "\t");
		put_escaped(tb, proc->comm, FIELD_BELOW);
		textbuf_puts(tb, "\t");
		put_escaped(tb, ep->name, FIELD_BELOW);
		textbuf_puts(tb, "\t");
		textbuf_puts(tb, ipc_access_text(ep->access));
		textbuf_puts(tb, "\t");
		textbuf_put_u64(tb, ep->id);
		textbuf_puts(tb, "\t");
		put_peers(snap, ep, view, ",", FIELD_BELOW, tb);
		textbuf_puts(tb, "\t");
		detail.len = 0;
		ipc_endpoint_detail(snap, ep, &detail);
		if (detail.len)
			textbuf_escaped(tb, detail.data, detail.len, FIELD_BELOW);
		else
			textbuf_puts(tb, "-");
		textbuf_puts(tb, "\n");
	}
	textbuf_free(&detail);
}
