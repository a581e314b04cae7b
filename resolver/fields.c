/* An endpoint's fields: the common keys stated once here, the kind's by
 * its module, and the three renderings of that one list (info lines,
 * DETAIL text, a JSON object). */
#include <string.h>

#include "builder.h"

#define INFO_BELOW 0x20

/* ---- emitters --------------------------------------------------------- */

void field_bytes(struct ipc_field_sink *sink, const char *key, unsigned detail,
		 const char *text, size_t len)
{
	struct ipc_field f = { .key = key, .type = IPC_FIELD_TEXT, .detail = (uint8_t)detail };

	f.text = text;
	f.len = len;
	sink->put(sink, &f);
}

void field_text(struct ipc_field_sink *sink, const char *key, unsigned detail,
		const char *text)
{
	field_bytes(sink, key, detail, text, strlen(text));
}

void field_u64(struct ipc_field_sink *sink, const char *key, unsigned detail, uint64_t v)
{
	struct ipc_field f = { .key = key, .type = IPC_FIELD_UNSIGNED, .detail = (uint8_t)detail,
			       .u = v };

	sink->put(sink, &f);
}

void field_s64(struct ipc_field_sink *sink, const char *key, unsigned detail, int64_t v)
{
	struct ipc_field f = { .key = key, .type = IPC_FIELD_SIGNED, .detail = (uint8_t)detail,
			       .s = v };

	sink->put(sink, &f);
}

void field_bool(struct ipc_field_sink *sink, const char *key, unsigned detail, bool yes)
{
	struct ipc_field f = { .key = key, .type = IPC_FIELD_BOOL, .detail = (uint8_t)detail,
			       .u = yes };

	sink->put(sink, &f);
}

void field_none(struct ipc_field_sink *sink, const char *key)
{
	struct ipc_field f = { .key = key, .type = IPC_FIELD_NONE };

	sink->put(sink, &f);
}

void field_u64_known(struct ipc_field_sink *sink, const char *key, unsigned detail,
		     bool known, uint64_t v)
{
	if (known)
		field_u64(sink, key, detail, v);
	else
		field_none(sink, key);
}

/* ---- the fields of an endpoint ------------------------------------------ */

/* Every endpoint's, in the order info shows them. */
static void common_fields(const struct ipc_snapshot *snap, const struct ipc_endpoint *ep,
			  struct ipc_field_sink *sink)
{
	const struct ipc_process *proc = ipc_endpoint_process(snap, ep);
	struct ipc_field peers = { .key = "peers", .type = IPC_FIELD_PEERS };

	field_text(sink, "kind", IPC_DETAIL_NO, ipc_kind_dir(ep->kind));
	field_s64(sink, "pid", IPC_DETAIL_NO, proc->pid);
	if (proc->nspid)
		field_s64(sink, "nspid", IPC_DETAIL_NO, proc->nspid);
	field_text(sink, "comm", IPC_DETAIL_NO, proc->comm);
	field_text(sink, "name", IPC_DETAIL_NO, ep->name);
	if (ep->fd >= 0)
		field_s64(sink, "fd", IPC_DETAIL_NO, ep->fd);
	else
		field_none(sink, "fd");
	field_u64(sink, "id", IPC_DETAIL_NO, ep->id);
	field_text(sink, "access", IPC_DETAIL_NO, ipc_access_text(ep->access));
	peers.ep = ep;
	sink->put(sink, &peers);
	if (proc->cgroup)
		field_text(sink, "cgroup", IPC_DETAIL_NO, proc->cgroup);
	else
		field_none(sink, "cgroup");
	/* Mapping-only sharers of this process may be missing from peers. */
	if (proc->maps_unavailable)
		field_text(sink, "maps", IPC_DETAIL_NO, "unavailable");
}

void ipc_endpoint_fields(const struct ipc_snapshot *snap, const struct ipc_endpoint *ep,
			 unsigned which, struct ipc_field_sink *sink)
{
	const struct kind_module *module = kind_module_of(ep->kind);

	if (which & IPC_FIELDS_COMMON)
		common_fields(snap, ep, sink);
	if ((which & IPC_FIELDS_KIND) && module && module->fields)
		module->fields(snap, ep, sink);
}

size_t ipc_peers_text(const struct ipc_snapshot *snap, const uint32_t *peers, size_t n,
		      const struct ipc_peer_view *view, const char *sep, unsigned char below,
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
		textbuf_escaped(tb, peer->name, strlen(peer->name), below);
	}
	if (!shown)
		textbuf_puts(tb, "-");
	return shown;
}

/* ---- renderings --------------------------------------------------------- */

struct render_sink {
	struct ipc_field_sink sink;	/* first: the sink is the renderer */
	const struct ipc_snapshot *snap;
	const struct ipc_peer_view *view;
	struct textbuf *tb;
	size_t n;			/* fields rendered so far */
};

static void put_s64(struct textbuf *tb, int64_t v)
{
	if (v < 0)
		textbuf_puts(tb, "-");
	textbuf_put_u64(tb, v < 0 ? -(uint64_t)v : (uint64_t)v);
}

/* A value as info and DETAIL write it: text escaped below `below` (0:
 * raw, the channels table escapes DETAIL whole). */
static void put_value(struct render_sink *r, const struct ipc_field *f, unsigned char below)
{
	switch (f->type) {
	case IPC_FIELD_TEXT:
		if (below)
			textbuf_escaped(r->tb, f->text, f->len, below);
		else
			textbuf_append(r->tb, f->text, f->len);
		break;
	case IPC_FIELD_UNSIGNED:
		textbuf_put_u64(r->tb, f->u);
		break;
	case IPC_FIELD_SIGNED:
		put_s64(r->tb, f->s);
		break;
	case IPC_FIELD_BOOL:
		textbuf_puts(r->tb, f->u ? "yes" : "no");
		break;
	case IPC_FIELD_PEERS:
		ipc_peers_text(r->snap, r->snap->peers + f->ep->first_peer, f->ep->n_peers,
			       r->view, " ", INFO_BELOW, r->tb);
		break;
	default:
		textbuf_puts(r->tb, "-");
		break;
	}
}

static void put_info_line(struct ipc_field_sink *sink, const struct ipc_field *f)
{
	struct render_sink *r = (struct render_sink *)sink;

	textbuf_puts(r->tb, f->key);
	textbuf_puts(r->tb, ": ");
	put_value(r, f, INFO_BELOW);
	textbuf_puts(r->tb, "\n");
}

static void put_detail(struct ipc_field_sink *sink, const struct ipc_field *f)
{
	struct render_sink *r = (struct render_sink *)sink;

	if (f->detail == IPC_DETAIL_NO || f->type == IPC_FIELD_NONE ||
	    (f->type == IPC_FIELD_BOOL && f->detail == IPC_DETAIL_VALUE && !f->u))
		return;
	if (r->n++)
		textbuf_puts(r->tb, " ");
	if (f->type == IPC_FIELD_BOOL && f->detail == IPC_DETAIL_VALUE) {
		textbuf_puts(r->tb, f->key);
		return;
	}
	if (f->detail == IPC_DETAIL_KEYED) {
		textbuf_puts(r->tb, f->key);
		textbuf_puts(r->tb, "=");
	}
	put_value(r, f, 0);
}

static void put_json_text(struct textbuf *tb, const char *s)
{
	textbuf_json_string(tb, s, strlen(s));
}

static void put_json_peers(struct render_sink *r, const struct ipc_endpoint *ep)
{
	uint32_t i, shown = 0;

	textbuf_puts(r->tb, "[");
	for (i = 0; i < ep->n_peers; i++) {
		const struct ipc_endpoint *peer = ipc_endpoint_peer(r->snap, ep, i);
		const struct ipc_process *proc = ipc_endpoint_process(r->snap, peer);

		if (r->view && !r->view->shows(r->view->ctx, proc))
			continue;
		textbuf_puts(r->tb, shown++ ? ",{\"pid\":" : "{\"pid\":");
		textbuf_put_u64(r->tb, (uint64_t)proc->pid);
		textbuf_puts(r->tb, ",\"kind\":");
		put_json_text(r->tb, ipc_kind_dir(peer->kind));
		textbuf_puts(r->tb, ",\"name\":");
		put_json_text(r->tb, peer->name);
		textbuf_puts(r->tb, "}");
	}
	textbuf_puts(r->tb, "]");
}

static void put_json_member(struct ipc_field_sink *sink, const struct ipc_field *f)
{
	struct render_sink *r = (struct render_sink *)sink;

	textbuf_puts(r->tb, r->n++ ? "," : "{");
	put_json_text(r->tb, f->key);
	textbuf_puts(r->tb, ":");
	switch (f->type) {
	case IPC_FIELD_TEXT:
		textbuf_json_string(r->tb, f->text, f->len);
		break;
	case IPC_FIELD_BOOL:
		textbuf_puts(r->tb, f->u ? "true" : "false");
		break;
	case IPC_FIELD_PEERS:
		put_json_peers(r, f->ep);
		break;
	case IPC_FIELD_NONE:
		textbuf_puts(r->tb, "null");
		break;
	default:
		put_value(r, f, 0);	/* a number */
		break;
	}
}

void ipc_endpoint_info_lines(const struct ipc_snapshot *snap, const struct ipc_endpoint *ep,
			     unsigned which, const struct ipc_peer_view *view,
			     struct textbuf *tb)
{
	struct render_sink r = { { put_info_line }, snap, view, tb, 0 };

	ipc_endpoint_fields(snap, ep, which, &r.sink);
}

void ipc_endpoint_detail(const struct ipc_snapshot *snap, const struct ipc_endpoint *ep,
			 struct textbuf *tb)
{
	struct render_sink r = { { put_detail }, snap, NULL, tb, 0 };

	ipc_endpoint_fields(snap, ep, IPC_FIELDS_KIND, &r.sink);
}

void ipc_endpoint_json(const struct ipc_snapshot *snap, const struct ipc_endpoint *ep,
		       const struct ipc_peer_view *view, struct textbuf *tb)
{
	struct render_sink r = { { put_json_member }, snap, view, tb, 0 };

	ipc_endpoint_fields(snap, ep, IPC_FIELDS_ALL, &r.sink);
	textbuf_puts(tb, r.n ? "}" : "{}");
}

void ipc_sysv_info(const struct ipc_snapshot *snap, const struct ipc_sysv_object *obj,
		   struct textbuf *tb)
{
	struct render_sink r = { { put_info_line }, snap, NULL, tb, 0 };

	ipc_sysv_fields(obj, &r.sink);
}
