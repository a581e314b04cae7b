#include "render.h"

#include <string.h>

#define FIELD_BELOW 0x21

static void put_escaped(struct textbuf *tb, const char *s, unsigned char below)
{
	textbuf_escaped(tb, s, strlen(s), below);
}

void render_line(const char *value, struct textbuf *tb)
{
	put_escaped(tb, value ? value : "-", 0x20);
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
			  const struct ipc_peer_view *view, struct textbuf *tb)
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
		ipc_peers_text(snap, snap->peers + ep->first_peer, ep->n_peers, view, ",",
			       FIELD_BELOW, tb);
		textbuf_puts(tb, "\t");
		put_detail(snap, ep, &detail, tb);
	}
	textbuf_free(&detail);
}

void render_json_rows(const struct ipc_snapshot *snap, const struct ipc_process *proc,
		      const struct ipc_peer_view *view, bool *first, struct textbuf *tb)
{
	uint32_t i;

	for (i = 0; i < proc->n_endpoints; i++) {
		textbuf_puts(tb, *first ? "" : ",\n");
		*first = false;
		ipc_endpoint_json(snap, &snap->endpoints[proc->first_endpoint + i], view, tb);
	}
}

bool render_event(const struct timespec *when, const struct ipc_change *change,
		  const struct ipc_peer_view *view, struct textbuf *detail, struct textbuf *tb)
{
	size_t start = tb->len, shown;

	textbuf_printf(tb, "%lld.%09ld\t%c\t", (long long)when->tv_sec, when->tv_nsec,
		       change->sign);
	put_endpoint_fields(ipc_endpoint_process(change->snap, change->ep), change->ep, tb);
	textbuf_puts(tb, "\t");
	shown = ipc_peers_text(change->snap, change->peers, change->n_peers, view, ",",
			       FIELD_BELOW, tb);
	if (!change->whole && !shown) {
		tb->len = start;
		return false;
	}
	textbuf_puts(tb, "\t");
	put_detail(change->snap, change->ep, detail, tb);
	return true;
}
